"""The shipped demo data: the example OPML and the recorded feeds a new user runs offline."""

from __future__ import annotations

import re
from pathlib import Path

import feedparser
import pytest

from ingest.opml import parse_opml

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
RECORDED = EXAMPLES / "recorded"
FEED_FILES = sorted(p for p in RECORDED.iterdir() if p.suffix in {".xml", ".rdf"})


def test_example_opml_lists_real_news_feeds_by_category() -> None:
    feeds = parse_opml((EXAMPLES / "feeds.opml").read_bytes(), source_name="feeds.opml")
    assert len(feeds) >= 20
    assert all(f.url.startswith(("https://", "http://")) and f.title for f in feeds)
    assert {f.categories for f in feeds} == {("World",), ("Science and technology",), ("Regional",)}
    hosts = {re.sub(r"^https?://([^/]+)/.*", r"\1", f.url) for f in feeds}
    assert {"feeds.bbci.co.uk", "rss.nytimes.com", "feeds.npr.org", "rss.dw.com"} <= hosts


def test_recorded_feeds_are_attributed_and_small() -> None:
    readme = (RECORDED / "README.md").read_text(encoding="utf-8")
    assert len(FEED_FILES) >= 4
    for p in FEED_FILES:
        assert f"`{p.name}`" in readme, f"{p.name} is not attributed in README.md"
    assert "copyright" in readme.lower()
    assert sum(p.stat().st_size for p in FEED_FILES) < 600_000


@pytest.mark.parametrize("path", FEED_FILES, ids=lambda p: p.name)
def test_recorded_feed_has_articles_on_the_shared_stories(path: Path) -> None:
    """Every recorded feed parses, has summaries, and mentions the week's common topics,
    which is what makes the example alerts fire across publishers."""
    parsed = feedparser.parse(path.read_bytes())
    assert not parsed.bozo, parsed.get("bozo_exception")
    assert len(parsed.entries) >= 10
    assert all(e.get("title") and e.get("summary") for e in parsed.entries)
    text = " ".join(e.title + " " + e.summary for e in parsed.entries)
    for word in ("Iran", "Trump", "Ukraine"):
        assert re.search(rf"\b{word}\b", text), f"{word} not in {path.name}"
