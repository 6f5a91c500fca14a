"""`wirewatch run --once` over the recorded feeds, as a new user runs it."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import feedparser
import pytest
import yaml

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e


def recorded_feed_files() -> list[Path]:
    config = yaml.safe_load(EXAMPLE_CONFIG.read_text())
    return [(EXAMPLE_CONFIG.parent / f["url"]).resolve() for f in config["feeds"]]


def distinct_items_by_feedparser() -> set[str]:
    """An independent oracle: feedparser's own items, keyed by link without fragment/query noise."""
    keys: set[str] = set()
    for path in recorded_feed_files():
        parsed = feedparser.parse(path.read_bytes())
        for e in parsed.entries:
            link = e.get("link") or e.get("id")
            assert link, f"{path.name}: an item without link or guid; adjust the oracle"
            p = urlsplit(link)
            query = "&".join(
                q
                for q in p.query.split("&")
                if q and not q.lower().startswith(("utm_", "fbclid", "gclid"))
            )
            keys.add(urlunsplit((p.scheme.lower(), p.netloc.lower(), p.path, query, "")))
    return keys


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Cli, dict[str, object]]:
    home = tmp_path_factory.mktemp("user")
    cli = Cli(home, home / "data")
    summary = cli.json("run", "--once", "--config", str(EXAMPLE_CONFIG))
    return cli, summary


def test_every_distinct_item_is_stored(first_run: tuple[Cli, dict[str, object]]) -> None:
    cli, summary = first_run
    expected = distinct_items_by_feedparser()
    assert summary["feeds_failed"] == []
    assert summary["feeds_polled"] == len(recorded_feed_files())
    stored = cli.scalar("SELECT COUNT(*) FROM articles")
    assert stored == len(expected) == summary["articles_stored"]
    assert cli.scalar("SELECT COUNT(*) FROM outbox") == 0


def test_search_finds_articles_by_word_and_by_entity(
    first_run: tuple[Cli, dict[str, object]],
) -> None:
    cli, _ = first_run
    title = cli.scalar("SELECT title FROM articles ORDER BY published_at DESC LIMIT 1")
    word = max(title.split(), key=len).strip(".,:;'\"‘’“”?!()")
    found = cli.json("search", word, "--config", str(EXAMPLE_CONFIG), "--limit", "500")
    assert title in [r["title"] for r in found]

    name = cli.scalar(
        "SELECT name FROM article_entities WHERE type='GPE' "
        "GROUP BY name ORDER BY COUNT(*) DESC LIMIT 1"
    )
    found = cli.json("search", f'place:"{name}"', "--config", str(EXAMPLE_CONFIG), "--limit", "500")
    assert found, f"no article found by place:{name}"
    for r in found:
        assert any(
            name.lower() in e["name"].lower()
            or any(name.lower() in a.lower() for a in e["aliases"])
            for e in r["entities"]
            if e["type"] in {"GPE", "LOC", "FAC"}
        ), r["title"]
        assert r["story_id"]
    # search shows each article's topic tags as stored, and news about a place has some
    stored: dict[str, set[str]] = {r["id"]: set() for r in found}
    con = cli.db()
    for article_id, topic_id in con.execute("SELECT article_id, topic_id FROM article_topics"):
        stored.get(article_id, set()).add(topic_id)
    con.close()
    assert {r["id"]: {t["id"] for t in r["topics"]} for r in found} == stored
    assert any(stored.values()), "no article about a place got a topic tag"


def test_example_alert_fires_and_a_second_run_adds_nothing(
    first_run: tuple[Cli, dict[str, object]],
) -> None:
    cli, summary = first_run
    hits = cli.json("alerts", "hits", "--config", str(EXAMPLE_CONFIG), "--limit", "1000")
    assert hits and summary["hits_new"] == len(hits)
    rule = yaml.safe_load(EXAMPLE_CONFIG.read_text())["alerts"][0]["name"]
    assert {h["rule_name"] for h in hits} == {rule}
    articles = cli.scalar("SELECT COUNT(*) FROM articles")

    again = cli.json("run", "--once", "--config", str(EXAMPLE_CONFIG))
    assert again["articles_new"] == 0 and again["articles_stored"] == 0
    assert again["hits_new"] == 0
    assert cli.scalar("SELECT COUNT(*) FROM articles") == articles
    assert len(
        cli.json("alerts", "hits", "--config", str(EXAMPLE_CONFIG), "--limit", "1000")
    ) == len(hits)


def test_status_and_feeds_list_reflect_the_run(first_run: tuple[Cli, dict[str, object]]) -> None:
    cli, _ = first_run
    status = cli.json("status", "--config", str(EXAMPLE_CONFIG))
    assert status["articles"]["stored"] == cli.scalar("SELECT COUNT(*) FROM articles")
    assert status["articles"]["waiting_for_enrichment"] == 0
    assert status["feeds"] == {"total": len(recorded_feed_files()), "failing": 0}
    assert status["runtime"]["running"] is False
    feeds = cli.json("feeds", "list", "--config", str(EXAMPLE_CONFIG))
    assert {f["state"]["last_status"] for f in feeds} <= {"ok", "not_modified"}
    assert all(f["state"]["last_success_at"] for f in feeds)


def test_stories_lists_the_largest_story_with_its_sources(
    first_run: tuple[Cli, dict[str, object]],
) -> None:
    cli, _ = first_run
    stories = cli.json("stories", "--since", "3650d", "--config", str(EXAMPLE_CONFIG))
    assert stories
    sizes = [s["size"] for s in stories]
    assert sizes == sorted(sizes, reverse=True)
    top = stories[0]
    assert len(top["article_ids"]) == top["size"] and top["sources"]


STORY_TEXT = (
    "Negotiators from both delegations met in Geneva on Tuesday for a third day of talks on "
    "the exchange of prisoners, officials said, adding that a draft agreement covering "
    "medical evacuations and the reopening of two border crossings had been circulated to "
    "ministers. The talks are expected to resume next week after consultations in both "
    "capitals, according to a statement released by the mediators late in the evening."
)


def _rss(items: list[tuple[str, str, str]]) -> str:
    body = "".join(
        f"<item><title>{t}</title><link>{link}</link><description>{d}</description>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>"
        for t, link, d in items
    )
    channel = f"<channel><title>T</title>{body}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def test_story_ids_survive_a_restart(tmp_path: Path) -> None:
    """A syndicated copy that arrives in a later run joins the story of an article that
    the earlier run enriched: story state is persisted and restored."""
    feed = tmp_path / "feed.xml"
    config = tmp_path / "wirewatch.yaml"
    config.write_text(
        yaml.safe_dump(
            {
                "data_dir": "data",
                "allow_local_files": True,
                "feeds": [{"url": feed.as_uri()}],
                "enrich": {"story_window_hours": 24 * 365 * 100},
            }
        )
    )
    original = ("Prisoner exchange talks resume in Geneva", "https://a.example/1", STORY_TEXT)
    feed.write_text(_rss([original]))
    cli = Cli(tmp_path, tmp_path / "data")
    cli("run", "--once", "--quiet", "--config", str(config))
    copy = (
        "Geneva talks on prisoner swap enter third day",
        "https://b.example/wire/77?utm_source=feed",
        "Advertisement. Sign up for our morning briefing. " + STORY_TEXT,
    )
    feed.write_text(_rss([original, copy]))
    summary = cli.json("run", "--once", "--config", str(config))
    assert summary["articles_new"] == 1
    rows = cli.db().execute("SELECT url, story_id FROM articles ORDER BY url").fetchall()
    assert [r[0] for r in rows] == ["https://a.example/1", "https://b.example/wire/77"]
    assert rows[0][1] == rows[1][1], "the copy did not join the story restored from disk"
