"""Rows the ports hand out: the same shapes whichever adapter stores them.

They lived next to the SQLite adapter; the kernel owns them now so the runtimes,
the CLI and every adapter (SQLite, Elasticsearch, OpenSearch) share one copy.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from wirewatch.core.models import Alert, Article, Channel, DeliveryState, Feed, FeedState


@dataclass(frozen=True)
class FeedRow:
    """A subscription and its poll state, read together."""

    feed: Feed
    state: FeedState


@dataclass(frozen=True)
class PendingArticle:
    """An accepted article waiting in the outbox; `seq` guards against a newer version."""

    seq: int
    article: Article


@dataclass(frozen=True)
class StoryRecord:
    """Story clustering state for one article, opaque outside `processors.enrich.stories`.

    The enricher produces it and restores from it; storage only keeps it for the story
    window, keyed by article id.
    """

    article_id: str
    story_id: str
    published_at: datetime
    payload: bytes  # the MinHash hash values (uint64), then the folded headline (UTF-8)


@dataclass(frozen=True)
class StorySummary:
    """One story of a period as `wirewatch stories` shows it."""

    story_id: str
    size: int
    title: str
    first_published: datetime
    last_published: datetime
    sources: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FoldedInto:
    """The first alert of a story that a copy's hit was folded into (not sent itself)."""

    alert_id: str
    title: str


DeliveryKey = tuple[str, Channel, str]
"""What names a delivery: its hit's id, its channel and its target."""


@dataclass(frozen=True)
class Delivery:
    """One channel of one hit: where it goes and how its delivery stands.

    `state` is pending (waiting, or waiting to retry at `next_attempt_at`), delivered,
    or failed: dead-lettered after `notify.max_attempts` or a permanent error, until
    `alerts retry` puts it back. The alert's id is the idempotency key on every channel.
    """

    alert: Alert
    channel: Channel
    target: str
    state: DeliveryState
    attempts: int = 0
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    delivered_at: datetime | None = None

    @property
    def key(self) -> DeliveryKey:
        """What names this delivery: the hit, the channel and the target."""
        return (self.alert.id, self.channel, self.target)


@dataclass(frozen=True)
class HitRow:
    """A recorded alert hit with the delivery of each of its channels (none: nowhere to send)."""

    alert: Alert
    deliveries: list[Delivery] = field(default_factory=list)
    folded_into: FoldedInto | None = None

    @property
    def state(self) -> DeliveryState:
        """The hit's one state for its chart copy in the engine: failed if a channel gave
        up, else pending or held while one waits, delivered once all went out, none
        without a delivery (a folded copy, or a rule with nowhere to send)."""
        states = {d.state for d in self.deliveries}
        for s in (DeliveryState.FAILED, DeliveryState.PENDING, DeliveryState.HELD):
            if s in states:
                return s
        return DeliveryState.DELIVERED if states else DeliveryState.NONE
