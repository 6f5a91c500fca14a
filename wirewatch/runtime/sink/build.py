"""Build the sink from settings: its Kafka reader and dead-letter producer, the engine,
the senders. Tests of the loop build `Sink` directly with their own pieces."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from sinks.kafka.connect import broker_problem, producer
from sinks.kafka.control import KafkaRuleStore
from sinks.kafka.deadletters import send_dead_letters
from sinks.kafka.group import GroupReader
from wirewatch.core.errors import ConfigError
from wirewatch.core.messages import DeadLetter
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.models import AlertRule
from wirewatch.runtime.build import GuardedPost, build_senders, build_webhook_post
from wirewatch.runtime.context import AppContext
from wirewatch.runtime.observe.probe import Probe
from wirewatch.runtime.sink.app import Sink

ROLE = "sink"
"""The consumer group is `<client_id>-sink`, its clients `<client_id>-sink`."""


@dataclass
class BuiltSink:
    sink: Sink
    close_kafka: Callable[[], None]
    post: GuardedPost
    readiness: dict[str, Probe]
    """The checks of `/readyz`: the broker and the engine answer."""

    async def aclose(self) -> None:
        """Leave the group (nothing committed on the way out), close the producer and the
        webhook client."""
        try:
            self.close_kafka()
        finally:
            await self.post.aclose()


def build_sink(ctx: AppContext, metrics: Metrics = NO_METRICS) -> BuiltSink:
    """The sink of `ctx`'s settings (distributed mode, with a search engine)."""
    k = ctx.settings.kafka
    engine = ctx.engine
    if engine is None or ctx.hit_rules is None:
        raise ConfigError(
            "the sink needs search.engine and mode: distributed",
            hint="set both (docs/distributed.md#the-sink)",
        )
    letters = producer(k, ROLE)

    def send_letters(batch: Sequence[DeadLetter]) -> None:
        send_dead_letters(letters, k.topic_deadletters, batch)

    def read_rules() -> list[AlertRule]:
        """The `alerts.rules` topic as it is now: a store of its own reads it once."""
        topic = KafkaRuleStore(k)
        try:
            return topic.rules()
        finally:
            topic.close()

    reader = GroupReader(k, ROLE, [k.topic_enriched, k.topic_alerts], max_records=500)
    post = build_webhook_post(ctx.settings, ctx.clock)
    sink = Sink(
        ctx,
        reader=reader,
        engine=engine,
        hit_rules=ctx.hit_rules,
        read_rules=read_rules,
        send_letters=send_letters,
        senders=build_senders(ctx.settings, post),
        metrics=metrics,
    )

    def close_kafka() -> None:
        try:
            reader.close()
        finally:
            letters.close(timeout=5)

    checks = {"kafka": Probe(partial(broker_problem, k)), "engine": Probe(engine.problem)}
    return BuiltSink(sink, close_kafka, post, checks)
