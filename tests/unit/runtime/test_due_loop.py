"""The due-feed loop both runtimes share: only pollable feeds, and it stops when told."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from wirewatch.core.clock import ManualClock
from wirewatch.core.models import Feed, FeedState, FeedStatus
from wirewatch.core.records import FeedRow
from wirewatch.runtime.due import poll_due_feeds

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def row(fid: str, *, enabled: bool = True, status: FeedStatus = FeedStatus.OK) -> FeedRow:
    feed = Feed(id=fid, url=f"https://ex.com/{fid}", enabled=enabled, added_at=NOW)
    return FeedRow(feed, FeedState(feed_id=fid, last_status=status))


class Registry:
    """Due feeds once, then none; asking for the next due time stops the loop."""

    def __init__(self, rows: list[FeedRow], stop: asyncio.Event) -> None:
        self.rows, self.stop = rows, stop

    def due(self, now: datetime) -> list[FeedRow]:
        rows, self.rows = self.rows, []
        return rows

    def next_due_at(self, now: datetime) -> datetime | None:
        self.stop.set()
        return None


async def test_polls_the_due_pollable_feeds_then_waits_until_stopped() -> None:
    stop = asyncio.Event()
    rows = [row("f1"), row("gone", status=FeedStatus.GONE), row("off", enabled=False)]
    polled: list[list[str]] = []

    async def poll(due: list[FeedRow]) -> None:
        polled.append([r.feed.id for r in due])

    registry = Registry(rows, stop)
    await asyncio.wait_for(
        poll_due_feeds(registry, ManualClock(NOW), stop, poll),  # type: ignore[arg-type]
        timeout=5,
    )
    assert polled == [["f1"]]
