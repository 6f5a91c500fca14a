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
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar

import faust
from faust.transport.drivers import aiokafka
from faust.types import TP, ConsumerT, Message, TransportT


class CurrentGenerationConsumer(aiokafka.Consumer):
    """Acknowledges only the records fetched in the consumer group's current generation,
    and reads a partition the group never committed from its beginning after a rebalance."""

    async def seek_to_committed(self) -> Mapping[TP, int]:
        committed = await super().seek_to_committed()
        sources = self.app.topics.acking_topics  # the agents' topics, not the changelogs
        never = [tp for tp, offset in committed.items() if not offset and tp.topic in sources]
        if never:  # aiokafka seeks only to an offset > 0: the fetch position would stay
            await self.seek_wait(await self.earliest_offsets(*never))
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


class CurrentGenerationTransport(aiokafka.Transport):
    Consumer: ClassVar[type[ConsumerT]] = CurrentGenerationConsumer


class RebalanceSafeApp(faust.App):
    """`faust.App` with the consumer above (faust takes its transport from the broker URL)."""

    def _new_transport(self) -> TransportT:
        return CurrentGenerationTransport(self.conf.broker_consumer, self)
