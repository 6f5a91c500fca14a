"""Everything that crosses a stage boundary, as pydantic v2 models.

These are the JSON values on the Kafka topics and the rows the sinks index, so
every top-level model carries `schema_version` and refuses unknown fields: a
producer and a consumer that disagree fail loudly instead of dropping data.
All timestamps are timezone-aware UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)

SCHEMA_VERSION = 1
MAX_RULE_NAME = 200


def _require_utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        raise ValueError("timestamp needs a timezone (ISO 8601 with Z or an offset)")
    return value.astimezone(UTC)


UtcDatetime = Annotated[datetime, AfterValidator(_require_utc)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True)


class WireModel(_Model):
    """A model that travels as JSON between processes."""

    schema_version: int = SCHEMA_VERSION

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, v: int) -> int:
        if v > SCHEMA_VERSION:
            raise ValueError(
                f"schema_version {v} is newer than this Wirewatch understands "
                f"({SCHEMA_VERSION}); upgrade Wirewatch"
            )
        return v

    def to_json(self) -> str:
        return self.model_dump_json()

    @classmethod
    def from_json(cls, data: str | bytes) -> Any:
        return cls.model_validate_json(data)


def describe_validation_error(err: ValidationError) -> str:
    """One line naming each bad field and what was wrong with it."""
    parts = []
    for e in err.errors():
        loc = ".".join(str(p) for p in e["loc"]) or "(value)"
        parts.append(f"{loc}: {e['msg']}")
    return "; ".join(parts)


# --- feeds --------------------------------------------------------------------------


class FeedStatus(StrEnum):
    NEW = "new"
    OK = "ok"
    NOT_MODIFIED = "not_modified"
    ERROR = "error"
    DEAD = "dead"  # failing for longer than `schedule.dead_after`
    GONE = "gone"  # 410: polling stopped


class FeedAuth(_Model):
    """HTTP basic-auth credentials of a feed, kept apart from its URL.

    Both parts are secrets (a token is often given as the user name alone), so
    they print and dump to JSON as `**********`; only the fetcher reads them. A
    transport that must carry them (the SQLite feed store; a future `feeds` topic)
    writes them out explicitly, as `sinks/sqlite/feed_auth.py` does.
    """

    username: SecretStr
    password: SecretStr = SecretStr("")


class Feed(WireModel):
    """A subscription. `id` is fixed when added and survives permanent redirects.

    `url` never holds user info: credentials given in a URL are split off into
    `auth` (see `wirewatch.core.credentials`), sent only to the feed's own origin.
    """

    id: str
    url: str
    auth: FeedAuth | None = None
    title: str | None = None
    site_url: str | None = None
    full_text: bool = False
    added_at: UtcDatetime
    enabled: bool = True


class FeedState(_Model):
    """What the poller remembers about a feed between polls."""

    feed_id: str
    etag: str | None = None
    last_modified: str | None = None
    next_poll_at: UtcDatetime | None = None
    interval_seconds: float | None = None
    last_polled_at: UtcDatetime | None = None
    last_success_at: UtcDatetime | None = None
    last_status: FeedStatus = FeedStatus.NEW
    last_http_status: int | None = None
    last_error: str | None = None
    consecutive_errors: int = 0
    first_error_at: UtcDatetime | None = None
    bozo_reason: str | None = None
    entries_seen: int = 0
    items_dropped: int = Field(
        default=0, description="older items beyond limits.items_per_feed in the last fetch"
    )


# --- articles -----------------------------------------------------------------------


class Enclosure(_Model):
    url: str
    type: str | None = None
    length: int | None = None


class Article(WireModel):
    """One news item as ingest publishes it (topic `articles.raw`)."""

    id: str
    url: str | None = None
    canonical_url: str | None = None
    guid: str | None = None
    feed_id: str
    feed_url: str
    source: str = Field(description="human name of the source: the feed title or its host")
    source_domain: str | None = None
    title: str = ""
    summary: str = ""
    text: str = ""
    authors: list[str] = Field(default_factory=list)
    published_at: UtcDatetime
    published_is_fetch_time: bool = Field(
        default=False, description="the feed gave no usable date; fetch time stands in"
    )
    updated_at: UtcDatetime | None = None
    fetched_at: UtcDatetime
    language: str | None = Field(default=None, description="language the feed declares")
    categories: list[str] = Field(default_factory=list)
    enclosures: list[Enclosure] = Field(default_factory=list)
    content_hash: str = ""
    full_text_status: str | None = None
    truncated: list[str] = Field(
        default_factory=list,
        description="fields cut to the limits (text ends with '…'; a URL or guid is dropped)",
    )

    @property
    def body(self) -> str:
        """The longest text we have: full text, else the summary."""
        return self.text or self.summary


# --- enrichment ---------------------------------------------------------------------


class EntityType(StrEnum):
    PERSON = "PERSON"
    ORG = "ORG"
    GPE = "GPE"
    LOC = "LOC"
    NORP = "NORP"
    EVENT = "EVENT"
    FAC = "FAC"
    PRODUCT = "PRODUCT"
    WORK_OF_ART = "WORK_OF_ART"
    LAW = "LAW"
    LANGUAGE = "LANGUAGE"


PLACE_TYPES = frozenset({EntityType.GPE, EntityType.LOC, EntityType.FAC})


class Entity(_Model):
    """One entity of one article, all its mentions merged under a canonical name."""

    name: str
    type: EntityType
    mentions: int = Field(ge=1)
    in_title: bool = False
    first_position: int = Field(ge=0, description="character offset of the first mention")
    salience: float = Field(ge=0.0, le=1.0)
    aliases: list[str] = Field(default_factory=list)


class TopicTag(_Model):
    id: str = Field(description="IPTC media topic code (medtop:...) or a user topic id")
    label: str
    score: float = Field(ge=0.0)
    evidence: list[str] = Field(default_factory=list)


class Provenance(_Model):
    """What produced an enrichment, so coverage can be told apart and re-enriched."""

    enrichment_version: str
    language_model: str | None = None
    ner_model: str | None = None
    ner_model_version: str | None = None
    taxonomy_version: str | None = None
    story_method: str | None = None


class EnrichedArticle(WireModel):
    """An article with what enrichment found (topic `articles.enriched`)."""

    article: Article
    language: str | None = None
    language_confidence: float | None = None
    entities: list[Entity] = Field(default_factory=list)
    topics: list[TopicTag] = Field(default_factory=list)
    story_id: str
    provenance: Provenance
    notes: list[str] = Field(
        default_factory=list,
        description="what enrichment could not do and why, e.g. 'ner skipped: no model for de'",
    )
    enriched_at: UtcDatetime

    @property
    def id(self) -> str:
        return self.article.id


# --- alerts -------------------------------------------------------------------------


class Channel(StrEnum):
    """Where an alert can be sent; each channel of a hit is delivered (and retried) on its own."""

    WEBHOOK = "webhook"
    SLACK = "slack"
    EMAIL = "email"


class AlertRule(WireModel):
    id: str
    name: str = Field(min_length=1, max_length=MAX_RULE_NAME)
    query: str = Field(min_length=1)
    webhook_url: str | None = None
    slack_url: str | None = Field(
        None, description="a Slack incoming-webhook URL; its path is the secret"
    )
    emails: list[str] = Field(default_factory=list, description="e-mail recipients")
    throttle_per_hour: int | None = Field(
        None,
        ge=1,
        description="at most this many single alerts per clock hour; the rest "
        "arrive together in one digest at the end of the hour",
    )
    digest: Literal["off", "hourly", "daily"] = Field(
        "off", description="send hits as one message per hour or per day instead of one each"
    )
    enabled: bool = True
    created_at: UtcDatetime

    def destinations(self) -> list[tuple[Channel, str]]:
        """Every (channel, target) a hit of this rule is delivered to, in a stable order."""
        out: list[tuple[Channel, str]] = []
        if self.webhook_url:
            out.append((Channel.WEBHOOK, self.webhook_url))
        if self.slack_url:
            out.append((Channel.SLACK, self.slack_url))
        out.extend((Channel.EMAIL, addr) for addr in self.emails)
        return out


class DeliveryState(StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the retry budget
    NONE = "none"  # the rule has no destination
    HELD = "held"  # waiting for its digest (wirewatch.core.pacing)

    @classmethod
    def first(cls, has_destination: bool) -> DeliveryState:
        """A new hit's state: waiting for delivery if its rule has somewhere to send it."""
        return cls.PENDING if has_destination else cls.NONE


class Alert(WireModel):
    """A hit: one rule matched one article. `id` is also the idempotency key."""

    id: str
    rule_id: str
    rule_name: str
    query: str
    article_id: str
    story_id: str | None = None
    title: str
    url: str | None = None
    source: str
    published_at: UtcDatetime
    matched_at: UtcDatetime
    kind: Literal["article", "update"] = Field(
        "article", description="'update': the alerted article itself changed materially"
    )
    matched_terms: list[str] = Field(
        default_factory=list,
        description="what fired, as field:value, e.g. 'title:ceasefire', 'person:yoav gallant'",
    )
    story_size: int = Field(
        1, ge=1, description="articles of the story folded into this alert, this one included"
    )


DIGEST_MAX_ALERTS = 40
"""Hits listed in one digest message; more make several (Slack takes 50 blocks)."""


class Digest(WireModel):
    """Several hits of one rule sent as one message: a digest, or what a throttle held back.

    `id` is the idempotency key, derived from the rule, the target and the hits it lists,
    so a retry sends the same key.
    """

    id: str
    rule_id: str
    rule_name: str
    query: str
    alerts: list[Alert] = Field(min_length=1, max_length=DIGEST_MAX_ALERTS)
    kind: Literal["digest"] = "digest"


Notification = Alert | Digest
"""What a channel sends: one hit, or a digest of several."""
