"""The embedded runtime: poll → enrich → store/index → match → notify, in one process.

Stages are asyncio tasks joined by bounded queues, so a slow stage holds the
others back instead of growing memory. Durability does not depend on the queues:
ingest commits what it accepts to the outbox table before queueing it, and the
store stage indexes, records hits and clears the outbox in one step (one
transaction with SQLite; engine first, then SQLite, with a search engine). After
a crash the next run starts by re-queueing the outbox, and hits are unique per
rule and article — nothing is lost, nothing is stored or alerted twice.
Each new hit is queued for delivery per channel in that same step, and the
notifier (`wirewatch.runtime.notify`) sends them as tasks of their own.

A search engine that is down holds the store stage (its bulk sink waits) while
polling goes on into the outbox, as far as the queues allow. When polling ends (a
signal, or `--once` done) the runtime tells the index to stop waiting: batches it
cannot take stay in the outbox, counted in the summary, and the process exits.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import json
import logging
import os
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from ingest.poll import FeedFetcher, FeedParser, FullText, PollOutcome, poll_feed
from processors.matching.rules import RuleSet, compile_rules, hits_for, signature
from wirewatch.core.clock import iso
from wirewatch.core.metrics import NO_METRICS, Metrics, SourceLabels
from wirewatch.core.models import Article, Channel, EnrichedArticle, FeedStatus
from wirewatch.core.ports import IndexStopped
from wirewatch.core.records import FeedRow, StoryRecord
from wirewatch.core.redact import redact_text, redact_url
from wirewatch.runtime.aio import Closable, close_all
from wirewatch.runtime.context import AppContext
from wirewatch.runtime.due import poll_due_feeds, pollable
from wirewatch.runtime.notify import ChannelSender, Notifier
from wirewatch.runtime.observe.record import record_poll, record_searchable, timed
from wirewatch.runtime.retention import prune_periodically
from wirewatch.runtime.retry import retry

log = logging.getLogger("wirewatch.runtime")

_DONE: Any = object()  # end-of-stream marker between stages
STATUS_KEY = "runtime_status"
# Seconds before each retry of a batch whose enrichment failed (a crashed NER worker, a
# model out of memory): about a minute in all, then the batch waits in the outbox.
ENRICH_RETRY_DELAYS = (1.0, 2.0, 4.0, 8.0, 16.0, 32.0)
# A store call this long means the index is not taking batches: the runtime is not ready.
STORE_STALLED_S = 30.0


class EnrichStage(Protocol):
    """What the runtime needs from processors' Enricher."""

    def enrich(
        self, articles: Sequence[Article]
    ) -> tuple[list[EnrichedArticle], list[StoryRecord]]: ...


@dataclass
class RunSummary:
    feeds_polled: int = 0
    feeds_ok: int = 0
    feeds_not_modified: int = 0
    feeds_failed: list[dict[str, str]] = field(default_factory=list)
    articles_new: int = 0
    articles_updated: int = 0
    articles_recovered: int = 0
    articles_stored: int = 0
    articles_waiting_for_index: int = 0
    enrich_notes: int = 0
    hits_new: int = 0
    deliveries_ok: int = 0
    deliveries_failed: int = 0
    deliveries_pending: int = 0
    seconds: float = 0.0
    interrupted: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ProgressFn = Callable[[str, dict[str, Any]], None]


class EmbeddedPipeline:
    def __init__(
        self,
        ctx: AppContext,
        *,
        fetcher: FeedFetcher,
        parse: FeedParser,
        enricher: EnrichStage,
        senders: Mapping[Channel, ChannelSender],
        fulltext: FullText | None = None,
        closers: Sequence[Closable] = (),
        progress: ProgressFn | None = None,
        rng: random.Random | None = None,
        enrich_retry_delays: Sequence[float] = ENRICH_RETRY_DELAYS,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.ctx = ctx
        self.fetcher = fetcher
        self.parse = parse
        self.enricher = enricher
        self.fulltext = fulltext
        self.closers = list(closers)
        self.progress = progress or (lambda event, data: None)
        self.rng = rng or random.Random()
        self.enrich_retry_delays = tuple(enrich_retry_delays)
        self.metrics = metrics
        self._sources = SourceLabels(ctx.settings.metrics.max_sources)
        self._running = False
        self._storing_since: float | None = None
        size = ctx.settings.queue_size
        self.raw_q: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)
        self.enriched_q: asyncio.Queue[Any] = asyncio.Queue(maxsize=size)
        self.summary = RunSummary()
        self.stop = asyncio.Event()
        self.notifier = Notifier(
            ctx.deliveries,
            senders,
            ctx.settings.notify,
            clock=ctx.clock,
            journal=ctx.journal,
            rng=self.rng,
            metrics=metrics,
        )
        self._rule_set = RuleSet()
        self._rules_version: str | None = None
        self._started = time.monotonic()

    # --- entry point ---------------------------------------------------------------------

    async def run(self, *, once: bool) -> RunSummary:
        """Run until `stop` is set (or, with `once`, until every feed was polled and drained)."""
        self._load_rules()
        self._running = True
        stages = [
            asyncio.create_task(self._ingest(once), name="ingest"),
            asyncio.create_task(self._enrich(), name="enrich"),
            asyncio.create_task(self._store(), name="store"),
        ]
        background = [
            asyncio.create_task(self._status_loop(), name="status"),
            asyncio.create_task(prune_periodically(self.ctx), name="retention"),
            asyncio.create_task(self._stop_waiting_on_stop(), name="stop-waiting"),
        ]
        if not once:
            background.append(asyncio.create_task(self.notifier.run(), name="notify"))
        try:
            await asyncio.gather(*stages)
            if once:  # a --once run still sends what it found
                await self.notifier.flush()
                if not self.summary.articles_waiting_for_index:
                    await self._refresh_index()
        finally:
            for t in (*stages, *background):
                t.cancel()
            for t in (*stages, *background):
                with contextlib.suppress(asyncio.CancelledError):
                    await t
            self._running = False
            self.summary.seconds = round(time.monotonic() - self._started, 3)
            self.summary.interrupted = self.stop.is_set() and not once
            self._write_status(running=False)
        return self.summary

    async def aclose(self) -> None:
        """Close what the runtime holds: network clients (the fetcher's and the senders')
        and worker processes (the parser's and the enricher's)."""
        await close_all([self.fetcher, *self.closers])

    # --- stage 1: ingest ------------------------------------------------------------------

    async def _ingest(self, once: bool) -> None:
        try:
            await self._recover_outbox()
            if once:
                rows = pollable(self.ctx.feeds.all())
                self.progress("feeds_total", {"count": len(rows)})
                await self._poll_many(rows)
            else:
                await poll_due_feeds(self.ctx.feeds, self.ctx.clock, self.stop, self._poll_many)
        finally:
            self.ctx.store.stop_waiting()  # polling is over: an index that is down is not awaited
            await self.raw_q.put(_DONE)

    async def _recover_outbox(self) -> None:
        """Re-queue what an earlier run accepted but did not store (a crash, a stop)."""
        after = 0
        while True:
            pending = self.ctx.outbox.pending(after_seq=after, limit=500)
            if not pending:
                return
            for p in pending:
                await self.raw_q.put((p.seq, p.article))
                self.summary.articles_recovered += 1
            after = pending[-1].seq

    async def _poll_many(self, rows: Sequence[FeedRow]) -> None:
        limit = asyncio.Semaphore(max(1, self.ctx.settings.fetch.concurrency))

        async def one(row: FeedRow) -> None:
            async with limit:
                if self.stop.is_set():
                    return
                await self._poll_one(row)

        await asyncio.gather(*(one(r) for r in rows))

    async def _poll_one(self, row: FeedRow) -> None:
        clock = self.ctx.clock
        # never raises for one feed's problem, not even a bug: it lands in the feed's state
        outcome: PollOutcome = await poll_feed(
            row.feed,
            row.state,
            fetcher=self.fetcher,
            parse=self.parse,
            seen=self.ctx.feeds,
            clock=clock,
            schedule_settings=self.ctx.settings.schedule,
            fulltext=self.fulltext if row.feed.full_text else None,
        )
        self.ctx.feeds.accept_poll(outcome.feed, outcome.state, outcome.articles, now=clock.now())
        self.summary.feeds_polled += 1
        record_poll(self.metrics, outcome)
        if outcome.error:
            self._feed_failed(outcome.feed.url, outcome.error)
        elif outcome.state.last_status is FeedStatus.NOT_MODIFIED:
            self.summary.feeds_not_modified += 1
        else:
            self.summary.feeds_ok += 1
        self.summary.articles_new += outcome.new_count
        self.summary.articles_updated += outcome.updated_count
        self.progress(
            "feed_polled",
            {"url": outcome.feed.url, "error": outcome.error, "articles": len(outcome.articles)},
        )
        if outcome.articles:
            for p in self.ctx.outbox.pending_for([a.id for a in outcome.articles]):
                await self.raw_q.put((p.seq, p.article))

    def _feed_failed(self, url: str, error: str) -> None:
        """Count a failed feed; the summary and the event are shown, so URLs go redacted."""
        url, error = redact_url(url), redact_text(error)
        self.summary.feeds_failed.append({"url": url, "error": error})
        self.ctx.journal.record_event(self.ctx.clock.now(), "ingest", url, error)

    # --- stage 2: enrich ------------------------------------------------------------------

    async def _batches(self, q: asyncio.Queue[Any], size: int) -> Any:
        """Yield lists of up to `size` items: wait for one, then take what is already there."""
        done = False
        while not done:
            item = await q.get()
            if item is _DONE:
                return
            batch = [item]
            while len(batch) < size:
                try:
                    nxt = q.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if nxt is _DONE:
                    done = True
                    break
                batch.append(nxt)
            yield batch

    async def _enrich(self) -> None:
        try:
            async for batch in self._batches(self.raw_q, self.ctx.settings.enrich.batch_size):
                articles = [a for _, a in batch]
                self.metrics.count("wirewatch_articles_in_total", len(articles), stage="enrich")
                try:
                    with timed(self.metrics, "enrich"):
                        enriched, stories = await retry(
                            functools.partial(asyncio.to_thread, self.enricher.enrich, articles),
                            delays=self.enrich_retry_delays,
                            stop=self.stop,
                            what=f"enrichment of a batch of {len(articles)}",
                        )
                except Exception as e:
                    # The enricher handles bad articles itself: this is a bug or a broken
                    # model that retrying did not get past. Nothing is lost: the batch
                    # stays in the outbox and the next start queues it again.
                    log.exception("enrichment failed for a batch of %d", len(articles))
                    self.metrics.count("wirewatch_errors_total", stage="enrich", kind="batch")
                    self.ctx.journal.record_event(
                        self.ctx.clock.now(), "enrich", f"{len(articles)} articles", repr(e)
                    )
                    continue
                by_id = {s.article_id: s for s in stories}
                out = [
                    (seq, e, by_id.get(e.id)) for (seq, _), e in zip(batch, enriched, strict=True)
                ]
                self.summary.enrich_notes += sum(1 for e in enriched if e.notes)
                self.metrics.count("wirewatch_articles_out_total", len(enriched), stage="enrich")
                await self.enriched_q.put(out)
        finally:
            await self.enriched_q.put(_DONE)

    # --- stage 3: store, index, match ---------------------------------------------------------

    async def _store(self) -> None:
        while True:
            batch = await self.enriched_q.get()
            if batch is _DONE:
                return
            self._load_rules()
            now = self.ctx.clock.now()
            hits = [h for _, e, _ in batch for h in hits_for(e, self._rule_set, now)]
            self.metrics.count("wirewatch_articles_in_total", len(batch), stage="store")
            self._storing_since = time.monotonic()
            try:
                with timed(self.metrics, "store"):
                    new_hits = await self.ctx.store(
                        [(seq, e) for seq, e, _ in batch],
                        [s for _, _, s in batch if s is not None],
                        hits,
                        now,
                    )
            except IndexStopped:
                # the runtime is stopping and the index is down: the batch stays in the
                # outbox for the next run; keep draining so no stage waits on a full queue
                self.summary.articles_waiting_for_index += len(batch)
                self.metrics.count("wirewatch_errors_total", stage="store", kind="index_down")
                continue
            finally:
                self._storing_since = None
            self.summary.articles_stored += len(batch)
            self.metrics.count("wirewatch_articles_out_total", len(batch), stage="store")
            record_searchable(
                self.metrics, self._sources, [e.article for _, e, _ in batch], self.ctx.clock.now()
            )
            self.summary.hits_new += len(new_hits)
            self.progress("stored", {"count": len(batch), "hits": len(new_hits)})
            if new_hits:
                self.notifier.wake.set()

    async def _stop_waiting_on_stop(self) -> None:
        """A signal stops the index's wait too, even while polling is held by full queues."""
        await self.stop.wait()
        self.ctx.store.stop_waiting()

    async def _refresh_index(self) -> None:
        """Make a --once run's articles searchable at once; best effort (it is only a delay)."""
        try:
            await self.ctx.store.finish()
        except Exception as e:
            log.warning("the index was not refreshed (%r): new articles show up within seconds", e)

    def _load_rules(self) -> None:
        """(Re)compile rules when they changed; a rule that no longer parses is skipped, logged.

        The rules are read only when the store's version says they changed: reading and
        validating 10,000 rules before every batch held alerts back by seconds in a burst.
        """
        version = self.ctx.rules.rules_version()
        if version == self._rules_version:
            return
        self._rules_version = version
        rules = self.ctx.rules.rules()
        if signature(rules) == self._rule_set.signature:
            return
        self._rule_set = compile_rules(rules)
        for r, reason in self._rule_set.refused:
            self.ctx.journal.record_event(self.ctx.clock.now(), "alerts", r.name, reason)
            log.error("alert %r skipped: %s", r.name, reason)

    # --- status -----------------------------------------------------------------------------

    async def _status_loop(self) -> None:
        while True:
            self._write_status(running=True)
            self.metrics.set("wirewatch_queue_items", self.raw_q.qsize(), queue="raw")
            self.metrics.set("wirewatch_queue_items", self.enriched_q.qsize(), queue="enriched")
            await asyncio.sleep(2.0)

    def readiness(self) -> dict[str, Callable[[], str | None]]:
        """The checks of `/readyz`: the stages run, and the index takes batches."""

        def pipeline() -> str | None:
            if self.stop.is_set():
                return "stopping: finishing accepted articles"
            return None if self._running else "not started yet"

        def index() -> str | None:
            since = self._storing_since
            if since is None or time.monotonic() - since < STORE_STALLED_S:
                return None
            return f"one batch has waited {time.monotonic() - since:.0f}s for the index (down?)"

        return {"pipeline": pipeline, "index": index}

    def _write_status(self, *, running: bool) -> None:
        self.summary.deliveries_ok = self.notifier.counts.delivered
        self.summary.deliveries_failed = self.notifier.counts.dead_lettered
        try:
            counts = self.ctx.deliveries.delivery_counts()
            self.summary.deliveries_pending = counts.get("pending", 0)
        except Exception:  # status is best effort, like the snapshot below
            log.debug("could not count deliveries", exc_info=True)
        snapshot = {
            "running": running,
            "pid": os.getpid(),
            "updated_at": iso(self.ctx.clock.now()),
            "queues": {"raw": self.raw_q.qsize(), "enriched": self.enriched_q.qsize()},
            "queue_capacity": self.ctx.settings.queue_size,
            "summary": self.summary.to_dict(),
        }
        try:
            self.ctx.journal.set_meta(STATUS_KEY, json.dumps(snapshot))
        except Exception:  # status is best effort; never let it stop the pipeline
            log.debug("could not write runtime status", exc_info=True)
