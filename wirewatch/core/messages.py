"""The distributed mode's messages: keys, JSON values and the dead-letter envelope.

Every Kafka record Wirewatch writes goes through here, so a poller, a worker, a sink
and the CLI agree on the bytes. Values are the kernel's models as JSON, each with its
`schema_version` (a newer version is refused, not misread); keys decide the partition
and what compaction keeps: the article id for raw and enriched articles (a replay
lands on the same partition and replaces, never duplicates), the feed id and the rule
id on the compacted control topics, rule + story for alerts (one alert per rule and
story). Pure: no Kafka client, only bytes in and out.

A value that cannot be read raises `DecodeError` carrying the reason; a stage then
wraps the original bytes in a `DeadLetter` and goes on with the stream.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Protocol, TypeVar

from pydantic import ValidationError, field_validator

from wirewatch.core.models import (
    Alert,
    EnrichedArticle,
    Feed,
    UtcDatetime,
    WireModel,
    describe_validation_error,
)

M = TypeVar("M", bound=WireModel)

REASON_CHARS = 2_000
"""A reason is one line for `deadletters list`; longer ones (a huge validation error) are cut."""


class DecodeError(ValueError):
    """A record that is not a valid message of its topic; `reason` says why, in one line."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --- keys ---------------------------------------------------------------------------------


def article_key(article_id: str) -> bytes:
    """`articles.raw` and `articles.enriched`: the article id, the search `_id` too."""
    return article_id.encode()


def feed_key(feed_id: str) -> bytes:
    return feed_id.encode()


def rule_key(rule_id: str) -> bytes:
    return rule_id.encode()


def alert_key(alert: Alert) -> bytes:
    """Rule + story (the article when it has no story): every hit of one story for one
    rule lands on one partition, in order, so it alerts once."""
    return f"{alert.rule_id}:{alert.story_id or alert.article_id}".encode()


def decode_key(key: bytes | None) -> str | None:
    """A key as text for messages and tables (bytes that are not UTF-8 shown escaped)."""
    return None if key is None else key.decode("utf-8", "backslashreplace")


# --- values -------------------------------------------------------------------------------


def encode(model: WireModel) -> bytes:
    """A model's JSON with its schema_version. Feeds go through `encode_feed` instead."""
    if isinstance(model, Feed):
        return encode_feed(model)
    return model.to_json().encode()


def encode_feed(feed: Feed) -> bytes:
    """A feed with its credentials in clear: pollers on other machines must send them.

    `FeedAuth` dumps as `**********` everywhere else; the `feeds` topic is the one
    transport that carries them, so protect it as the data directory is (broker ACLs).
    """
    data = feed.model_dump(mode="json")
    if feed.auth is not None:
        data["auth"] = {
            "username": feed.auth.username.get_secret_value(),
            "password": feed.auth.password.get_secret_value(),
        }
    return json.dumps(data, ensure_ascii=False).encode()


def decode(model: type[M], value: bytes | None) -> M:
    """The message in `value`, or DecodeError naming what is wrong with it."""
    if value is None:
        raise DecodeError("empty value (a tombstone) where a message was expected")
    try:
        text = value.decode("utf-8")
    except UnicodeDecodeError as e:
        raise DecodeError(f"not UTF-8 at byte {e.start}") from None
    try:
        decoded: M = model.model_validate_json(text)
    except ValidationError as e:
        raise DecodeError(
            _cut(f"not a valid {model.__name__}: {describe_validation_error(e)}")
        ) from None
    return decoded


def _cut(reason: str) -> str:
    return reason if len(reason) <= REASON_CHARS else reason[: REASON_CHARS - 1] + "…"


# --- story candidates ---------------------------------------------------------------------


class StoryCandidateMessage(WireModel):
    """`stories.candidates`: an article enriched by a worker, and its story signature.

    The one story resolver needs the signature to choose the story and the enriched
    article to pass on with that story's id, so both travel together (about 1 KB of
    signature beside the article). The article's `story_id` is the one it has alone
    until the resolver says otherwise.
    """

    enriched: EnrichedArticle
    signature_b64: str
    title_key: str
    shingle_count: int


# --- dead letters -------------------------------------------------------------------------


class SourceRecord(Protocol):
    """Where a consumed record came from and its exact bytes (kafka-python's
    `ConsumerRecord`, or a stage's own copy of one)."""

    @property
    def topic(self) -> str: ...

    @property
    def partition(self) -> int: ...

    @property
    def offset(self) -> int: ...

    @property
    def key(self) -> bytes | None: ...

    @property
    def value(self) -> bytes | None: ...


class DeadLetter(WireModel):
    """A record a stage could not read or process, kept whole so it can be replayed.

    The key and value are base64 of the original bytes (they may not be text at all);
    `source_topic`, `partition` and `offset` say where it came from, `stage` which
    stage gave up and `reason` why.
    """

    source_topic: str
    partition: int
    offset: int
    key_b64: str | None = None
    value_b64: str | None = None
    stage: str
    reason: str
    at: UtcDatetime

    @field_validator("key_b64", "value_b64")
    @classmethod
    def _base64(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                base64.b64decode(v, validate=True)
            except (binascii.Error, ValueError):
                raise ValueError("not base64") from None
        return v

    @classmethod
    def of(
        cls,
        *,
        source_topic: str,
        partition: int,
        offset: int,
        key: bytes | None,
        value: bytes | None,
        stage: str,
        reason: str,
        at: datetime,
    ) -> DeadLetter:
        return cls(
            source_topic=source_topic,
            partition=partition,
            offset=offset,
            key_b64=_b64(key),
            value_b64=_b64(value),
            stage=stage,
            reason=_cut(reason),
            at=at,
        )

    @classmethod
    def of_record(cls, r: SourceRecord, *, stage: str, reason: str, at: datetime) -> DeadLetter:
        """`r`, whole, as a dead letter of `stage`."""
        return cls.of(
            source_topic=r.topic,
            partition=r.partition,
            offset=r.offset,
            key=r.key,
            value=r.value,
            stage=stage,
            reason=reason,
            at=at,
        )

    @property
    def key(self) -> bytes | None:
        return None if self.key_b64 is None else base64.b64decode(self.key_b64)

    @property
    def value(self) -> bytes | None:
        return None if self.value_b64 is None else base64.b64decode(self.value_b64)


def _b64(data: bytes | None) -> str | None:
    return None if data is None else base64.b64encode(data).decode("ascii")
