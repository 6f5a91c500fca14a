"""`wirewatch worker` on a real Kafka broker, as a user runs it: articles polled from a
recorded feed come out enriched on articles.enriched, copies of a story on two partitions
share one story id, a poison message is dead-lettered while the next one flows, and a
rule added with `alerts add` produces its hit on `alerts`.

One worker process serves every test of this module (starting one loads the NLP models).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from kafka import KafkaProducer

from tests.e2e.conftest import Cli
from tests.integration.conftest import Kafka
from tests.integration.test_kafka_control import RECORDED, cli_for
from tests.support.role_process import RoleProcess
from tests.support.scrape import (
    free_port,
    get,
    health,
    json_logs,
    metrics_env,
    samples,
    scraped,
    total,
    wait_for,
)
from wirewatch.core.messages import DeadLetter, decode, encode
from wirewatch.core.models import Alert, Article, EnrichedArticle

ROLES = ("raw", "candidates", "enriched", "rules", "alerts", "feeds", "deadletters")
_run = itertools.count()
TEXT = (
    "Flood waters rose across the Danube delta on Tuesday as emergency crews evacuated "
    "villages near Tulcea, officials said, while engineers worked to shore up levees "
    "that had been weakened by a week of heavy rain across Romania and Ukraine."
)
NOW = datetime.now(UTC).replace(microsecond=0)


def article(article_id: str, source: str) -> Article:
    return Article(
        id=article_id,
        url=f"https://{source}/{article_id}",
        feed_id=source,
        feed_url=f"https://{source}/feed",
        source=source,
        title="Danube floods force evacuations near Tulcea",
        text=TEXT,
        published_at=NOW,
        fetched_at=NOW,
    )


class Worker(RoleProcess):
    """A worker process and what it was given; in this module, the poller that published the
    recorded feed's articles keeps running beside it (the two-worker module has none)."""

    def __init__(
        self, kafka: Kafka, topics: dict[str, str], cli: Cli, poller: RoleProcess | None = None
    ) -> None:
        super().__init__("worker", cli)
        self.kafka, self.topics, self.poller = kafka, topics, poller

    def produce(self, values: list[tuple[bytes, bytes, int]]) -> None:
        """(key, value, partition) records to articles.raw, acknowledged."""
        producer = KafkaProducer(bootstrap_servers=self.kafka.bootstrap, acks="all")
        try:
            for key, value, partition in values:
                producer.send(self.topics["raw"], key=key, value=value, partition=partition)
            producer.flush()
        finally:
            producer.close()

    def wait_for(self, role: str, count: int, timeout: float = 240) -> list[Any]:
        """The records of a topic once it holds at least `count` (the worker is running)."""
        deadline = time.monotonic() + timeout
        while True:
            found = self.kafka.records(self.topics[role])
            if len(found) >= count or time.monotonic() > deadline:
                return found

    def enriched(self, count: int) -> dict[str, list[EnrichedArticle]]:
        by_id: dict[str, list[EnrichedArticle]] = {}
        for r in self.wait_for("enriched", count):
            e = decode(EnrichedArticle, r.value)
            assert r.key == e.id.encode()
            by_id.setdefault(e.id, []).append(e)
        return by_id


@pytest.fixture(scope="module")
def worker(kafka: Kafka, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    prefix = f"w{next(_run)}-{time.time_ns() % 10**6}"
    topics = {role: f"{prefix}.{role}" for role in ROLES}
    cli = cli_for(kafka, topics, tmp_path_factory.mktemp("worker"))
    cli("setup")
    cli("alerts", "add", "danube", "danube AND tulcea")  # before the worker: read at start
    cli("feeds", "add", (RECORDED / "npr-world.xml").as_uri())
    poller = RoleProcess("poll", cli, metrics_env(free_port()))  # runs beside the worker
    poller.start()
    wait_for(
        lambda: total(scraped(poller.base), "wirewatch_articles_out_total", stage="publish") > 0,
        120,
        "the poller's first publish",
    )
    cli.env.update(metrics_env(free_port()))  # the worker serves its metrics
    worker = Worker(kafka, topics, cli, poller)
    worker.produce(  # copies of a story on two partitions; poison, then a good one, on one
        [
            (b"copy-a", encode(article("copy-a", "a.example")), 0),
            (b"copy-b", encode(article("copy-b", "b.example")), 1),
            (b"poison", b"{not json", 2),
            (b"after-poison", encode(article("after-poison", "c.example")), 2),
        ]
    )
    worker.start()
    try:
        yield worker
    finally:
        try:
            worker.stop()
        finally:
            poller.stop()


def test_every_polled_article_is_enriched_with_entities_topics_and_story(
    worker: Worker,
) -> None:
    raw = {r.key for r in worker.kafka.records(worker.topics["raw"])} - {b"poison"}
    by_id = worker.enriched(len(raw))
    assert {i.encode() for i in by_id} == raw
    # at least once: a partition the group never committed is read again from its start
    # after the first assignment (runtime/worker/rebalance.py), and a repeat is the same
    assert all(len({c.story_id for c in copies}) == 1 for copies in by_id.values())
    npr = [copies[0] for copies in by_id.values() if "npr" in copies[0].article.feed_url]
    assert npr and all(e.story_id and e.provenance.story_method for e in npr)
    assert sum(bool(e.entities) for e in npr) >= len(npr) // 2
    assert sum(bool(e.topics) for e in npr) >= len(npr) // 2


def test_copies_on_two_partitions_share_one_story(worker: Worker) -> None:
    by_id = worker.enriched(2)
    assert {e.story_id for e in by_id["copy-a"] + by_id["copy-b"]} == {by_id["copy-a"][0].story_id}


def test_a_poison_message_is_dead_lettered_and_the_next_one_flows(worker: Worker) -> None:
    letters = [decode(DeadLetter, r.value) for r in worker.wait_for("deadletters", 1)]
    assert {(d.key, d.value, d.source_topic, d.stage) for d in letters} == {
        (b"poison", b"{not json", worker.topics["raw"], "enrich")
    }  # once or more: at least once
    assert all("not a valid Article" in d.reason for d in letters)
    assert "after-poison" in worker.enriched(1)


def test_a_rule_added_with_alerts_add_produces_a_hit_keyed_by_rule_and_story(
    worker: Worker,
) -> None:
    hits = [decode(Alert, r.value) for r in worker.wait_for("alerts", 3)]  # or more: at least once
    (rule,) = json.loads(worker.cli("alerts", "list", "--json").stdout)
    assert {h.article_id for h in hits} == {"after-poison", "copy-a", "copy-b"}
    assert all(h.rule_id == rule["id"] for h in hits)
    records = worker.kafka.records(worker.topics["alerts"])
    assert {r.key for r in records} == {f"{h.rule_id}:{h.story_id}".encode() for h in hits}


def test_a_rule_added_while_the_worker_runs_is_matched(worker: Worker) -> None:
    worker.cli("alerts", "add", "levees", "levees")
    (rule,) = [
        r
        for r in json.loads(worker.cli("alerts", "list", "--json").stdout)
        if r["name"] == "levees"
    ]
    deadline = time.monotonic() + 120
    for n in itertools.count():  # an article may pass before the rule reaches the worker
        worker.produce([(f"late-{n}".encode(), encode(article(f"late-{n}", "e.example")), n % 6)])
        time.sleep(3)
        hits = [decode(Alert, r.value) for r in worker.kafka.records(worker.topics["alerts"])]
        if any(h.rule_id == rule["id"] for h in hits) or time.monotonic() > deadline:
            break
    assert any(h.rule_id == rule["id"] and h.article_id.startswith("late-") for h in hits)


def test_the_running_worker_is_scraped_and_its_counters_move(worker: Worker) -> None:
    base = f"http://127.0.0.1:{worker.cli.env['WIREWATCH_METRICS__PORT']}"
    worker.wait_for("deadletters", 1)
    status, ready = health(base, "/readyz")
    assert status == 200, ready
    assert ready == {"ready": True, "checks": {"models": "ok", "kafka": "ok"}}
    assert health(base, "/healthz") == (200, {"status": "alive"})
    values = samples(get(base + "/metrics")[1])
    assert total(values, "wirewatch_articles_in_total", stage="enrich") >= 4
    assert total(values, "wirewatch_articles_out_total", stage="resolve") >= 3
    assert total(values, "wirewatch_articles_out_total", stage="match") >= 3
    assert total(values, "wirewatch_errors_total", stage="enrich", kind="dead_letter") >= 1
    assert total(values, "wirewatch_stage_duration_seconds_count", stage="enrich") >= 1
    lag = {ls for (n, ls) in values if n == "wirewatch_consumer_lag_records"}
    assert any(("topic", worker.topics["raw"]) in ls for ls in lag), lag
    assert any("/metrics" in entry["message"] for entry in json_logs(worker.log))


def test_the_running_poller_is_scraped_and_its_counters_move(worker: Worker) -> None:
    poller = worker.poller
    assert poller is not None
    status, ready = health(poller.base, "/readyz")
    assert (status, ready) == (200, {"ready": True, "checks": {"kafka": "ok"}})
    assert health(poller.base, "/healthz") == (200, {"status": "alive"})
    values = scraped(poller.base)
    assert total(values, "wirewatch_feed_polls_total", outcome="ok") >= 1
    assert total(values, "wirewatch_feed_polls_total", outcome="failed") == 0
    polled = total(values, "wirewatch_articles_out_total", stage="ingest")
    npr = [r for r in worker.kafka.records(worker.topics["raw"]) if b"npr" in r.value]
    assert polled == len(npr) > 0
    assert total(values, "wirewatch_articles_in_total", stage="publish") == polled
    assert total(values, "wirewatch_articles_out_total", stage="publish") == polled
    assert total(values, "wirewatch_errors_total", stage="publish") == 0
    assert total(values, "wirewatch_stage_duration_seconds_count", stage="publish") >= 1
    assert any("/metrics" in entry["message"] for entry in json_logs(poller.log))


def test_a_restarted_worker_restores_its_stories(worker: Worker) -> None:
    story = worker.enriched(4)["copy-a"][0].story_id
    worker.stop()
    worker.start()  # the story state comes back from the table's changelog
    worker.produce([(b"copy-c", encode(article("copy-c", "d.example")), 3)])
    deadline = time.monotonic() + 240
    while "copy-c" not in (by_id := worker.enriched(0)) and time.monotonic() < deadline:
        time.sleep(1)
    # at least once: a rebalance as the worker rejoins may deliver it twice, same story
    assert {e.story_id for e in by_id["copy-c"]} == {story}
