"""Retention: the embedded runtime forgets old dedup ids and old problem events.

`seen` gains a row for every item ever accepted and `events` one for every problem,
so without this a long-running data dir only grows. Stored articles are not touched;
an item still in its feed after its `seen` row expired is recognised by its stored
article (`FeedStore.content_hashes`). Deletes go in chunks with a pause between them,
so the first prune of a large database never holds the pipeline up for long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from wirewatch.runtime.context import AppContext

log = logging.getLogger("wirewatch.runtime")

PRUNE_EVERY = 3600.0  # seconds between two prunes of a running runtime
CHUNK = 5000  # rows per delete transaction


@dataclass(frozen=True)
class Pruned:
    seen: int
    events: int


async def prune(ctx: AppContext) -> Pruned:
    """Delete what is older than the retention settings; returns how many rows went."""
    now, keep = ctx.clock.now(), ctx.settings.retention
    seen_before = now - timedelta(days=keep.seen_days)
    events_before = now - timedelta(days=keep.events_days)
    pruned = Pruned(
        seen=await _in_chunks(lambda: ctx.feeds.expire_seen(seen_before, CHUNK)),
        events=await _in_chunks(lambda: ctx.journal.expire_events(events_before, CHUNK)),
    )
    if pruned.seen or pruned.events:
        log.info(
            "retention: forgot %d item ids not new for %d days and %d events older than %d days",
            pruned.seen,
            keep.seen_days,
            pruned.events,
            keep.events_days,
        )
    return pruned


async def prune_periodically(ctx: AppContext) -> None:
    """Prune now, then every PRUNE_EVERY seconds, until cancelled with the runtime."""
    while True:
        await prune(ctx)
        await asyncio.sleep(PRUNE_EVERY)


async def _in_chunks(delete: Callable[[], int]) -> int:
    total = 0
    while (n := delete()) > 0:
        total += n
        await asyncio.sleep(0)  # let the stages run between two chunks
    return total
