"""The lxml fast path gives exactly feedparser's articles wherever it takes a feed.

Every file in `feeds/fastfeedparser/` (and, in one sweep, every other feed file of the
corpora) is parsed twice — fast path allowed and feedparser only — and, where the fast
path accepted the feed, the two results must be equal in every field: the feed's title,
site, language, TTL, skip hours/days, format and bozo reason, and every article field.
The fast path must also take nearly all of the 150 real feeds, or it buys no speed.
"""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.parse import ParsedFeed, parse_feed
from tests.conftest import CORPORA
from tests.corpus.test_every_feed_file import SKIP_SUFFIXES
from wirewatch.core.models import Feed

FEEDS = CORPORA / "feeds"
FASTFEEDPARSER = FEEDS / "fastfeedparser"
BENCHMARK = FASTFEEDPARSER / "benchmark_data"
NOW = datetime(2026, 11, 25, tzinfo=UTC)


def feed_files(root: Path) -> list[Path]:
    if not root.is_dir():
        return []
    return sorted(
        p
        for p in root.rglob("*")
        if p.is_file() and p.suffix.lower() not in SKIP_SUFFIXES and ".git" not in p.parts
    )


def everything(parsed: ParsedFeed) -> dict[str, Any]:
    out = asdict(parsed)
    out.pop("parser")
    out["articles"] = [a.model_dump() for a in parsed.articles]
    return out


def both_paths(body: bytes, feed: Feed, content_type: str | None) -> tuple[ParsedFeed, ParsedFeed]:
    kwargs: dict[str, Any] = {"feed": feed, "fetched_at": NOW, "content_type": content_type}
    return parse_feed(body, **kwargs), parse_feed(body, fast_path=False, **kwargs)


# Served over HTTP (the feed URL is the base for relative links), then as a local file
# with an RSS content type (no base: xml:base handling differs in feedparser).
VARIANTS = (("https://feeds.example/", None), ("file:///feeds/", "application/rss+xml"))


@pytest.mark.parametrize(
    "path",
    feed_files(FASTFEEDPARSER) or [Path("(corpus missing)")],
    ids=lambda p: str(p.relative_to(FASTFEEDPARSER)) if p.is_absolute() else str(p),
)
def test_fast_path_gives_feedparsers_articles(corpora: Path, path: Path) -> None:
    body = path.read_bytes()
    for url, content_type in VARIANTS:
        feed = Feed(id="f-" + path.name, url=url + path.name, added_at=NOW)
        fast, slow = both_paths(body, feed, content_type)
        assert slow.parser in ("feedparser", "json")
        if fast.parser == "lxml":
            assert everything(fast) == everything(slow), (url, content_type)


def test_fast_path_takes_nearly_all_real_feeds(corpora: Path) -> None:
    names = [p for p in feed_files(BENCHMARK) if "." not in p.name]
    feed = Feed(id="f", url="https://feeds.example/feed", added_at=NOW)
    fast = [
        p.name
        for p in names
        if parse_feed(p.read_bytes(), feed=feed, fetched_at=NOW).parser == "lxml"
    ]
    assert len(names) == 150
    assert len(fast) >= 140, sorted({p.name for p in names} - set(fast))


def test_fast_path_agrees_with_feedparser_on_every_corpus_feed(corpora: Path) -> None:
    """feedparser's own conformance suite, gofeed, feed-rs, feedsmith, … — about 1,250 of
    their files are well-formed RSS 2.0, Atom 1.0 or RDF that the fast path takes."""
    taken, differ = 0, []
    for path in feed_files(FEEDS):
        if FASTFEEDPARSER in path.parents:
            continue
        feed = Feed(id="f", url="https://feeds.example/" + path.name, added_at=NOW)
        fast, slow = both_paths(path.read_bytes(), feed, None)
        if fast.parser == "lxml":
            taken += 1
            if everything(fast) != everything(slow):
                differ.append(str(path.relative_to(FEEDS)))
    assert differ == []
    assert taken >= 1200
