"""A faust app whose consumer never commits a record it dropped for a rebalance.

faust-streaming 0.15.3 drops the records a worker fetched before a rebalance but had not
yet handed to an agent (their generation is stale: faust PR #223), and *acknowledges*
them as it does a filtered record, so that lag does not grow. If the rebalance gives the
partition back to the same worker, those acks count in the new generation, and the next
commit moves the group's offset past records no agent ever saw. Measured with
`bench/soak_distributed.py` (2 workers, one killed every 20 s): 121 of 600 articles
never reached `articles.enriched`, in runs of 10–20 offsets per partition around each
rebalance, their offsets committed.

It drops, and acknowledges, the records it reads while a rebalance suspends the flow
too. Refusing those acks (any ack of a stale generation, or during a rebalance) is half the
fix: after a rebalance faust seeks every partition to its committed offset, so a record
that was dropped is fetched again, in the new generation, and processed (at least once,
as everywhere else: a record processed but acked late is processed again). The other
half: aiokafka's `seek_to_committed` does not move a partition the group never committed
(a new deployment, a worker's first seconds), so its fetch position stayed past the
dropped records, and faust then committed the first run of acks after them (15–27 of
360–600 articles lost, the first offsets of a few partitions). Such a partition is now
read from its beginning, as `auto_offset_reset=earliest` would for a new consumer.

What was left (1 of ~600 now and then): faust's own choice of the offset to commit.
Right after an assignment (faust runs its fetcher to read the changelogs, then seeks the
agents' partitions to their committed offsets) a few records of a partition can go
unread while the ones after them are processed and acked (soaks: 1–4 such holes a run).
faust then commits past them when the hole is one record wide (it allows one missing
offset after the committed one), when it does not know the committed offset (a
never-committed partition), or when it took the jump for a compacted range (its "gaps").
The consumer now commits only a run of acked offsets that begins exactly where reading
began (`offsets.next_commit`), never counts a jump as done, and reads a partition again
from its committed offset when a hole stays open for two commits in a row (`offsets.hole`):
a dropped record is then processed, and the records after it once more.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any, ClassVar

import faust
from faust.transport.drivers import aiokafka
from faust.types import TP, ConsumerT, Message, TransportT
from faust.types.transports import TPorTopicSet

from wirewatch.runtime.worker import offsets

log = logging.getLogger("wirewatch.worker")


class CurrentGenerationConsumer(aiokafka.Consumer):
    """Acknowledges only the records fetched in the consumer group's current generation,
    reads a partition the group never committed from its beginning after a rebalance, and
    commits only offsets below which every record was acked."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holes: dict[TP, int] = {}  # partition → where its hole began, this commit
        self._open_holes: dict[TP, int] = {}  # the same, at the commit before

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        sources = self.app.topics.acking_topics  # the agents' topics, not the changelogs
        never = [tp for tp, offset in committed.items() if not offset and tp.topic in sources]
        if never:  # aiokafka seeks only to an offset > 0: the fetch position would stay
            earliest = await self.earliest_offsets(*never)
            await self.seek_wait(earliest)
            # where reading began stands for the committed offset (faust keeps None)
            self._committed_offset.update(earliest)
        return committed

    def ack(self, message: Message) -> bool:
        fetched_in = message.generation_id
        stale = fetched_in is not None and fetched_in != self.app.consumer_generation_id
        if stale or not self.app.flow_control.is_active():
            # Maybe dropped by the stream, not processed (it drops records while a
            # rebalance suspends the flow, too): fetched again after the seek, at worst a
            # repeat. Done with here, so no wait for pending acks waits for it; not committed.
            message.acked = True
            self._unacked_messages.discard(message)
            return False
        return super().ack(message)

    def _new_offset(self, tp: TP) -> int | None:
        start, acked = self._committed_offset[tp], self._acked[tp]
        if start is None or not acked:  # not known before the seek after an assignment
            return None
        end = offsets.next_commit(start, acked)
        if end is not None:
            acked[:] = sorted(o for o in acked if o >= end)
            self._acked_index[tp] = set(acked)
        elif offsets.hole(start, acked):
            self._holes[tp] = start
        return end

    async def _add_gap(self, tp: TP, offset_from: int, offset_to: int) -> None:
        """Not done: see the module's docstring (a jump here is a record faust dropped)."""

    async def force_commit(
        self, topics: TPorTopicSet | None = None, start_new_transaction: bool = True
    ) -> bool:
        self._holes = {}
        committed = await super().force_commit(topics, start_new_transaction)
        if self.app.flow_control.is_active():  # not while a rebalance seeks anyway
            await self._read_holes_again()
        self._open_holes = self._holes
        return committed

    async def _read_holes_again(self) -> None:
        """Seek back to the start of each hole that was open at the last commit too (one
        commit's grace: a record being read again after a seek can trail the ones after)."""
        assigned = self.assignment()
        for tp, start in list(self._holes.items()):
            if self._open_holes.get(tp) != start or tp not in assigned:
                continue
            del self._holes[tp]
            earliest = (await self.earliest_offsets(tp))[tp]
            if earliest > start:  # deleted by retention: nothing to read below `earliest`
                self._committed_offset[tp] = earliest
                continue
            log.warning(
                "%s[%d]: offset %d was dropped unprocessed around a rebalance; "
                "reading the partition again from it (what follows comes out twice)",
                tp.topic,
                tp.partition,
                start,
            )
            await self.seek(tp, start)


class CurrentGenerationTransport(aiokafka.Transport):
    Consumer: ClassVar[type[ConsumerT]] = CurrentGenerationConsumer


class RebalanceSafeApp(faust.App):
    """`faust.App` with the consumer above (faust takes its transport from the broker URL)."""

    def _new_transport(self) -> TransportT:
        return CurrentGenerationTransport(self.conf.broker_consumer, self)
