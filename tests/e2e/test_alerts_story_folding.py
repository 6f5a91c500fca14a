"""One alert per story, update alerts and backfill, through the CLI as a user runs it.

A local server serves a feed with two copies of one story (syndicated: other URLs, the
same text), then the first copy again with a rewritten headline.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.e2e.conftest import Cli
from tests.support.http_server import Reply, TestServer

pytestmark = pytest.mark.e2e

BODY = (
    "Negotiators from both sides met in Cairo on Tuesday for a new round of ceasefire talks "
    "brokered by Egypt and Qatar, officials said. The proposal under discussion would pause "
    "the fighting for six weeks, allow aid convoys into the territory and free hostages in "
    "exchange for prisoners. Diplomats described the mood as cautious but constructive, and "
    "said a further meeting was planned for the weekend if both delegations agreed to the "
    "outline presented by the mediators on Monday evening."
)


def item(n: int, title: str) -> str:
    return (
        f"<item><title>{title}</title><link>http://news{n}.example/ceasefire</link>"
        f"<guid>http://news{n}.example/ceasefire</guid><description>{BODY}</description>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>"
    )


def rss(*items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Wire</title>'
        f"<link>http://wire.example/</link>{''.join(items)}</channel></rss>"
    ).encode()


def hits(cli: Cli, cfg: Path) -> list[dict[str, object]]:
    return list(cli.json("alerts", "hits", "--config", str(cfg)))


def test_copies_fold_into_one_alert_and_a_new_headline_fires_one_update(
    cli: Cli, tmp_path: Path
) -> None:
    feed = {
        "body": rss(item(1, "Ceasefire talks resume in Cairo"), item(2, "Ceasefire talks resume"))
    }
    with TestServer() as server:
        server.route("/feed.xml", lambda _r: Reply(body=feed["body"]))
        cfg = tmp_path / "wirewatch.yaml"
        cfg.write_text(f"fetch:\n  allow_private: ['{server.allow_entry}']\n")
        c = ("--config", str(cfg))
        cli("feeds", "add", server.url("/feed.xml"), *c)
        cli(
            "alerts", "add", "talks", "ceasefire AND cairo", "--webhook", "http://127.0.0.2:9/x", *c
        )

        assert cli.json("run", "--once", *c)["hits_new"] == 1
        rows = hits(cli, cfg)
        assert len(rows) == 2
        (first,) = [r for r in rows if r["folded_into"] is None]
        (copy,) = [r for r in rows if r["folded_into"] is not None]
        assert first["story_size"] == 2 and first["kind"] == "article"
        assert first["matched_terms"] == ["ceasefire", "cairo"]
        assert copy["deliveries"] == [] and copy["folded_into"]["alert_id"] == first["id"]
        table = cli("alerts", "hits", "--wide", *c).stdout
        assert f"folded into {first['title']}" in table

        assert cli.json("run", "--once", *c)["hits_new"] == 0  # the same feed again

        n = 1 if first["title"] == "Ceasefire talks resume in Cairo" else 2  # the alerted one
        feed["body"] = rss(
            item(n, "Ceasefire talks collapse in Cairo"), item(3 - n, "Talks resume")
        )
        assert cli.json("run", "--once", *c)["hits_new"] == 1
        updates = [r for r in hits(cli, cfg) if r["kind"] == "update"]
        assert [u["article_id"] for u in updates] == [first["article_id"]]
        assert [d["channel"] for d in updates[0]["deliveries"]] == ["webhook"]  # it is sent
        assert cli.json("run", "--once", *c)["hits_new"] == 0


def test_backfill_records_what_a_new_alert_would_have_matched_once(
    cli: Cli, tmp_path: Path
) -> None:
    feed = rss(item(1, "Ceasefire talks resume in Cairo"), item(2, "Ceasefire talks resume"))
    with TestServer() as server:
        server.route("/feed.xml", lambda _r: Reply(body=feed))
        cfg = tmp_path / "wirewatch.yaml"
        cfg.write_text(f"fetch:\n  allow_private: ['{server.allow_entry}']\n")
        c = ("--config", str(cfg))
        cli("feeds", "add", server.url("/feed.xml"), *c)
        cli("run", "--once", "--quiet", *c)
    cli("alerts", "add", "talks", "ceasefire", *c)
    since = ("--since", "2000-01-01")
    done = cli.json("alerts", "backfill", "talks", *since, *c)
    assert done == {
        "alert": "talks",
        "since": "2000-01-01T00:00:00Z",
        "matched": 2,
        "new_hits": 1,
        "folded": 1,
        "already": 0,
        "capped": False,
    }
    again = cli.json("alerts", "backfill", "talks", *since, *c)
    assert (again["new_hits"], again["folded"], again["already"]) == (0, 0, 2)
    assert len(hits(cli, cfg)) == 2
    assert "0 new hits, 0 folded" in cli("alerts", "backfill", "talks", *since, *c).stdout

    cli("alerts", "pause", "talks", *c)
    paused = cli("alerts", "backfill", "talks", *c, ok=False)
    assert paused.returncode == 2 and "paused" in paused.stderr and "resume" in paused.stderr
    unknown = cli("alerts", "backfill", "nope", *c, ok=False)
    assert unknown.returncode == 2 and "no alert named 'nope'" in unknown.stderr
