"""Limits on what a feed can make large: items per fetch, and every field of an item."""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime

import pytest

from ingest.parse import parse_feed
from ingest.parse_guard import GuardedParser
from tests.support.big_feeds import atom, json_feed, numbers, rss
from wirewatch.core.models import Feed
from wirewatch.core.settings import LimitsSettings, ParseSettings

FEED = Feed(id="f", url="https://news.example/feed", added_at=datetime(2026, 1, 1, tzinfo=UTC))
NOW = datetime(2026, 11, 25, tzinfo=UTC)
N = 20_000
KEEP = LimitsSettings().items_per_feed


@pytest.fixture(scope="module")
def guarded() -> Iterator[GuardedParser]:
    """The product's parser with the default limits: 1 s of CPU, 64 MB, newest 1,000 kept."""
    defaults = ParseSettings()
    parser = GuardedParser(memory_mb=defaults.memory_mb, deadline=defaults.deadline, workers=1)
    yield parser
    parser.close()


def _shuffled(n: int) -> list[int]:
    order = list(range(n))
    random.Random(14).shuffle(order)
    return order


@pytest.mark.parametrize(
    ("make", "order"),
    [
        (rss, range(N)),  # oldest first
        (atom, range(N - 1, -1, -1)),  # newest first
        (rss, _shuffled(N)),
        (json_feed, _shuffled(N)),
    ],
    ids=["rss-oldest-first", "atom-newest-first", "rss-shuffled", "json-shuffled"],
)
async def test_a_20000_item_feed_is_accepted_with_its_newest_items(
    guarded: GuardedParser, make: Callable[[Iterable[int]], bytes], order: Iterable[int]
) -> None:
    parsed = await guarded(make(order), feed=FEED, fetched_at=NOW)
    assert numbers(a.title for a in parsed.articles) == set(range(N - KEEP, N))
    assert parsed.items_dropped == N - KEEP


def test_undated_items_are_kept_in_document_order() -> None:
    parsed = parse_feed(
        rss(range(30), dated=False),
        feed=FEED,
        fetched_at=NOW,
        limits=LimitsSettings(items_per_feed=10),
    )
    assert [a.title for a in parsed.articles] == [f"Item {i}" for i in range(10)]
    assert parsed.items_dropped == 20


def test_a_malformed_feed_read_by_feedparser_is_cut_to_its_newest_items_too() -> None:
    body = rss(range(30)).replace(b"<title>Big</title>", b"<title>Big & bold</title>")
    parsed = parse_feed(body, feed=FEED, fetched_at=NOW, limits=LimitsSettings(items_per_feed=10))
    assert parsed.parser == "feedparser" and parsed.bozo_reason
    assert numbers(a.title for a in parsed.articles) == set(range(20, 30))
    assert parsed.items_dropped == 20


def _item(*, title: str = "T", link: str = "https://news.example/a/1", extra: str = "") -> bytes:
    return (
        "<rss version='2.0' xmlns:content='http://purl.org/rss/1.0/modules/content/'><channel>"
        f"<title>Feed</title><item><title>{title}</title><link>{link}</link>"
        f"<guid isPermaLink='false'>guid-1</guid>{extra}</item></channel></rss>"
    ).encode()


def _words(n: int) -> str:
    return ("breaking news " * (n // 14 + 1))[:n]


def test_long_fields_are_cut_at_a_word_and_listed_on_the_article() -> None:
    limits = LimitsSettings()
    body = _item(
        title=_words(5_000),
        extra=(
            f"<description>{_words(30_000)}</description>"
            f"<content:encoded>{_words(300_000)}</content:encoded>"
            f"<author>{_words(2_000)}</author>"
            + "".join(f"<category>c{i}</category>" for i in range(150))
        ),
    )
    [a] = parse_feed(body, feed=FEED, fetched_at=NOW).articles
    assert sorted(a.truncated) == ["authors", "categories", "summary", "text", "title"]
    for value, limit in (
        (a.title, limits.title_chars),
        (a.summary, limits.summary_chars),
        (a.text, limits.text_chars),
        (a.authors[0], limits.name_chars),
    ):
        assert len(value) <= limit and value.endswith(("breaking…", "news…"))
    assert len(a.categories) == limits.values_per_list


def test_a_summary_that_is_the_only_body_keeps_the_text_limit() -> None:
    summary = _words(50_000)
    [a] = parse_feed(
        _item(extra=f"<description>{summary}</description>"), feed=FEED, fetched_at=NOW
    ).articles
    assert a.summary == summary.strip() and a.truncated == []


def test_fields_within_the_limits_are_untouched() -> None:
    [a] = parse_feed(
        _item(title="Talks resume", extra="<description>Short.</description>"),
        feed=FEED,
        fetched_at=NOW,
    ).articles
    assert (a.title, a.summary, a.truncated) == ("Talks resume", "Short.", [])


def test_a_link_over_the_url_limit_is_dropped_and_the_guid_identifies_the_item() -> None:
    long_link = "https://news.example/a?q=" + "x" * 9_000
    [a] = parse_feed(_item(link=long_link), feed=FEED, fetched_at=NOW).articles
    [same] = parse_feed(_item(link=long_link + "y"), feed=FEED, fetched_at=NOW).articles
    assert a.url is None and a.truncated == ["url"]
    assert a.guid == "guid-1" and a.id == same.id


def test_enclosures_over_the_url_limit_are_dropped() -> None:
    extra = (
        "<enclosure url='https://cdn.example/ok.mp3' type='audio/mpeg'/>"
        f"<enclosure url='https://cdn.example/{'x' * 9_000}.mp3' type='audio/mpeg'/>"
    )
    [a] = parse_feed(_item(extra=extra), feed=FEED, fetched_at=NOW).articles
    assert [e.url for e in a.enclosures] == ["https://cdn.example/ok.mp3"]
    assert a.truncated == ["enclosures"]


def test_a_huge_feed_title_is_cut_before_it_names_every_article() -> None:
    body = _item().replace(b"<title>Feed</title>", f"<title>{_words(5_000)}</title>".encode())
    parsed = parse_feed(body, feed=FEED, fetched_at=NOW)
    assert parsed.title is not None and len(parsed.title) <= LimitsSettings().title_chars
    assert parsed.articles[0].source == parsed.title


def test_a_cut_feed_keeps_its_own_encoding_and_feed_level_fields() -> None:
    """The cut document is written back in its declared encoding, which the HTTP
    Content-Type also names (and which wins in feedparser's reading)."""
    body = (
        rss(range(30))
        .decode()
        .replace("encoding='utf-8'", "encoding='koi8-r'")
        .replace("<title>Item", "<title>Новости item")
        .replace("<title>Big</title>", "<title>Большая</title><ttl>30</ttl>")
        .encode("koi8-r")
    )
    parsed = parse_feed(
        body,
        feed=FEED,
        fetched_at=NOW,
        content_type="application/rss+xml; charset=koi8-r",
        limits=LimitsSettings(items_per_feed=10),
    )
    assert parsed.parser == "lxml" and parsed.items_dropped == 20
    assert (parsed.title, parsed.ttl_minutes) == ("Большая", 30)
    assert [a.title for a in parsed.articles] == [f"Новости item {i}" for i in range(20, 30)]
