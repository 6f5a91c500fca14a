"""The sink's loop: poll a batch, make it durable, then commit its offsets.

One consumer group, `<client_id>-sink`, reads `articles.enriched` and `alerts` with
auto-commit off (kafka-python's consumer, as the poller and the control plane use;
its blocking calls run in a worker thread so the notifier's tasks keep going). For
each batch:

- articles are decoded (what does not decode is dead-lettered) and bulk-indexed in
  the engine by their id; a document the engine refuses for good is dead-lettered with
  the engine's reason. While the engine is down the bulk sink waits: nothing is
  committed, nothing lost;
- alerts are recorded in the data directory's hit log (`HitLog.record_hits`: idempotent
  by alert id, folding a story's copies per rule, pacing, a delivery per destination),
  under the rules of the `alerts.rules` topic, read afresh and copied there first (and
  at start); every recorded hit of the batch, new or recorded by a sink stopped before
  its copy, is then copied to the engine's alert-hits index with its delivery state in
  the hit log;
- dead letters are acknowledged by Kafka, and only then are the batch's offsets
  committed. At least once: a crash repeats a batch, and the ids make the repeat exact.

The notifier (`wirewatch.runtime.notify`) delivers from the hit log as in embedded mode.
A stop (SIGTERM/SIGINT) tells the engine's bulk sink to stop waiting: a batch it still
cannot take raises `IndexStopped` and is not committed, so the next sink takes it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from wirewatch.core.messages import DeadLetter
from wirewatch.core.metrics import NO_METRICS, Metrics, SourceLabels
from wirewatch.core.models import Alert, AlertRule, Channel, EnrichedArticle
from wirewatch.core.ports import IndexStopped, RuleStore
from wirewatch.runtime.context import AppContext
from wirewatch.runtime.notify import ChannelSender, Notifier
from wirewatch.runtime.observe.record import record_searchable, timed
from wirewatch.runtime.sink.batch import (
    STAGE,
    Record,
    commit_offsets,
    decode_records,
    letter_for,
    of_topic,
)
from wirewatch.runtime.store import EngineIndex
from wirewatch.runtime.subscriptions import mirror_rules

log = logging.getLogger("wirewatch.runtime.sink")


class Reader(Protocol):
    """The consumer group member (`sinks.kafka.group.GroupReader`)."""

    def poll(self) -> Sequence[Record]: ...

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> bool: ...

    def lag(self, next_offsets: Mapping[tuple[str, int], int]) -> Mapping[tuple[str, int], int]:
        """Records after `next_offsets` per partition, where the reader knows the end."""
        ...


@dataclass
class SinkCounts:
    """What this sink stored (printed when it stops)."""

    indexed: int = 0
    hits_new: int = 0
    dead_lettered: int = 0


class Sink:
    """The `sink` role over its ports: a reader, the engine, the hit log and its rules.

    `read_rules` reads the `alerts.rules` topic afresh each time it is called (a rule
    store's snapshot would miss rules added after the sink's first read)."""

    def __init__(
        self,
        ctx: AppContext,
        *,
        reader: Reader,
        engine: EngineIndex,
        hit_rules: RuleStore,
        read_rules: Callable[[], list[AlertRule]],
        send_letters: Callable[[Sequence[DeadLetter]], None],
        senders: Mapping[Channel, ChannelSender],
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.ctx = ctx
        self.reader = reader
        self.engine = engine
        self.hit_rules = hit_rules
        self.read_rules = read_rules
        self.send_letters = send_letters
        self.metrics = metrics
        self._sources = SourceLabels(ctx.settings.metrics.max_sources)
        self.notifier = Notifier(
            ctx.deliveries,
            senders,
            ctx.settings.notify,
            clock=ctx.clock,
            journal=ctx.journal,
            metrics=metrics,
        )
        self.counts = SinkCounts()
        self.stop = asyncio.Event()
        self._rules: list[AlertRule] | None = None

    def request_stop(self) -> None:
        """Finish the batch in hand (or give it up if the engine is down) and stop."""
        self.stop.set()
        self.engine.stop_waiting()

    async def run(self) -> SinkCounts:
        notify = asyncio.create_task(self.notifier.run(), name="notify")
        try:
            await self._follow_rules()  # so `alerts list` counts this sink's hits at once
            while not self.stop.is_set():
                records = await asyncio.to_thread(self.reader.poll)
                if not records:
                    continue
                offsets = commit_offsets(records)
                self._record_lag(offsets)
                try:
                    await self._store(records)
                except IndexStopped as e:
                    log.warning("stopping with a batch not indexed (not committed): %s", e)
                    self.metrics.count("wirewatch_errors_total", stage=STAGE, kind="index_down")
                    break
                await asyncio.to_thread(self.reader.commit, offsets)
        finally:
            notify.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await notify
        return self.counts

    async def _store(self, records: Sequence[Record]) -> None:
        k, now = self.ctx.settings.kafka, self.ctx.clock.now()
        articles = decode_records(EnrichedArticle, of_topic(records, k.topic_enriched), now)
        alerts = decode_records(Alert, of_topic(records, k.topic_alerts), now)
        letters = articles.letters + alerts.letters
        self.metrics.count(
            "wirewatch_articles_in_total", len(articles.items) + len(articles.letters), stage=STAGE
        )
        if articles.items:
            with timed(self.metrics, STAGE):
                result = await asyncio.to_thread(self.engine.index, [e for _, e in articles.items])
            self.counts.indexed += result.indexed
            self.metrics.count("wirewatch_articles_out_total", result.indexed, stage=STAGE)
            refused = {x.article_id for x in result.rejected}
            record_searchable(
                self.metrics,
                self._sources,
                [e.article for _, e in articles.items if e.id not in refused],
                self.ctx.clock.now(),
            )
            source = {e.id: r for r, e in articles.items}
            letters += [letter_for(source[x.article_id], x.reason, now) for x in result.rejected]
        if alerts.items:
            await self._record([a for _, a in alerts.items])
        if letters:
            await asyncio.to_thread(self.send_letters, letters)
            self.counts.dead_lettered += len(letters)
            self.metrics.count(
                "wirewatch_errors_total", len(letters), stage=STAGE, kind="dead_letter"
            )

    def _record_lag(self, offsets: Mapping[tuple[str, int], int]) -> None:
        """The consumer lag of the partitions this batch came from."""
        for (topic, partition), lag in self.reader.lag(offsets).items():
            self.metrics.set(
                "wirewatch_consumer_lag_records", lag, topic=topic, partition=str(partition)
            )

    async def _follow_rules(self) -> None:
        """Make the data directory's rules those of the `alerts.rules` topic now."""
        rules = await asyncio.to_thread(self.read_rules)
        if rules != self._rules:
            mirror_rules(self.hit_rules, rules)
            self._rules = rules

    async def _record(self, hits: list[Alert]) -> None:
        """Record hits under the topic's current rules, then copy every recorded hit of the
        batch to the engine with its delivery state in the hit log.

        Not only the new ones: a sink stopped between recording and copying finds the
        batch's hits already recorded when it comes again, and the copy is idempotent by
        alert id."""
        await self._follow_rules()
        new = self.ctx.hits.record_hits(hits)
        self.counts.hits_new += len(new)
        if new:
            self.notifier.wake.set()
        rows = self.ctx.hits.hits_by_id([h.id for h in [*hits, *new]])
        if rows:
            await asyncio.to_thread(self.engine.index_hits, [(r.alert, r.state) for r in rows])
