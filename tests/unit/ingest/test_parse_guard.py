"""Parsing under the safety limits: a feed over the CPU deadline or memory cap fails alone."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.parse_guard import GuardedParser, ParseLimitExceeded
from wirewatch.core.models import Feed

REPO = Path(__file__).resolve().parents[3]
BIG = (REPO / "examples" / "recorded" / "dw-english.rdf").read_bytes()
FEED = Feed(id="f", url="https://news.example/feed", added_at=datetime(2026, 1, 1, tzinfo=UTC))
NOW = datetime(2026, 11, 25, tzinfo=UTC)


async def test_within_limits_parses_in_a_worker() -> None:
    parser = GuardedParser(memory_mb=64, deadline=5.0, workers=1)
    try:
        parsed = await parser(BIG, feed=FEED, fetched_at=NOW)
    finally:
        await parser.aclose()
    assert len(parsed.articles) > 100


@pytest.mark.parametrize(
    ("memory_mb", "deadline", "reason"), [(64, 0.001, "CPU"), (1, 5.0, "memory")]
)
async def test_over_a_limit_is_refused_with_the_reason(
    memory_mb: int, deadline: float, reason: str
) -> None:
    parser = GuardedParser(memory_mb=memory_mb, deadline=deadline, workers=1)
    try:
        with pytest.raises(ParseLimitExceeded, match=reason):
            await parser(BIG * 20, feed=FEED, fetched_at=NOW)
        # the parser stays usable for the next feed
        small = b"<rss version='2.0'><channel><item><title>ok</title></item></channel></rss>"
        if memory_mb > 1:
            assert (await parser(small, feed=FEED, fetched_at=NOW)).articles
    finally:
        await parser.aclose()
