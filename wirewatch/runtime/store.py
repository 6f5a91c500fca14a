"""The store stage's hand-over, for either kind of article index.

With SQLite as the index, one transaction indexes a batch, keeps its story state,
records its hits and clears it from the outbox (`EnrichedCommit.commit_enriched`).
With a search engine (two stores, no shared transaction) the order makes a crash
harmless: index in the engine first (idempotent `_id`), then `commit_indexed` in
SQLite. A crash in between leaves the batch in the outbox; the next run indexes it
again under the same ids and only then records its hits.

The engine's bulk sink waits out an outage (it retries until the engine is back),
so it runs in a worker thread: the event loop keeps polling and accepting, held
back only by its bounded queues, and everything accepted waits in the outbox.
A stopping runtime calls `stop_waiting`: a batch the engine still cannot take then
raises `IndexStopped` and stays in the outbox, so stopping never hangs on an outage.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wirewatch.core.models import Alert, AlertRule, DeliveryState, EnrichedArticle
from wirewatch.core.ports import (
    ArticleIndex,
    EnrichedCommit,
    HitIndex,
    IndexStopped,
    Journal,
    RuleStore,
)
from wirewatch.core.records import StoryRecord

log = logging.getLogger("wirewatch.runtime.store")

Batch = Sequence[tuple[int | None, EnrichedArticle]]

DEAD_LETTER_STAGE = "index"
"""The journal stage of documents the engine refused (counted in `wirewatch status`)."""


class StoreStep(Protocol):
    async def __call__(
        self, batch: Batch, stories: Sequence[StoryRecord], hits: Sequence[Alert], now: datetime
    ) -> list[Alert]:
        """Store a batch with its story state and hits; returns the hits that were new.

        Raises `IndexStopped` when the index was down and `stop_waiting` was called.
        """
        ...

    def stop_waiting(self) -> None:
        """Stop waiting for an index that is down (the runtime is stopping)."""
        ...

    async def finish(self) -> None:
        """Make what was stored visible to search now (the end of `run --once`)."""
        ...


class EngineIndex(ArticleIndex, HitIndex, Protocol):
    """A search engine as the index: it can be refreshed and told to stop waiting."""

    def refresh(self) -> None: ...

    def stop_waiting(self) -> None: ...

    def problem(self) -> str | None:
        """Why the engine cannot take documents now, or None (a readiness check)."""
        ...


def hit_states(
    new: Sequence[Alert], rules: Sequence[AlertRule]
) -> list[tuple[Alert, DeliveryState]]:
    """New hits with their chart copy's summary state: whether the hit has anywhere to go."""
    sending = {r.id for r in rules if r.destinations()}
    return [(h, DeliveryState.first(h.rule_id in sending)) for h in new]


@dataclass
class EmbeddedStore:
    """SQLite is the index: everything in one transaction."""

    commit: EnrichedCommit

    async def __call__(
        self, batch: Batch, stories: Sequence[StoryRecord], hits: Sequence[Alert], now: datetime
    ) -> list[Alert]:
        return self.commit.commit_enriched(batch, stories, hits, now=now)

    def stop_waiting(self) -> None:
        """SQLite does not go down: nothing to stop."""

    async def finish(self) -> None:
        """SQLite search sees a batch once its transaction committed."""


@dataclass
class EngineStore:
    """A search engine is the index: index there, then settle in SQLite, then copy the hits.

    A document the engine refuses for good is dead-lettered: recorded in the journal
    with the engine's reason, its hits dropped (an alert fires only on what search can
    find), and its outbox entry settled with the rest so it does not come back.
    New hits are then written to the engine's alert-hits index for charting.
    """

    index: EngineIndex
    commit: EnrichedCommit
    rules: RuleStore
    journal: Journal

    async def __call__(
        self, batch: Batch, stories: Sequence[StoryRecord], hits: Sequence[Alert], now: datetime
    ) -> list[Alert]:
        result = await asyncio.to_thread(self.index.index, [e for _, e in batch])
        refused = {r.article_id for r in result.rejected}
        for r in result.rejected:
            self.journal.record_event(now, DEAD_LETTER_STAGE, r.article_id, r.reason)
            log.error("article %s not indexed (dead letter): %s", r.article_id, r.reason)
        kept = [h for h in hits if h.article_id not in refused]
        new = self.commit.commit_indexed(batch, stories, kept)
        if new:
            states = hit_states(new, self.rules.rules())
            try:
                await asyncio.to_thread(self.index.index_hits, states)
            except IndexStopped:  # the hits are recorded; only their chart copy is missing
                log.warning("%d alert hits not copied to the engine: it is down", len(new))
        return new

    def stop_waiting(self) -> None:
        self.index.stop_waiting()

    async def finish(self) -> None:
        await asyncio.to_thread(self.index.refresh)
