"""`wirewatch poll`: the distributed runtime's ingest role, publishing to Kafka.

The poller keeps its feed state and dedup memory in a store of its own, opened
through the ports factory (`runtime.context.open_poller_context`; today a SQLite
file `poller-<index>-of-<count>.db` in the data directory). Several pollers split the
feed list by a stable hash of the feed id, so no two poll the same feed. A feed's
state advances only after Kafka acknowledged every article of that poll: a crash
or a broker outage re-polls the feed rather than losing an article, and the
stable article id (the Kafka key) makes the replay idempotent downstream.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, Protocol

from ingest.poll import FeedFetcher, FeedParser, poll_feed
from wirewatch.core.clock import Clock
from wirewatch.core.errors import WirewatchError
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.models import Article
from wirewatch.core.records import FeedRow
from wirewatch.core.redact import redact_text, redact_url
from wirewatch.core.settings import Settings
from wirewatch.runtime.aio import close_all, wait_event
from wirewatch.runtime.context import open_poller_context
from wirewatch.runtime.due import poll_due_feeds, pollable
from wirewatch.runtime.observe.record import record_poll, timed

log = logging.getLogger("wirewatch.poller")

# A feed whose articles Kafka did not acknowledge is polled again this soon, old validators kept.
PUBLISH_RETRY_SECONDS = 60.0
# Distributed mode: how often a running poller reads the `feeds` topic again.
FOLLOW_FEEDS_SECONDS = 60.0
PUBLISH = "publish"
"""The poller's second stage in the metrics, after `ingest` (the polls)."""


def shard_of(feed_id: str, count: int) -> int:
    """Stable across processes and releases (not Python's salted hash())."""
    return int.from_bytes(hashlib.blake2b(feed_id.encode(), digest_size=8).digest(), "big") % count


@dataclass
class PollSummary:
    feeds_polled: int = 0
    feeds_failed: list[dict[str, str]] = field(default_factory=list)
    articles_published: int = 0
    publish_failures: int = 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class Publisher(Protocol):
    """What the poller needs from ingest's Kafka publisher."""

    def publish(self, articles: Sequence[Article]) -> None: ...

    def close(self) -> None: ...


class KafkaPoller:
    def __init__(
        self,
        settings: Settings,
        *,
        config_dir: Path | None,
        clock: Clock,
        fetcher: FeedFetcher,
        parse: FeedParser,
        publisher: Publisher,
        metrics: Metrics = NO_METRICS,
    ) -> None:
        self.settings = settings
        self.metrics = metrics
        self.clock = clock
        self.fetcher = fetcher
        self.parse = parse
        self.publisher = publisher
        k = settings.kafka
        if k.poller_index >= k.poller_count:
            raise WirewatchError(
                f"kafka.poller_index {k.poller_index} is not below kafka.poller_count "
                f"{k.poller_count}",
                hint="number pollers 0 … count-1",
            )
        self.state = open_poller_context(settings, clock, config_dir=config_dir)
        self.summary = PollSummary()
        self.stop = asyncio.Event()

    def mine(self, rows: Sequence[FeedRow]) -> list[FeedRow]:
        """The pollable feeds of this poller's shard."""
        k = self.settings.kafka
        return [r for r in pollable(rows) if shard_of(r.feed.id, k.poller_count) == k.poller_index]

    async def run(self, *, once: bool) -> PollSummary:
        try:
            if once:
                await self._poll_many(self.mine(self.state.feeds.all()))
            else:
                follow = asyncio.create_task(self._follow_topic_feeds())
                try:
                    await poll_due_feeds(
                        self.state.feeds, self.clock, self.stop, self._poll_many, select=self.mine
                    )
                finally:
                    follow.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await follow
        finally:
            await asyncio.to_thread(self.publisher.close)
            await close_all([self.fetcher, self.parse])
            self.state.close()
        return self.summary

    async def _follow_topic_feeds(self) -> None:
        """Distributed mode: every FOLLOW_FEEDS_SECONDS, take up the feeds added to and
        removed from the `feeds` topic (the poll loop wakes at least once a minute)."""
        read = self.state.read_topic_feeds
        if read is None:
            return
        while not self.stop.is_set():
            await wait_event(self.stop, FOLLOW_FEEDS_SECONDS)
            if self.stop.is_set():
                return
            try:
                rows = await asyncio.to_thread(read)
            except WirewatchError as e:  # the broker is down: keep polling the feeds we have
                log.warning("reading the feeds topic failed, retried later: %s", e)
                continue
            self.state.follow_topic_feeds(rows)

    async def _poll_many(self, rows: Sequence[FeedRow]) -> None:
        await asyncio.gather(*(self._poll_one(r) for r in rows))

    async def _poll_one(self, row: FeedRow) -> None:
        # never raises for one feed's problem, not even a bug: it lands in the feed's state
        outcome = await poll_feed(
            row.feed,
            row.state,
            fetcher=self.fetcher,
            parse=self.parse,
            seen=self.state.feeds,
            clock=self.clock,
            schedule_settings=self.settings.schedule,
        )
        record_poll(self.metrics, outcome)
        if outcome.articles:
            self.metrics.count("wirewatch_articles_in_total", len(outcome.articles), stage=PUBLISH)
            try:
                with timed(self.metrics, PUBLISH):
                    await asyncio.to_thread(self.publisher.publish, outcome.articles)
            except Exception as e:  # Kafka's refusal (PublishError) or a bug: this feed only
                # State does not advance: the next poll fetches and publishes these again.
                self.summary.publish_failures += 1
                self.metrics.count("wirewatch_errors_total", stage=PUBLISH, kind="kafka")
                self.state.journal.record_event(
                    self.clock.now(), "publish", redact_url(row.feed.url), redact_text(str(e))
                )
                log.error(
                    "publishing %d articles of %s failed: %s",
                    len(outcome.articles),
                    row.feed.url,
                    e,
                    exc_info=not isinstance(e, WirewatchError),
                )
                retry = row.state.model_copy(
                    update={
                        "next_poll_at": self.clock.now() + timedelta(seconds=PUBLISH_RETRY_SECONDS),
                        "last_error": f"publish failed: {e}",
                    }
                )
                self.state.feeds.accept_poll(
                    row.feed, retry, [], now=self.clock.now(), to_outbox=False
                )
                return
        self.state.feeds.accept_poll(
            outcome.feed, outcome.state, outcome.articles, now=self.clock.now(), to_outbox=False
        )
        self.summary.feeds_polled += 1
        self.summary.articles_published += len(outcome.articles)
        self.metrics.count("wirewatch_articles_out_total", len(outcome.articles), stage=PUBLISH)
        if outcome.error:
            self.summary.feeds_failed.append(
                {"url": redact_url(outcome.feed.url), "error": redact_text(outcome.error)}
            )
