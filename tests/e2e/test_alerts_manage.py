"""Managing alerts as a user does: pause, resume, and preview a query before saving it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e

CONFIG = ("--config", str(EXAMPLE_CONFIG))
RULE = "iran-tensions"  # the example config's alert
MINE = "gaza"


def states(cli: Cli) -> dict[str, bool]:
    return {r["name"]: r["enabled"] for r in cli.json("alerts", "list", *CONFIG)}


def test_a_paused_alert_records_no_hits_until_resumed(cli: Cli) -> None:
    cli("alerts", "add", MINE, "gaza OR israel", *CONFIG)
    cli("alerts", "pause", MINE, *CONFIG)
    cli("alerts", "pause", RULE, *CONFIG)
    assert "paused" in cli("alerts", "list", *CONFIG).stdout

    # the config's own rule is read again by the run and must stay paused
    summary = cli.json("run", "--once", *CONFIG)
    assert summary["articles_stored"] > 0 and summary["hits_new"] == 0
    assert cli.json("alerts", "hits", *CONFIG) == []
    would = cli.json("alerts", "test", "gaza OR israel", "--since", "2000-01-01", *CONFIG)
    assert would["matched"] > 0, "the paused rule would have fired: the check means something"
    assert states(cli) == {MINE: False, RULE: False}

    cli("alerts", "resume", MINE, *CONFIG)
    assert states(cli) == {MINE: True, RULE: False}
    # hits are recorded for new articles: the ones already stored were missed while paused
    assert cli.json("run", "--once", *CONFIG)["hits_new"] == 0

    missing = cli("alerts", "pause", "nope", *CONFIG, ok=False)
    assert missing.returncode == 2 and "no alert named 'nope'" in missing.stderr


def test_alerts_test_counts_what_search_finds(cli: Cli) -> None:
    cli("run", "--once", "--quiet", *CONFIG)
    since = ("--since", "2000-01-01")
    for query in ("iran", 'iran AND (place:israel OR place:"united states")', "zzzunheardof"):
        preview = cli.json("alerts", "test", query, *since, *CONFIG)
        found = cli.json("search", query, *since, "--limit", "1000", *CONFIG)
        assert preview["matched"] == len(found) == sum(d["articles"] for d in preview["per_day"])
        assert not preview["capped"]
        assert [s["id"] for s in preview["samples"]] == [r["id"] for r in found[:5]]
        per_day: dict[str, int] = {}
        for r in found:
            per_day[r["published_at"][:10]] = per_day.get(r["published_at"][:10], 0) + 1
        assert {d["day"]: d["articles"] for d in preview["per_day"]} == per_day
    assert cli.json("alerts", "test", "iran", *since, *CONFIG)["matched"] > 0
    # a preview saves nothing
    assert [r["name"] for r in cli.json("alerts", "list", *CONFIG)] == ["iran-tensions"]

    text = cli("alerts", "test", "iran", *since, *CONFIG).stdout
    assert "articles since 2000-01-01" in text

    bad = cli("alerts", "test", "gaza AND (rafah", *CONFIG, ok=False)
    assert bad.returncode == 2 and "column" in bad.stderr
    neg = cli("alerts", "test", "NOT iraq", *CONFIG, ok=False)
    assert neg.returncode == 2 and "column 1" in neg.stderr
