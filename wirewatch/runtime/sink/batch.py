"""The sink's pure decisions about one polled batch, without a Kafka client.

A batch is what one poll returned, from both of the sink's topics. Each value either
decodes to its model or becomes a `DeadLetter` (stage `sink`) carrying the original
bytes and the reason, so the stream goes on. Once everything the batch holds is
durable, its offsets are committed: one past the last record of each partition.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Generic, TypeVar

from wirewatch.core.messages import DeadLetter, DecodeError, SourceRecord, decode
from wirewatch.core.models import WireModel

M = TypeVar("M", bound=WireModel)

STAGE = "sink"
"""The dead letters' stage: what the sink could not read, or the engine refused."""


Record = SourceRecord
"""What the sink reads of a consumed record (kafka-python's `ConsumerRecord`)."""


@dataclass
class Decoded(Generic[M]):
    """A topic's records of a batch: those that decoded, and dead letters for the rest."""

    items: list[tuple[Record, M]] = field(default_factory=list)
    letters: list[DeadLetter] = field(default_factory=list)


def letter_for(record: Record, reason: str, at: datetime) -> DeadLetter:
    """`record`, whole, as a dead letter of the sink stage."""
    return DeadLetter.of_record(record, stage=STAGE, reason=reason, at=at)


def decode_records(model: type[M], records: Iterable[Record], at: datetime) -> Decoded[M]:
    """Decode each record's value; one that does not decode becomes a dead letter."""
    out: Decoded[M] = Decoded()
    for r in records:
        try:
            out.items.append((r, decode(model, r.value)))
        except DecodeError as e:
            out.letters.append(letter_for(r, e.reason, at))
    return out


def of_topic(records: Sequence[Record], topic: str) -> list[Record]:
    return [r for r in records if r.topic == topic]


def commit_offsets(records: Iterable[Record]) -> dict[tuple[str, int], int]:
    """The offset to commit per (topic, partition) once `records` are durable: one past
    the highest offset seen (Kafka's committed offset is the next record to read)."""
    offsets: dict[tuple[str, int], int] = {}
    for r in records:
        tp = (r.topic, r.partition)
        offsets[tp] = max(offsets.get(tp, 0), r.offset + 1)
    return offsets
