"""The worker's consumer commits no record it dropped, and reads a lasting hole again.

The acks are those a soak saw after a rebalance (`bench/soak_distributed.py`): the
records after the committed offset acked, the one at it dropped unread. No broker: the
consumer is built but not started, and its seek and offset look-ups are recorded.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from faust.transport.drivers.aiokafka import Consumer as FaustConsumer
from faust.types import TP

from wirewatch.runtime.worker.rebalance import RebalanceSafeApp

RAW = TP("articles.raw", 3)


@dataclass
class Recorded:
    """The consumer's seeks, instead of the broker's."""

    seeks: list[tuple[TP, int]] = field(default_factory=list)

    async def seek(self, tp: TP, offset: int) -> None:
        self.seeks.append((tp, offset))

    async def earliest_offsets(self, *tps: TP) -> dict[TP, int]:
        return dict.fromkeys(tps, 0)


@pytest.fixture
async def recorded() -> AsyncIterator[Recorded]:
    yield Recorded()


@pytest.fixture
async def consumer(recorded: Recorded) -> AsyncIterator[Any]:
    """The worker's consumer (built in the test's event loop, not started), committed up
    to offset 10 of RAW, with 11–13 acked and 10 dropped around a rebalance."""
    app = RebalanceSafeApp("commits-test", broker="kafka://127.0.0.1:9", web_enabled=False)
    app.flow_control.resume()  # as in a running worker between rebalances
    c = app.consumer
    c._committed_offset[RAW] = 10
    c._acked[RAW].extend([11, 12, 13])
    c.seek, c.earliest_offsets = recorded.seek, recorded.earliest_offsets
    c.assignment = lambda: {RAW}
    yield c
    c._thread.thread_loop.close()  # the consumer thread's loop, never started


async def test_faust_alone_commits_past_the_dropped_record(consumer: Any) -> None:
    assert FaustConsumer._new_offset(consumer, RAW) == 14  # the loss this consumer prevents


async def test_nothing_is_committed_past_a_dropped_record(consumer: Any) -> None:
    assert await consumer.force_commit() is False
    assert consumer._committed_offset[RAW] == 10


async def test_a_hole_open_for_two_commits_is_read_again_from_its_start(
    consumer: Any, recorded: Recorded
) -> None:
    await consumer.force_commit()
    assert recorded.seeks == []  # one commit's grace: the record may be on its way
    await consumer.force_commit()
    assert recorded.seeks == [(RAW, 10)]


async def test_once_the_dropped_record_is_acked_the_whole_run_is_committable(
    consumer: Any,
) -> None:
    consumer._acked[RAW].append(10)
    assert consumer._new_offset(RAW) == 14
    assert not consumer._acked[RAW]


async def test_no_seek_while_a_rebalance_suspends_the_flow(
    consumer: Any, recorded: Recorded
) -> None:
    consumer.app.flow_control.suspend()  # the rebalance seeks to the committed offsets
    await consumer.force_commit()
    await consumer.force_commit()
    assert recorded.seeks == []
