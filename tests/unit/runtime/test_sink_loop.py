"""The sink's loop without Kafka: what it commits, when, and what it copies to the engine.

The reader, the engine and the dead-letter producer are fakes that write what happens
to one shared log, in order; the hit log and its deliveries are the real SQLite ones of
a data directory, and the `alerts.rules` topic is a second SQLite rule store.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from tests.support.enriched import enriched, hit
from tests.support.scrape import samples, total
from tests.unit.runtime.test_sink_batch import Rec
from wirewatch.core.messages import DeadLetter, encode
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.models import Alert, AlertRule, Channel, DeliveryState, EnrichedArticle
from wirewatch.core.ports import IndexResult, IndexStopped
from wirewatch.core.settings import load_settings
from wirewatch.runtime.context import AppContext, open_context
from wirewatch.runtime.observe.prom import PrometheusMetrics
from wirewatch.runtime.sink.app import Sink
from wirewatch.runtime.store import EngineIndex

NOW = datetime(2026, 5, 1, 9, 0, tzinfo=UTC)
WEBHOOK = "https://hooks.example.org/desk"


class Log(list[tuple[str, object]]):
    def names(self) -> list[str]:
        return [name for name, _ in self]


class Reader:
    """Hands out `batches`, then asks the sink to stop; logs each commit, and keeps how
    many hits the hit log held at that moment."""

    def __init__(self, log: Log, batches: list[list[Rec]], hits: AlertStore) -> None:
        self.log, self.batches, self.hits = log, batches, hits
        self.sink: Sink | None = None
        self.hits_at_commit: list[int] = []

    def poll(self) -> Sequence[Rec]:
        if self.batches:
            return self.batches.pop(0)
        assert self.sink is not None
        self.sink.request_stop()
        return []

    def commit(self, offsets: Mapping[tuple[str, int], int]) -> bool:
        self.log.append(("commit", dict(offsets)))
        self.hits_at_commit.append(self.hits.count_hits())
        return True

    def lag(self, next_offsets: Mapping[tuple[str, int], int]) -> dict[tuple[str, int], int]:
        """As if each partition ended 10 records after the first offset of the test."""
        return {tp: 10 - offset for tp, offset in next_offsets.items()}


class Engine:
    """Indexes and copies hits at once; `down` makes it wait until told to stop waiting,
    as the bulk sink does during an outage, and then give the batch up."""

    def __init__(self, log: Log, *, down: bool = False) -> None:
        self.log, self.down = log, down
        self.waiting = threading.Event()
        self._stop = threading.Event()

    def _wait_if_down(self) -> None:
        if self.down:
            self.waiting.set()
            self._stop.wait(30)
            raise IndexStopped("the engine is down and the sink is stopping")

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexResult:
        self._wait_if_down()
        self.log.append(("index", [e.id for e in batch]))
        return IndexResult(len(batch))

    def index_hits(self, hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexResult:
        self._wait_if_down()
        self.log.append(("hits", [(a.id, s) for a, s in hits]))
        return IndexResult(len(hits))

    def refresh(self) -> None:
        pass

    def stop_waiting(self) -> None:
        self._stop.set()


class Harness:
    """A data directory's context whose rule store stands for the `alerts.rules` topic."""

    def __init__(self, tmp_path: Path) -> None:
        config = tmp_path / "wirewatch.yaml"
        config.write_text("data_dir: data\n")
        self.ctx: AppContext = open_context(
            load_settings(config, env={}, cwd=tmp_path), sync_config=False
        )
        self.hit_rules = self.ctx.rules
        self.topic = AlertStore(Database.memory())
        self.hits = AlertStore(Database.open(self.ctx.data_dir))  # a second look inside
        self.log = Log()
        k = self.ctx.settings.kafka
        self.enriched_topic, self.alerts_topic = k.topic_enriched, k.topic_alerts

    def article(self, offset: int, article: EnrichedArticle) -> Rec:
        return Rec(self.enriched_topic, 0, offset, article.id.encode(), encode(article))

    def alert(self, offset: int, alert: Alert) -> Rec:
        return Rec(self.alerts_topic, 1, offset, alert.id.encode(), encode(alert))

    def sink(
        self,
        batches: list[list[Rec]],
        engine: Engine,
        send_letters: Callable[[Sequence[DeadLetter]], None] | None = None,
        metrics: Metrics = NO_METRICS,
    ) -> Sink:
        self.reader = reader = Reader(self.log, batches, self.hits)

        def letters(batch: Sequence[DeadLetter]) -> None:
            self.log.append(("letters", [letter.value for letter in batch]))

        sink = Sink(
            self.ctx,
            reader=reader,
            engine=cast(EngineIndex, engine),  # the sink indexes, copies hits, stops waiting
            hit_rules=self.hit_rules,
            read_rules=self.topic.rules,
            send_letters=send_letters or letters,
            senders={},
            metrics=metrics,
        )
        reader.sink = sink
        return sink


@pytest.fixture
def h(tmp_path: Path) -> Iterator[Harness]:
    harness = Harness(tmp_path)
    harness.topic.add_rule(AlertRule(id="r1", name="r1", query="floods", created_at=NOW))
    yield harness
    harness.ctx.close()


A1 = enriched("a1", "Danube floods")


def test_offsets_are_committed_only_after_the_batch_is_indexed_and_its_hits_recorded(
    h: Harness,
) -> None:
    batch = [h.article(7, A1), h.alert(3, hit(A1, "r1"))]

    counts = asyncio.run(h.sink([batch], Engine(h.log)).run())

    assert h.log.names() == ["index", "hits", "commit"]
    assert h.log[-1] == ("commit", {(h.enriched_topic, 0): 8, (h.alerts_topic, 1): 4})
    assert h.reader.hits_at_commit == [1]
    assert (counts.indexed, counts.hits_new) == (1, 1)


def test_nothing_is_committed_when_the_engine_stays_down_and_stop_is_asked(h: Harness) -> None:
    engine = Engine(h.log, down=True)
    sink = h.sink([[h.article(0, A1)]], engine)

    async def stop_while_waiting() -> None:
        run = asyncio.create_task(sink.run())
        while not engine.waiting.is_set():
            await asyncio.sleep(0.01)
        sink.request_stop()
        await run

    asyncio.run(stop_while_waiting())

    assert h.log == []


def test_dead_letters_are_acknowledged_before_the_commit(h: Harness) -> None:
    batch = [Rec(h.enriched_topic, 0, 0, b"poison", b"{not json"), h.article(1, A1)]

    asyncio.run(h.sink([batch], Engine(h.log)).run())

    assert h.log.names() == ["index", "letters", "commit"]
    assert h.log[1] == ("letters", [b"{not json"])


def test_the_sink_counts_articles_in_and_out_dead_letters_timing_freshness_and_lag(
    h: Harness,
) -> None:
    metrics = PrometheusMetrics()
    batch = [Rec(h.enriched_topic, 0, 0, b"poison", b"{not json"), h.article(1, A1)]

    asyncio.run(h.sink([batch], Engine(h.log), metrics=metrics).run())

    values = samples(metrics.exposition().decode())
    assert total(values, "wirewatch_articles_in_total", stage="sink") == 2
    assert total(values, "wirewatch_articles_out_total", stage="sink") == 1
    assert total(values, "wirewatch_errors_total", stage="sink", kind="dead_letter") == 1
    assert total(values, "wirewatch_stage_duration_seconds_count", stage="sink") == 1
    assert total(values, "wirewatch_freshness_seconds_count", source="example.org") == 1
    lag = dict(topic=h.enriched_topic, partition="0")
    assert total(values, "wirewatch_consumer_lag_records", **lag) == 8  # 10 - next offset 2


def test_a_batch_given_up_at_stop_counts_as_index_down(h: Harness) -> None:
    metrics = PrometheusMetrics()
    engine = Engine(h.log, down=True)
    engine.stop_waiting()

    asyncio.run(h.sink([[h.article(0, A1)]], engine, metrics=metrics).run())

    values = samples(metrics.exposition().decode())
    assert total(values, "wirewatch_errors_total", stage="sink", kind="index_down") == 1
    assert total(values, "wirewatch_articles_out_total", stage="sink") == 0


def test_a_dead_letter_send_that_fails_commits_nothing(h: Harness) -> None:
    def refused(batch: Sequence[DeadLetter]) -> None:
        raise OSError("the broker did not acknowledge the dead letter")

    batch = [Rec(h.enriched_topic, 0, 0, b"poison", b"{not json")]

    with pytest.raises(OSError, match="did not acknowledge"):
        asyncio.run(h.sink([batch], Engine(h.log), refused).run())

    assert "commit" not in h.log.names()


def test_hits_recorded_by_a_sink_stopped_before_their_copy_reach_the_engine_when_replayed(
    h: Harness,
) -> None:
    batch = [h.alert(0, hit(A1, "r1"))]
    down = Engine(h.log, down=True)
    down.stop_waiting()  # the engine went down as the sink was stopping: the copy is given up

    asyncio.run(h.sink([list(batch)], down).run())
    assert h.log == [] and h.hits.count_hits() == 1  # recorded, not copied, not committed

    asyncio.run(h.sink([list(batch)], Engine(h.log)).run())

    assert h.log.names() == ["hits", "commit"]
    assert h.log[0] == ("hits", [("r1-a1", DeliveryState.NONE)])


def test_a_replayed_hit_is_copied_with_its_current_delivery_state(h: Harness) -> None:
    h.topic.add_rule(
        AlertRule(id="r2", name="r2", query="floods", webhook_url=WEBHOOK, created_at=NOW)
    )
    first = hit(A1, "r2")
    h.hit_rules.add_rule(h.topic.get_rule("r2"))  # type: ignore[arg-type]
    assert h.ctx.hits.record_hits([first]) == [first]
    h.ctx.deliveries.mark_delivered(first.id, Channel.WEBHOOK, WEBHOOK, NOW)

    asyncio.run(h.sink([[h.alert(0, first)]], Engine(h.log)).run())

    assert h.log[0] == ("hits", [("r2-a1", DeliveryState.DELIVERED)])


def test_a_rule_added_to_the_topic_while_the_sink_runs_gets_its_hits_delivered(
    h: Harness,
) -> None:
    a2 = enriched("a2", "Danube floods again")
    reader_batches = [[h.alert(0, hit(A1, "r1"))], [h.alert(1, hit(a2, "r2"))]]
    sink = h.sink(reader_batches, Engine(h.log))
    rule = AlertRule(id="r2", name="r2", query="floods", webhook_url=WEBHOOK, created_at=NOW)
    real_index_hits = sink.engine.index_hits

    def add_rule_after_first_copy(hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexResult:
        h.topic.add_rule(rule, replace=True)  # `alerts add` while the sink runs
        return real_index_hits(hits)

    sink.engine.index_hits = add_rule_after_first_copy  # type: ignore[method-assign]
    asyncio.run(sink.run())

    assert h.hit_rules.get_rule("r2") == rule
    assert [d.target for d in h.ctx.deliveries.deliveries(rule="r2")] == [WEBHOOK]
