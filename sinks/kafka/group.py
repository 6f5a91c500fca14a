"""A consumer group member that commits only what its stage made durable.

The sink reads `articles.enriched` and `alerts` this way: it polls a batch, stores
it, and only then commits the batch's offsets. A commit refused because the group
rebalanced meanwhile (the member took longer than `max.poll.interval.ms`, or another
member joined) is not an error: the records are delivered again, to this member or
another, and their ids make the repeat harmless.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Mapping
from typing import Any

from kafka.errors import CommitFailedError, KafkaError
from kafka.structs import OffsetAndMetadata, TopicPartition

from sinks.kafka.connect import group_consumer
from wirewatch.core.settings import KafkaSettings

log = logging.getLogger("sinks.kafka.group")

POLL_MS = 1_000
"""How long one poll waits for records: the longest a stop request waits for the loop."""


class GroupReader:
    """`poll` a batch, `commit` its offsets once stored, `close` without committing."""

    def __init__(self, k: KafkaSettings, role: str, topics: list[str], max_records: int) -> None:
        self._consumer = group_consumer(k, role, topics)
        self._max_records = max_records
        self._waiting = False  # the broker was unreachable at the last poll

    def poll(self) -> list[Any]:
        """The next records (kafka-python `ConsumerRecord`s), in order per partition.

        While the broker cannot be reached (kafka-python's poll raises its connection
        errors, e.g. while looking for the group coordinator), an empty batch after a
        pause: the loop goes on, and the consumer reconnects by itself once the broker is
        back. An error that retrying cannot mend is raised."""
        try:
            polled = self._consumer.poll(timeout_ms=POLL_MS, max_records=self._max_records)
        except KafkaError as e:
            if not e.retriable:
                raise
            if not self._waiting:
                log.warning("cannot reach Kafka, retrying until it answers: %s", e)
            self._waiting = True
            time.sleep(POLL_MS / 1000)
            return []
        if self._waiting:
            log.warning("Kafka answers again")
            self._waiting = False
        return [r for records in polled.values() for r in records]

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> bool:
        """Commit `offsets` (the next record to read per topic and partition); False when
        the group rebalanced first and the records will come again."""
        try:
            self._consumer.commit(
                {
                    TopicPartition(topic, partition): OffsetAndMetadata(offset, "", -1)
                    for (topic, partition), offset in offsets.items()
                }
            )
        except CommitFailedError as e:
            log.warning("offsets not committed, the records will come again: %s", e)
            return False
        except KafkaError as e:
            if not e.retriable:
                raise
            log.warning(
                "offsets not committed (Kafka unreachable), the records will come again: %s", e
            )
            return False
        return True

    def lag(self, next_offsets: Mapping[tuple[str, int], int]) -> dict[tuple[str, int], int]:
        """Records of each partition after `next_offsets` (the next record to read), for
        the partitions whose high-water mark the last fetch reported (no request sent)."""
        out = {}
        for (topic, partition), offset in next_offsets.items():
            highwater = self._consumer.highwater(TopicPartition(topic, partition))
            if highwater is not None:
                out[(topic, partition)] = max(0, highwater - offset)
        return out

    def close(self) -> None:
        try:
            self._consumer.close(autocommit=False)
        except KafkaError as e:  # leaving the group: the broker will notice the member is gone
            log.warning("closing the consumer: %s", e)
