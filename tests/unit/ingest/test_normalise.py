"""Normalising what feeds give: implausible dates are no date, and a link's fragment is kept
exactly where it is what tells a feed's entries apart — the same on both parser paths."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.normalise import canonical_url, entry_links, parse_date
from ingest.parse import parse_feed
from wirewatch.core.models import Feed

NOW = datetime(2026, 11, 25, tzinfo=UTC)
FEED = Feed(id="f", url="https://news.example/feed.xml", added_at=NOW)
PATHS = pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "feedparser"])


def rss(items: str) -> bytes:
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>'
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


@pytest.mark.parametrize(
    "zero",
    [
        "Mon, 01 Jan 0001 00:00:00 +0000",  # Go's zero time
        "0001-01-01T00:00:00Z",
        "Thu, 01 Jan 1970 00:00:00 +0000",  # Unix's
        "1970-01-01T00:00:00-05:00",
        "Sat, 31 Dec 1966 12:00:00 GMT",
    ],
)
def test_zero_and_pre_1970_times_are_no_date(zero: str) -> None:
    assert parse_date(zero) is None


def test_a_real_date_still_reads() -> None:
    assert parse_date("Fri, 02 Jan 1970 00:00:00 +0000") == datetime(1970, 1, 2, tzinfo=UTC)
    assert parse_date("Tue, 24 Nov 2026 10:00:00 GMT") == datetime(2026, 11, 24, 10, tzinfo=UTC)


@PATHS
def test_an_item_dated_with_gos_zero_time_gets_the_fetch_time_flagged(fast_path: bool) -> None:
    parsed = parse_feed(
        rss(
            "<item><title>A</title><link>https://news.example/a</link>"
            "<pubDate>Mon, 01 Jan 0001 00:00:00 +0000</pubDate></item>"
        ),
        feed=FEED,
        fetched_at=NOW,
        fast_path=fast_path,
    )
    (a,) = parsed.articles
    assert a.published_is_fetch_time and a.published_at == NOW


def test_a_zero_date_in_a_json_feed_is_no_date_either() -> None:
    body = (
        b'{"version": "https://jsonfeed.org/version/1.1", "items": [{"id": "1", '
        b'"url": "https://news.example/1", "date_published": "0001-01-01T00:00:00Z"}]}'
    )
    (a,) = parse_feed(body, feed=FEED, fetched_at=NOW).articles
    assert a.published_is_fetch_time


def test_canonical_url_drops_the_fragment_unless_asked() -> None:
    url = "HTTPS://News.Example:443/now.html?utm_source=x#2026-01-02"
    assert canonical_url(url) == "https://news.example/now.html"
    assert canonical_url(url, keep_fragment=True) == "https://news.example/now.html#2026-01-02"


@PATHS
def test_entries_on_one_page_keep_their_fragments(fast_path: bool) -> None:
    """The shape of a real feed: 30 entries, all `now.html#<entry>`, no guid."""
    items = "".join(
        f"<item><title>Entry {i}</title><link>https://news.example/now.html#e{i}</link></item>"
        for i in range(30)
    )
    parsed = parse_feed(rss(items), feed=FEED, fetched_at=NOW, fast_path=fast_path)
    urls = [a.canonical_url for a in parsed.articles]
    assert urls == [f"https://news.example/now.html#e{i}" for i in range(30)]
    assert len({a.id for a in parsed.articles}) == 30


@PATHS
def test_a_fragment_that_only_points_into_the_page_is_dropped(fast_path: bool) -> None:
    parsed = parse_feed(
        rss(
            "<item><title>A</title><link>https://news.example/a#comments</link>"
            "<guid>https://news.example/?p=1</guid></item>"
            "<item><title>B</title><link>https://news.example/b#more-2</link></item>"
        ),
        feed=FEED,
        fetched_at=NOW,
        fast_path=fast_path,
    )
    assert [a.url for a in parsed.articles] == ["https://news.example/a", "https://news.example/b"]


def test_a_fragment_the_guid_carries_is_kept() -> None:
    one = [("https://news.example/now.html#e7", "tag:news.example,2026:now#e7")]
    assert entry_links(one) == ["https://news.example/now.html#e7"]


def test_entry_links_leaves_links_without_fragment_alone() -> None:
    links = [("https://news.example/a", None), (None, "g"), ("https://news.example/a", "x")]
    assert entry_links(links) == ["https://news.example/a", None, "https://news.example/a"]
