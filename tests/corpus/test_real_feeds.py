"""The 150 real feeds of the fastfeedparser benchmark: we store exactly feedparser's distinct
items (repeats inside a feed once; items without link or guid per the id contract), plus the
items of the JSON Feed feedparser cannot read, with titles, links and dates intact."""

from __future__ import annotations

import calendar
import json
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser
import pytest

from ingest.normalise import canonical_url, entry_links, html_to_text
from ingest.parse import parse_feed
from tests.conftest import CORPORA
from wirewatch.core.models import Feed
from wirewatch.core.settings import LimitsSettings

DATA = CORPORA / "feeds" / "fastfeedparser" / "benchmark_data"
NOW = datetime(2026, 11, 25, tzinfo=UTC)
# Every item, as feedparser reads them all: one real feed has 1,046 items, over the
# default limits.items_per_feed (the limit itself is tested in tests/unit/ingest/test_limits.py).
ALL_ITEMS = LimitsSettings(items_per_feed=100_000)


def feed_files() -> list[str]:
    return sorted(p.name for p in DATA.iterdir() if "." not in p.name) if DATA.is_dir() else []


def oracle(d: feedparser.FeedParserDict) -> tuple[set[str], set[str]]:
    """feedparser's distinct items under the DESIGN id contract, and their links.

    Link (its fragment kept where it tells entries apart), unless one link is shared by
    items with different guids (then the guid); the guid without a link; title + date
    string + content without either.
    """
    linked = [(canonical_url(e.get("link"), keep_fragment=True), e.get("id")) for e in d.entries]
    entries = [
        (link, e.get("id"), e) for link, e in zip(entry_links(linked), d.entries, strict=True)
    ]
    guids_per_link: dict[str, set[str | None]] = {}
    for link, guid, _ in entries:
        if link:
            guids_per_link.setdefault(link, set()).add(guid)
    keys, links = set(), set()
    for link, guid, e in entries:
        if link and (len(guids_per_link[link]) == 1 or not guid):
            keys.add("url:" + link)
        elif guid:
            keys.add("guid:" + guid)
        else:
            date = e.get("published") or dict.get(e, "updated") or ""
            content = [c.get("value") for c in e.get("content", [])]
            keys.add(f"item:{e.get('title')}|{date}|{e.get('summary')}|{content}")
        if link:
            links.add(link)
    return keys, links


def plausible(parsed: time.struct_time | None) -> bool:
    """feedparser read a date that is no zero time (Go's year 1, Unix's 1970-01-01)."""
    return parsed is not None and calendar.timegm(parsed) >= 86_400


@pytest.mark.parametrize("name", feed_files() or ["(corpus missing)"])
def test_items_equal_feedparsers_distinct_items(corpora: Path, name: str) -> None:
    body = (DATA / name).read_bytes()
    feed = Feed(id="f-" + name, url="https://feeds.example/" + name, added_at=NOW)
    ours = parse_feed(body, feed=feed, fetched_at=NOW, limits=ALL_ITEMS)
    d = feedparser.parse(body, response_headers={"content-location": feed.url})
    if not d.entries and body.lstrip()[:1] == b"{":
        doc = json.loads(body)
        items = doc["items"]
        assert len(ours.articles) == len(items) == 10
        for item, art in zip(items, ours.articles, strict=True):
            assert art.title == html_to_text(item.get("title", ""))
            assert art.url == canonical_url(item.get("url"))
            assert not art.published_is_fetch_time
        return
    keys, links = oracle(d)
    assert len(ours.articles) == len(keys)
    assert {a.canonical_url for a in ours.articles if a.canonical_url} == links
    fp_titles = {html_to_text(e.get("title", "")) for e in d.entries}
    assert {a.title for a in ours.articles} <= fp_titles | {""}
    dated = sum(
        1 for e in d.entries if plausible(e.get("published_parsed") or e.get("updated_parsed"))
    )
    assert sum(not a.published_is_fetch_time for a in ours.articles) >= min(dated, len(keys))
