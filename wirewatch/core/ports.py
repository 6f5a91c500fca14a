"""Ports: what the runtimes and the CLI need from storage and search, as Protocols.

The CLI and the runtimes hold these, never an adapter, so SQLite (embedded, the
default), Elasticsearch and OpenSearch can stand behind the same calls and a
distributed worker can reuse the stage code unchanged. Adapters live in `sinks/`;
the request/result shapes live here so every adapter answers in the same form.

The search-facing part (`ArticleIndex`, `SearchRequest`, `SearchPage`,
`IndexResult`) is what a search engine must implement; the other ports are what
the embedded runtime keeps in its one SQLite file.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from wirewatch.core.folding import ArticleVersion
from wirewatch.core.models import (
    Alert,
    AlertRule,
    Article,
    Channel,
    DeliveryState,
    EnrichedArticle,
    Feed,
    FeedAuth,
    FeedState,
)
from wirewatch.core.query import Query
from wirewatch.core.records import (
    Delivery,
    DeliveryKey,
    FeedRow,
    HitRow,
    PendingArticle,
    StoryRecord,
    StorySummary,
)

# --- the article index (every engine) --------------------------------------------------------


@dataclass(frozen=True)
class SearchRequest:
    """A parsed query with its filters; results come newest published first, ties by id.

    `since` is inclusive and `until` exclusive, both on the published date; `offset`
    pages through the same order.
    """

    query: Query
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 20
    offset: int = 0


@dataclass(frozen=True)
class SearchPage:
    """One page of results; `next_offset` is None when there is nothing after it."""

    articles: list[EnrichedArticle]
    next_offset: int | None = None


@dataclass(frozen=True)
class IndexRejection:
    """An article the index refused (a mapping conflict, say) and why, for the dead letter."""

    article_id: str
    reason: str


@dataclass(frozen=True)
class IndexResult:
    """What one `ArticleIndex.index` call did: how many were indexed, which were refused."""

    indexed: int
    rejected: list[IndexRejection] = field(default_factory=list)


class IndexStopped(Exception):
    """The index gave up on a batch because the runtime stopped waiting for it.

    Raised when a stopping runtime (a signal, or `run --once` done polling) asked an
    engine that is down to stop retrying: the batch was not indexed and stays in the
    outbox, so the next run indexes it. Nothing is lost, and nobody waits forever.
    """


class ArticleIndex(Protocol):
    """Enriched articles, searchable with the query language.

    Indexing is idempotent: the article id is the document id, so indexing the same
    article again replaces it and a replay never duplicates.
    """

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexResult: ...

    def search(self, request: SearchRequest) -> SearchPage: ...

    def stories(
        self, *, since: datetime | None, until: datetime | None, min_size: int, limit: int
    ) -> list[StorySummary]:
        """The largest stories of a period, largest first, then the most recent."""
        ...

    def count(self) -> int: ...

    def get(self, article_id: str) -> EnrichedArticle | None: ...


class StoredArticles(Protocol):
    """Paging through every stored article, as `migrate --articles` re-publishes them."""

    def articles_after(self, article_id: str, limit: int) -> list[Article]:
        """Up to `limit` articles by id, after `article_id` ('' for the first page)."""
        ...


class HitIndex(Protocol):
    """Alert hits copied to a search engine, one document per hit (the alert id), so
    Kibana or Dashboards can chart them; the `HitLog` stays the record of delivery."""

    def index_hits(self, hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexResult: ...


# --- the embedded store's hand-over -------------------------------------------------------------


class EnrichedCommit(Protocol):
    """The embedded store stage's hand-over: a batch leaves the outbox with its story state
    and its hits in one step, so nothing is lost or alerted twice after a crash.

    With SQLite as the index, `commit_enriched` does it all in one transaction. With a
    search engine as the index (two stores, no shared transaction), the embedded runtime
    composes the same hand-over from ports: first `ArticleIndex.index(batch)`, which is
    idempotent, then `commit_indexed` (story state, hits, outbox ack in one transaction).
    A crash in between leaves the batch in the outbox; the next run indexes it again
    under the same `_id` (replacing, not duplicating) and only then records its hits.
    """

    def commit_enriched(
        self,
        batch: Sequence[tuple[int | None, EnrichedArticle]],
        story_records: Sequence[StoryRecord],
        hits: Sequence[Alert],
        *,
        now: datetime,
    ) -> list[Alert]:
        """Index `batch` here, then as `commit_indexed`; returns the hits that were new.

        `batch` pairs each article with its outbox seq (None when it did not come from
        the outbox).
        """
        ...

    def commit_indexed(
        self,
        batch: Sequence[tuple[int | None, EnrichedArticle]],
        story_records: Sequence[StoryRecord],
        hits: Sequence[Alert],
    ) -> list[Alert]:
        """For a batch another `ArticleIndex` already holds: keep its story state, record
        its hits and clear it from the outbox in one step; returns the hits that were new."""
        ...


class StoryState(Protocol):
    """Story clustering state kept for the story window, restored when enrichment starts."""

    def story_records_since(self, since: datetime) -> list[StoryRecord]: ...

    def expire_story_records(self, before: datetime) -> int: ...


# --- alerts -------------------------------------------------------------------------------------


class RuleStore(Protocol):
    """Alert rules, by name or id."""

    def add_rule(self, rule: AlertRule, *, replace: bool = False) -> bool:
        """True when the rule is new; an existing name is an error unless `replace`."""
        ...

    def rules(self) -> list[AlertRule]:
        """Every rule that reads back valid; a stored rule that does not is reported
        (logged, naming it) and skipped, never fatal."""
        ...

    def get_rule(self, name_or_id: str) -> AlertRule | None: ...

    def rules_version(self) -> str:
        """A value that changes whenever any rule changes (added, edited, paused, removed),
        cheaper to read than the rules: a running matcher re-reads them only then."""
        ...

    def remove_rule(self, name_or_id: str) -> AlertRule:
        """Remove a rule; its deliveries not yet made are dead-lettered ('the alert was
        removed'), its hits and delivered history stay."""
        ...


class HitLog(Protocol):
    """Recorded hits, one per rule and article (the hit id is `ids.alert_id(rule, article)`)."""

    def record_hits(
        self, hits: Sequence[Alert], versions: Mapping[str, ArticleVersion] | None = None
    ) -> list[Alert]:
        """Record hits on their own (a matcher that is its own stage, as in the distributed
        runtime, or a backfill); returns those first alerts and update alerts not recorded
        before, so a replayed article alerts nobody twice, and folds copies of a story that
        already alerted the rule. `versions` (article id → version) enables update alerts.
        The embedded runtime records hits inside `EnrichedCommit` instead.
        Either way each new hit gets one pending delivery per destination of its rule."""
        ...

    def hits(self, *, rule: str | None = None, limit: int = 100) -> list[HitRow]: ...

    def hits_by_id(self, ids: Sequence[str]) -> list[HitRow]:
        """The recorded hits among `ids`, with their deliveries (unrecorded ids are left out)."""
        ...

    def count_hits(self) -> int: ...


class DeliveryQueue(Protocol):
    """Deliveries per (hit, channel, target): which are due, the outcome of each attempt,
    the dead letters and putting them back.

    A delivery is named by its hit's id, its channel and its target, so each channel of a
    hit is retried and dead-lettered on its own.
    """

    def due_deliveries(
        self, now: datetime, limit: int = 100, exclude: Collection[DeliveryKey] = ()
    ) -> list[Delivery]:
        """Pending deliveries whose next attempt is due at `now`, the longest waiting first,
        leaving out `exclude` (those already in flight)."""
        ...

    def due_digests(
        self, now: datetime, limit: int = 1000, exclude: Collection[DeliveryKey] = ()
    ) -> list[Delivery]:
        """Held deliveries (`wirewatch.core.pacing`) whose digest window has ended, ordered
        by rule, channel and target."""
        ...

    def next_delivery_at(self) -> datetime | None:
        """When the next pending or held delivery is due; None when there is none."""
        ...

    def mark_delivered(
        self, alert_id: str, channel: Channel, target: str, now: datetime
    ) -> None: ...

    def mark_attempt_failed(
        self,
        alert_id: str,
        channel: Channel,
        target: str,
        error: str,
        *,
        retry_at: datetime | None,
    ) -> None:
        """Count a failed attempt; `retry_at=None` gives up (dead letter, state failed).
        A held delivery stays held, to go out with its digest again."""
        ...

    def deliveries(
        self, *, rule: str | None = None, failed_only: bool = False, limit: int = 100
    ) -> list[Delivery]:
        """Deliveries newest hit first, of one rule (name or id) or all, or only dead letters."""
        ...

    def retry_failed(
        self, *, now: datetime, rule: str | None = None, alert_id: str | None = None
    ) -> int:
        """Put dead letters (of one rule, one hit, or all) back to pending, attempts reset
        and due at `now`; returns how many. Those of a removed rule stay dead."""
        ...

    def delivery_counts(self) -> dict[str, int]:
        """Deliveries per state (pending, delivered, failed)."""
        ...


# --- feeds --------------------------------------------------------------------------------------


class Subscriptions(Protocol):
    """The feeds subscribed to: what `feeds add/import/rm/list` change and read.

    The embedded runtime keeps them in its database with their poll state (a
    `FeedRegistry`); the distributed mode keeps them on the compacted `feeds` topic,
    where a row's state is a fresh one: poll state stays with each poller.
    """

    def add(self, feed: Feed) -> tuple[FeedRow, bool]:
        """Subscribe; returns (row, created). The same URL twice is the same feed."""
        ...

    def set_auth(self, feed_id: str, auth: FeedAuth) -> None: ...

    def update_settings(self, feed_id: str, *, title: str | None, full_text: bool) -> None: ...

    def get(self, feed_id: str) -> FeedRow | None: ...

    def find(self, id_or_url: str) -> FeedRow | None: ...

    def remove(self, id_or_url: str) -> FeedRow: ...

    def all(self) -> list[FeedRow]: ...


class FeedRegistry(Subscriptions, Protocol):
    """Subscriptions, their poll state and the dedup memory of what was accepted."""

    def due(self, now: datetime) -> list[FeedRow]: ...

    def next_due_at(self, now: datetime) -> datetime | None:
        """When the next enabled feed is due; None when there is none."""
        ...

    def content_hashes(self, article_ids: Sequence[str]) -> Mapping[str, str]:
        """Stored content hash per already-accepted article id (ingest's SeenLookup)."""
        ...

    def seen_count(self) -> int: ...

    def expire_seen(self, before: datetime, limit: int) -> int: ...

    def accept_poll(
        self,
        feed: Feed,
        state: FeedState,
        articles: Iterable[Article],
        *,
        now: datetime,
        to_outbox: bool = True,
    ) -> None:
        """Persist one poll atomically: the feed's state, its seen ids and (embedded) outbox."""
        ...


class Outbox(Protocol):
    """Accepted articles waiting for enrichment (the embedded runtime's queue on disk)."""

    def pending(self, after_seq: int = 0, limit: int = 1000) -> list[PendingArticle]: ...

    def pending_for(self, article_ids: Sequence[str]) -> list[PendingArticle]: ...

    def outbox_size(self) -> int: ...


# --- the runtime's journal ----------------------------------------------------------------------


class Journal(Protocol):
    """Problems per stage (counted in `wirewatch status`) and the runtime's status snapshot."""

    def record_event(self, at: datetime, stage: str, subject: str, message: str) -> None: ...

    def event_counts(self) -> dict[str, int]:
        """Recorded problems per stage."""
        ...

    def expire_events(self, before: datetime, limit: int) -> int: ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...
