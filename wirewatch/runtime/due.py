"""The due-feed loop both runtimes run: poll what is due, then sleep until the next is.

The embedded runtime and `wirewatch poll` differ only in which due feeds are theirs
(a poller keeps its shard) and in what polling a feed means (the outbox or Kafka),
so both are parameters and the waiting is written once.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence

from wirewatch.core.clock import Clock
from wirewatch.core.models import FeedStatus
from wirewatch.core.ports import FeedRegistry
from wirewatch.core.records import FeedRow
from wirewatch.runtime.aio import wait_event

# Sleep at most this long: a feed added by `wirewatch feeds add` meanwhile is seen as soon.
MAX_IDLE_SECONDS = 60.0
# And at least this long, so a feed due again at once cannot spin the loop.
MIN_WAIT_SECONDS = 0.5


def pollable(rows: Sequence[FeedRow]) -> list[FeedRow]:
    """Enabled feeds that are not gone (a 410 stays unpolled until re-added)."""
    return [r for r in rows if r.feed.enabled and r.state.last_status is not FeedStatus.GONE]


async def poll_due_feeds(
    feeds: FeedRegistry,
    clock: Clock,
    stop: asyncio.Event,
    poll: Callable[[list[FeedRow]], Awaitable[None]],
    *,
    select: Callable[[Sequence[FeedRow]], list[FeedRow]] = pollable,
) -> None:
    """Until `stop` is set: poll the due feeds `select` keeps, or wait for the next one."""
    while not stop.is_set():
        now = clock.now()
        due = select(feeds.due(now))
        if due:
            await poll(due)
            continue
        nxt = feeds.next_due_at(now)
        wait = MAX_IDLE_SECONDS if nxt is None else (nxt - now).total_seconds()
        await wait_event(stop, min(max(MIN_WAIT_SECONDS, wait), MAX_IDLE_SECONDS))
