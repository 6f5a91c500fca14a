"""The worker's faust app: topics, tables and agents, each agent a short `async for`.

raw → `enrich` (every worker, for its partitions of `articles.raw`): enrich and sign,
send candidates to the one-partition candidates topic → `resolve` (the one worker that
owns that partition): story id from the story state, kept in the `story-records`
table (a changelog, restored at start) → `articles.enriched` → `match` (every worker,
for its partitions): hits for the rules of the `rules` global table, read from the
compacted `alerts.rules` topic (tombstones remove) → `alerts`, keyed by rule and story.

What a stage cannot read goes to the dead-letter topic with the reason; the stream goes
on. faust flushes its producer (a table's changelog records and the agents' output)
before it commits the offsets they came from, so a crash repeats work (at-least-once)
and loses none.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

import faust

from processors.enrich.pipeline import Enricher
from processors.enrich.stories import StoryIndex
from sinks.kafka.deadletters import dead_letter
from wirewatch.core.clock import SystemClock
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.settings import Settings
from wirewatch.core.topics import SESSION_TIMEOUT_S, group_id
from wirewatch.runtime.observe.record import timed
from wirewatch.runtime.observe.server import serving
from wirewatch.runtime.worker import stages
from wirewatch.runtime.worker.credentials import broker_credentials
from wirewatch.runtime.worker.rebalance import RebalanceSafeApp

BATCH_WAIT_S = 0.5  # how long `enrich` waits to fill an NER batch
EXPIRE_EVERY = timedelta(minutes=1)
RAW: dict[str, Any] = {"key_type": bytes, "value_type": bytes}


class TopicGlobalTable(faust.GlobalTable):
    """A global table whose changelog is a topic of our own (`alerts.rules`).

    faust 0.15.3's partition assignor looks a global table's changelog up by the default
    name (`<app id>-<table>-changelog`), not the topic it was given, and the group join
    then never completes (faust issue robinhood/faust#507): name the given topic instead.
    """

    def _changelog_topic_name(self) -> str:
        return self.changelog_topic.get_topic_name()


def build_app(settings: Settings, metrics: Metrics = NO_METRICS) -> faust.App:
    """The worker app for these settings; every worker of a deployment builds the same.

    With metrics on, a task serves them (and /healthz, /readyz) on the worker's loop once
    faust has started; faust's own web server stays off."""
    k = settings.kafka
    datadir = settings.data_dir / "worker"
    datadir.mkdir(parents=True, exist_ok=True)  # faust makes only the last level: a new
    # data directory (a fresh machine, a worker started before any other command) failed
    app = RebalanceSafeApp(
        group_id(k, "worker"),
        broker=[f"kafka://{s.strip()}" for s in k.bootstrap_servers.split(",")],
        datadir=str(datadir),
        web_enabled=False,
        key_serializer="raw",
        value_serializer="raw",
        GlobalTable=TopicGlobalTable,
        broker_session_timeout=SESSION_TIMEOUT_S,
        broker_credentials=broker_credentials(k),
    )
    clock = SystemClock()
    raw = app.topic(k.topic_raw, **RAW)
    candidates = app.topic(k.topic_candidates, **RAW)
    enriched = app.topic(k.topic_enriched, **RAW)
    records = app.Table("story-records", partitions=1, **RAW)
    rules = app.GlobalTable(
        "rules",
        partitions=1,
        recovery_buffer_size=1,  # faust's advice for a GlobalTable shared by several workers
        changelog_topic=app.topic(k.topic_rules, **RAW),
        **RAW,
    )

    models_loaded = asyncio.Event()

    def received(event: faust.EventT, stage: str) -> stages.Received:
        m = event.message
        metrics.count("wirewatch_articles_in_total", stage=stage)
        highwater = app.consumer.highwater(m.tp)
        if highwater is not None:  # unknown until the first fetch of the partition
            lag = max(0, highwater - m.offset - 1)
            metrics.set(
                "wirewatch_consumer_lag_records", lag, topic=m.topic, partition=str(m.partition)
            )
        return stages.Received(m.topic, m.partition, m.offset, event.key, event.value)

    async def send(topic: str, out: stages.Output, stage: str) -> None:
        metrics.count("wirewatch_articles_out_total", len(out.records), stage=stage)
        if out.dead:
            metrics.count("wirewatch_errors_total", len(out.dead), stage=stage, kind="dead_letter")
        for key, value in out.records:
            await app.send(topic, key=key, value=value)
        for letter in out.dead:
            await dead_letter(app, k.topic_deadletters, letter)

    @app.agent(raw)
    async def enrich(stream: faust.StreamT[bytes]) -> None:
        enricher = Enricher(settings.enrich, clock=clock)
        models_loaded.set()
        batches = cast("faust.Stream[bytes]", stream).take_events  # not declared on StreamT
        try:
            async for events in batches(settings.enrich.batch_size, BATCH_WAIT_S):
                batch = [received(e, "enrich") for e in events]
                # off the event loop: the other agents, commits and heartbeats go on meanwhile
                with timed(metrics, "enrich"):
                    out = await asyncio.to_thread(stages.sign, enricher, batch, clock.now())
                await send(k.topic_candidates, out, "enrich")
        finally:
            enricher.close()  # its NER processes stop with the worker

    @app.agent(candidates)
    async def resolve(stream: faust.StreamT[bytes]) -> None:
        index = StoryIndex(timedelta(hours=settings.enrich.story_window_hours))
        expired_at = None
        async for event in stream.events():
            now = clock.now()
            if expired_at is None:  # the table is recovered once events flow
                index.restore(stages.decode_record(a.decode(), v) for a, v in records.items())
            if expired_at is None or now - expired_at >= EXPIRE_EVERY:
                expired_at = now
                index.expire(now)
                for a in stages.expired(records, now - index.window):
                    del records[a]
            with timed(metrics, "resolve"):
                out, record = stages.resolve(index, received(event, "resolve"), now)
            if record is not None:
                records[record.article_id.encode()] = stages.encode_record(record)
            await send(k.topic_enriched, out, "resolve")

    @app.agent(enriched)
    async def match(stream: faust.StreamT[bytes]) -> None:
        compiled = stages.Rules()
        async for event in stream.events():
            rule_set = compiled.refresh(rules)
            with timed(metrics, "match"):
                out = stages.match(rule_set, received(event, "match"), clock.now())
            await send(k.topic_alerts, out, "match")

    def readiness() -> dict[str, Callable[[], str | None]]:
        return {
            "models": lambda: None if models_loaded.is_set() else "loading the NLP models",
            "kafka": lambda: (
                None
                if app.consumer.assignment()
                else "no partitions assigned yet (joining the consumer group)"
            ),
        }

    @app.task
    async def observe() -> None:
        async with serving(settings.metrics, metrics, readiness()):
            await asyncio.Event().wait()  # until faust cancels its tasks at shutdown

    return app
