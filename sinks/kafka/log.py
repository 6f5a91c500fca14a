"""Reading a topic from its beginning to its end offsets, and producing keyed records
that are acknowledged before the call returns.

A compacted topic read this way is a snapshot: the last record of each key is its
current value, a tombstone (no value) deletes the key. The end offsets are taken when
the read starts, so a read always finishes, even while others keep writing.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError

from sinks.kafka.connect import TIMEOUT_MS, KafkaUnavailable, consumer, unreachable
from wirewatch.core.settings import KafkaSettings

POLL_MS = 500


@dataclass(frozen=True)
class Record:
    """One record as read: where it sits and its raw key and value."""

    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def read_topic(k: KafkaSettings, topic: str, role: str) -> list[Record]:
    """Every record of `topic` up to the end offsets of when the read started, in
    partition then offset order."""
    c = consumer(k, role)
    try:
        return list(_records(k, c, topic))
    except KafkaError as e:
        raise unreachable(k, e) from None
    finally:
        c.close()


def snapshot(records: Sequence[Record]) -> dict[bytes, bytes]:
    """The current value of each key of a compacted topic (tombstones delete)."""
    state: dict[bytes, bytes] = {}
    for r in records:
        if r.key is None:
            continue
        if r.value is None:
            state.pop(r.key, None)
        else:
            state[r.key] = r.value
    return state


def _records(k: KafkaSettings, c: KafkaConsumer, topic: str) -> Iterator[Record]:
    parts = c.partitions_for_topic(topic)
    if not parts:
        raise KafkaUnavailable(
            f"topic {topic!r} does not exist on {k.bootstrap_servers}",
            hint="create the distributed mode's topics with `wirewatch setup`",
        )
    tps = [TopicPartition(topic, p) for p in sorted(parts)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    ends = c.end_offsets(tps, timeout_ms=TIMEOUT_MS)
    left = {tp for tp in tps if c.position(tp, timeout_ms=TIMEOUT_MS) < ends[tp]}
    got: dict[TopicPartition, list[Record]] = {tp: [] for tp in tps}
    idle = 0
    while left:
        batch = c.poll(timeout_ms=POLL_MS)
        idle = 0 if batch else idle + POLL_MS
        if idle > TIMEOUT_MS:
            raise KafkaUnavailable(
                f"reading {topic!r} stalled before its end offsets",
                hint="check the broker's health and retry",
            )
        for tp, messages in batch.items():
            for m in messages:
                if m.offset < ends[tp]:
                    got[tp].append(Record(topic, m.partition, m.offset, m.key, m.value))
        for tp in list(left):
            if c.position(tp, timeout_ms=TIMEOUT_MS) >= ends[tp]:
                left.discard(tp)
                c.pause(tp)
    for tp in tps:
        yield from got[tp]


def produce(
    k: KafkaSettings,
    p: KafkaProducer,
    topic: str,
    records: Sequence[tuple[bytes | None, bytes | None]],
) -> None:
    """Send (key, value) records, a None value being a tombstone, and wait until Kafka
    acknowledged every one; KafkaUnavailable if any was not."""
    try:
        futures = [p.send(topic, key=key, value=value) for key, value in records]
        p.flush(timeout=2 * TIMEOUT_MS / 1000)
        for f in futures:
            f.get(timeout=TIMEOUT_MS / 1000)
    except (KafkaError, OSError) as e:
        raise KafkaUnavailable(
            f"writing to {topic!r} on {k.bootstrap_servers} failed: {e}",
            hint="check that the broker runs and `wirewatch setup` created the topics; "
            "then run the command again",
        ) from None
