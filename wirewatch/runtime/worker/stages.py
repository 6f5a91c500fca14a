"""What the worker's agents do with their records, as plain functions over bytes.

The faust agents in `app.py` only move records; everything they decide is here, so it
runs (and is tested) without a broker: decode or dead-letter, enrich and sign, resolve
a story, match rules. The enrichment and story code is the embedded runtime's
(`Enricher.sign_batch`, `StoryIndex.resolve`), so both modes give the same articles.
"""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from processors.enrich.pipeline import Enricher
from processors.enrich.stories import StoryIndex
from processors.enrich.story_signature import candidate_message, candidate_of
from processors.matching.rules import RuleSet, compile_rules, hits_for, signature
from wirewatch.core.messages import (
    DeadLetter,
    DecodeError,
    StoryCandidateMessage,
    alert_key,
    article_key,
    decode,
    encode,
)
from wirewatch.core.models import AlertRule, Article, EnrichedArticle
from wirewatch.core.records import StoryRecord

log = logging.getLogger("wirewatch.worker")


@dataclass(frozen=True)
class Received:
    """One record as the stage got it: where it came from and its exact bytes."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


@dataclass
class Output:
    """What a stage sends on: keyed records to its output topic, and dead letters."""

    records: list[tuple[bytes, bytes]] = field(default_factory=list)
    dead: list[DeadLetter] = field(default_factory=list)


def dead(r: Received, stage: str, reason: str, now: datetime) -> DeadLetter:
    return DeadLetter.of_record(r, stage=stage, reason=reason, at=now)


def sign(enricher: Enricher, batch: Sequence[Received], now: datetime) -> Output:
    """Raw articles → story candidates (each with its enriched article). An article that
    does not decode, or that breaks enrichment, is dead-lettered with the reason; the
    others go on."""
    out = Output()
    decoded: list[tuple[Received, Article]] = []
    for r in batch:
        try:
            decoded.append((r, decode(Article, r.value)))
        except DecodeError as e:
            out.dead.append(dead(r, "enrich", e.reason, now))
    try:
        signed = enricher.sign_batch([a for _, a in decoded], now)
    except Exception as e:  # one article broke the batch: again one by one, to find it
        log.warning("enrichment failed for a batch (%r); enriching it one by one", e)
        signed = []
        for r, a in decoded:
            try:
                signed += enricher.sign_batch([a], now)
            except Exception as one:
                out.dead.append(dead(r, "enrich", f"enrichment failed: {one!r}", now))
    for s in signed:
        message = candidate_message(s.enriched, s.candidate)
        out.records.append((article_key(s.enriched.id), encode(message)))
    return out


def resolve(index: StoryIndex, r: Received, now: datetime) -> tuple[Output, StoryRecord | None]:
    """A candidate → its enriched article with the story id, and the resolver's new record
    (which the caller keeps in the changelog before the candidate's offset is committed)."""
    out = Output()
    try:
        message = decode(StoryCandidateMessage, r.value)
    except DecodeError as e:
        out.dead.append(dead(r, "stories", e.reason, now))
        return out, None
    assignment = index.resolve(candidate_of(message))
    enriched = message.enriched.model_copy(update={"story_id": assignment.story_id})
    out.records.append((article_key(enriched.id), encode(enriched)))
    return out, assignment.record


def encode_record(r: StoryRecord) -> bytes:
    """A story record as the resolver's changelog keeps it (keyed by article id)."""
    return json.dumps(
        {
            "story_id": r.story_id,
            "published_at": r.published_at.isoformat(),
            "payload": base64.b64encode(r.payload).decode("ascii"),
        }
    ).encode()


def decode_record(article_id: str, value: bytes) -> StoryRecord:
    d = json.loads(value)
    return StoryRecord(
        article_id,
        d["story_id"],
        datetime.fromisoformat(d["published_at"]),
        base64.b64decode(d["payload"]),
    )


class Rules:
    """The compiled rules of the rules table, compiled again only when the table changed.

    The table holds each rule's bytes as `alerts.rules` carries them; comparing those is
    far cheaper than decoding and compiling, so an unchanged table costs one comparison.
    """

    def __init__(self) -> None:
        self.rule_set = RuleSet()
        self._raw: dict[bytes, bytes] = {}

    def refresh(self, table: Mapping[bytes, bytes]) -> RuleSet:
        raw = dict(table.items())
        if raw == self._raw:
            return self.rule_set
        self._raw = raw
        rules = []
        for key, value in raw.items():
            try:
                rules.append(decode(AlertRule, value))
            except DecodeError as e:
                log.error("rule %r skipped: %s", key.decode("utf-8", "replace"), e.reason)
        rules.sort(key=lambda r: r.id)
        if signature(rules) != self.rule_set.signature:
            self.rule_set = compile_rules(rules)
            for rule, reason in self.rule_set.refused:
                log.error("alert %r skipped: %s", rule.name, reason)
        return self.rule_set


def match(rule_set: RuleSet, r: Received, now: datetime) -> Output:
    """An enriched article → one hit per rule it matches, keyed by rule and story."""
    out = Output()
    try:
        enriched = decode(EnrichedArticle, r.value)
    except DecodeError as e:
        out.dead.append(dead(r, "match", e.reason, now))
        return out
    for hit in hits_for(enriched, rule_set, now):
        out.records.append((alert_key(hit), encode(hit)))
    return out


def expired(records: Mapping[bytes, bytes], cutoff: datetime) -> list[bytes]:
    """The keys of the records published before the story window (to delete from the table)."""
    return [
        key
        for key, value in records.items()
        if decode_record(key.decode(), value).published_at < cutoff
    ]
