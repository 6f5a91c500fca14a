"""The dead-letter topic: stages put what they cannot read or process there, the CLI lists
it and puts messages back on their topic once the cause is fixed.

A dead letter keeps the original key and bytes (`wirewatch.core.messages.DeadLetter`),
so a replay produces exactly what the stage first received; a message that fails again
is dead-lettered again by the stage, with its new reason. The topic is a log: listing
shows every dead letter the topic still retains, replayed or not, each named by its
place on the dead-letter topic (`PARTITION-OFFSET`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from kafka.errors import KafkaError

from sinks.kafka.connect import TIMEOUT_MS, KafkaUnavailable, producer
from sinks.kafka.log import produce, read_topic
from wirewatch.core.messages import DeadLetter, DecodeError, decode, encode
from wirewatch.core.settings import KafkaSettings

log = logging.getLogger("wirewatch.deadletters")


class Sender(Protocol):
    """What `dead_letter` needs of a producer (kafka-python's `KafkaProducer.send`)."""

    def send(self, topic: str, *, key: bytes | None, value: bytes) -> Any: ...


def dead_letter(p: Sender, topic: str, letter: DeadLetter) -> Any:
    """Send `letter` to the dead-letter `topic`, keyed as the original message; returns
    the producer's future, which the stage waits on before committing the offset."""
    return p.send(topic, key=letter.key, value=encode(letter))


def send_dead_letters(p: Sender, topic: str, letters: Sequence[DeadLetter]) -> None:
    """Send `letters` and wait until Kafka acknowledged each (a stage commits the offsets
    they came from only then); a send that failed raises `KafkaUnavailable`."""
    sent = []
    for letter in letters:
        log.error(
            "dead letter from %s %d-%d (stage %s): %s",
            letter.source_topic,
            letter.partition,
            letter.offset,
            letter.stage,
            letter.reason,
        )
        sent.append(dead_letter(p, topic, letter))
    try:
        for future in sent:
            future.get(timeout=TIMEOUT_MS / 1000)
    except KafkaError as e:
        raise KafkaUnavailable(f"cannot write dead letters to {topic}: {e}") from None


@dataclass(frozen=True)
class StoredDeadLetter:
    """A dead letter and its id: its partition and offset on the dead-letter topic."""

    id: str
    letter: DeadLetter


def list_dead_letters(k: KafkaSettings) -> list[StoredDeadLetter]:
    """Every dead letter the topic retains, oldest first (a record that is not a dead
    letter is logged and skipped)."""
    found = []
    for r in read_topic(k, k.topic_deadletters, "deadletters"):
        try:
            letter = decode(DeadLetter, r.value)
        except DecodeError as e:
            log.error("skipping record %d-%d of %s: %s", r.partition, r.offset, r.topic, e.reason)
            continue
        found.append(StoredDeadLetter(f"{r.partition}-{r.offset}", letter))
    return sorted(found, key=lambda s: s.letter.at)


def replay(k: KafkaSettings, letters: Sequence[DeadLetter]) -> int:
    """Produce each letter's original key and bytes to its source topic; returns how many
    Kafka acknowledged (all, or KafkaUnavailable)."""
    if not letters:
        return 0
    p = producer(k, "deadletters")
    try:
        by_topic: dict[str, list[tuple[bytes | None, bytes | None]]] = {}
        for letter in letters:
            by_topic.setdefault(letter.source_topic, []).append((letter.key, letter.value))
        for topic, records in by_topic.items():
            produce(k, p, topic, records)
    finally:
        p.close(timeout=5)
    return len(letters)
