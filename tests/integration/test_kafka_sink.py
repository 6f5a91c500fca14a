"""`wirewatch sink` on a real Kafka broker and a real OpenSearch node, as a user runs it:
it creates the topics `setup` did not, enriched articles become searchable by id
(`wirewatch search` finds them), a repeated article is one document, a repeated alert
is one hit (copied to the alert-hits index, counted by `alerts list` with the sink's
data directory) and one signed webhook delivery, a poison value is dead-lettered while
the next article is indexed, and articles produced while the engine is stopped are all
indexed once it is back.

One sink process serves every test of this module; the outage test runs last.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from kafka import KafkaProducer
from opensearchpy import OpenSearch

from tests.e2e.conftest import Cli
from tests.integration.conftest import Kafka, Server
from tests.integration.test_kafka_control import admin, cli_for
from tests.support.alerts import ALERT
from tests.support.enriched import enriched as support_enriched
from tests.support.role_process import RoleProcess
from tests.support.scrape import free_port, health, json_logs, metrics_env, scraped, total, wait_for
from tests.support.search_index import article_ids
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.ids import alert_id
from wirewatch.core.messages import DeadLetter, alert_key, decode, encode
from wirewatch.core.models import EnrichedArticle, EntityType

ROLES = ("raw", "candidates", "enriched", "rules", "alerts", "feeds", "deadletters")
SECRET = "sink-test-secret"
NOW = datetime.now(UTC).replace(microsecond=0)


def enriched(article_id: str) -> EnrichedArticle:
    return support_enriched(
        article_id,
        "Danube floods force evacuations",
        "Emergency crews evacuated villages near Tulcea as the Danube rose.",
        published_at=NOW,
        story_id=f"story-{article_id}",
        entities={"Tulcea": (EntityType.GPE, [])},
        topics={"medtop:06000000": "environment"},
    )


def _wait_for(what: str, ok: Callable[[], bool], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


class SinkProcess(RoleProcess):
    """The module's sink, its CLI (same config and data directory) and its servers."""

    def __init__(
        self, kafka: Kafka, topics: dict[str, str], cli: Cli, engine: OpenSearch, prefix: str
    ) -> None:
        super().__init__("sink", cli)
        self.kafka, self.topics = kafka, topics
        self.engine, self.prefix = engine, prefix

    def produce(self, role: str, records: list[tuple[bytes, bytes]]) -> None:
        producer = KafkaProducer(bootstrap_servers=self.kafka.bootstrap, acks="all")
        try:
            for key, value in records:
                producer.send(self.topics[role], key=key, value=value)
            producer.flush()
        finally:
            producer.close()

    def topic_names(self) -> set[str]:
        client = admin(self.kafka)
        try:
            return set(client.list_topics())
        finally:
            client.close()

    def doc_ids(self) -> list[str]:
        """Every article document's id, over every monthly index (repeats would show)."""
        return article_ids(self.engine, self.prefix)

    def wait_indexed(self, ids: set[str], timeout: float = 120) -> None:
        _wait_for(f"{sorted(ids)} indexed", lambda: ids <= set(self.doc_ids()), timeout)


@pytest.fixture(scope="module")
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=SECRET) as r:
        yield r


@pytest.fixture(scope="module")
def sink(
    kafka: Kafka,
    opensearch_url: str,
    receiver: WebhookReceiver,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SinkProcess]:
    prefix = f"s{uuid.uuid4().hex[:8]}"
    topics = {role: f"{prefix}.{role}" for role in ROLES}
    cli = cli_for(kafka, topics, tmp_path_factory.mktemp("sink"))
    cli.env |= {
        "WIREWATCH_SEARCH__ENGINE": "opensearch",
        "WIREWATCH_SEARCH__URLS": opensearch_url,
        "WIREWATCH_SEARCH__INDEX_PREFIX": prefix,
        "WIREWATCH_SEARCH__REPLICAS": "0",
        "WIREWATCH_NOTIFY__WEBHOOK_SECRET": SECRET,
        "WIREWATCH_FETCH__ALLOW_PRIVATE": f'["127.0.0.1:{receiver.port}"]',
    }
    cli("setup", env={"WIREWATCH_MODE": "embedded"})  # the engine only: the sink makes topics
    engine = OpenSearch(hosts=[opensearch_url])
    process = SinkProcess(kafka, topics, cli, engine, prefix)
    process.env = metrics_env(free_port())  # the sink serves its metrics
    process.start()
    try:
        _wait_for("the sink's topics", lambda: set(topics.values()) <= process.topic_names())
        cli("alerts", "add", "danube", "danube", "--webhook", receiver.url)
        yield process
    finally:
        process.stop()
        engine.close()


def test_the_sink_creates_its_missing_topics_at_start(sink: SinkProcess) -> None:
    assert set(sink.topics.values()) <= sink.topic_names()  # `setup` made none of them


def test_enriched_articles_are_searchable_by_id_with_entities_topics_and_story(
    sink: SinkProcess,
) -> None:
    sink.produce("enriched", [(b"a-1", encode(enriched("a-1")))])
    sink.wait_indexed({"a-1"})
    doc = sink.engine.get(index=f"{sink.prefix}-articles-{NOW:%Y.%m}", id="a-1")["_source"]
    assert doc["story_id"] == "story-a-1"
    assert "Tulcea" in str(doc) and "environment" in str(doc)
    found = sink.cli.json("search", "danube")
    assert "a-1" in str(found)


def test_the_same_article_produced_twice_is_one_document(sink: SinkProcess) -> None:
    twice = encode(enriched("a-twice"))
    sink.produce("enriched", [(b"a-twice", twice), (b"a-twice", twice)])
    sink.wait_indexed({"a-twice"})
    assert sink.doc_ids().count("a-twice") == 1


def test_an_alert_produced_twice_is_one_hit_one_signed_delivery_and_counted_in_the_list(
    sink: SinkProcess, receiver: WebhookReceiver, tmp_path: Path
) -> None:
    (rule,) = sink.cli.json("alerts", "list")
    hit = ALERT.model_copy(
        update={"id": alert_id(rule["id"], "a-1"), "rule_id": rule["id"], "article_id": "a-1"}
    )
    sink.produce("alerts", [(alert_key(hit), encode(hit)), (alert_key(hit), encode(hit))])
    _wait_for("the webhook delivery", lambda: bool(receiver.requests))
    time.sleep(3)  # a second delivery, if there were one, would have come by now
    (delivery,) = receiver.requests
    assert delivery.signature_ok and delivery.idempotency_key == hit.id
    hits = sink.cli.json("alerts", "hits")
    assert [h["id"] for h in hits] == [hit.id]
    copy = sink.engine.get(index=f"{sink.prefix}-alert-hits", id=hit.id)["_source"]
    assert copy["rule_id"] == rule["id"]
    assert [r["hits"] for r in sink.cli.json("alerts", "list")] == [1]
    elsewhere = cli_for(sink.kafka, sink.topics, tmp_path)  # not the sink's data directory
    assert [r["hits"] for r in elsewhere.json("alerts", "list")] == [None]


def test_a_poison_value_is_dead_lettered_and_the_next_article_indexed(sink: SinkProcess) -> None:
    sink.produce("enriched", [(b"poison", b"{not json"), (b"a-after", encode(enriched("a-after")))])
    sink.wait_indexed({"a-after"})
    _wait_for("the dead letter", lambda: bool(sink.kafka.records(sink.topics["deadletters"])))
    (record,) = sink.kafka.records(sink.topics["deadletters"])
    letter = decode(DeadLetter, record.value)
    assert (letter.key, letter.value, letter.stage) == (b"poison", b"{not json", "sink")
    assert letter.source_topic == sink.topics["enriched"] and "JSON" in letter.reason


def test_the_running_sink_is_scraped_and_its_counters_move(sink: SinkProcess) -> None:
    sink.produce("enriched", [(b"a-scraped", encode(enriched("a-scraped")))])
    sink.wait_indexed({"a-scraped"})
    status, ready = health(sink.base, "/readyz")
    assert (status, ready) == (200, {"ready": True, "checks": {"kafka": "ok", "engine": "ok"}})
    assert health(sink.base, "/healthz") == (200, {"status": "alive"})
    values = scraped(sink.base)
    indexed = total(values, "wirewatch_articles_out_total", stage="sink")
    assert indexed >= 4  # a-1, a-twice, a-after, a-scraped (a repeat counts again)
    assert total(values, "wirewatch_articles_in_total", stage="sink") >= indexed + 1  # + poison
    assert total(values, "wirewatch_errors_total", stage="sink", kind="dead_letter") >= 1
    assert total(values, "wirewatch_stage_duration_seconds_count", stage="sink") >= 1
    assert total(values, "wirewatch_freshness_seconds_count", source="example.org") >= indexed
    assert total(values, "wirewatch_alert_deliveries_total", channel="webhook") >= 1
    lag = {ls for (n, ls) in values if n == "wirewatch_consumer_lag_records"}
    assert any(("topic", sink.topics["enriched"]) in ls for ls in lag), lag
    assert any("/metrics" in entry["message"] for entry in json_logs(sink.log))


def test_articles_produced_while_the_engine_is_stopped_are_all_indexed_once_it_is_back(
    sink: SinkProcess, opensearch: Server
) -> None:
    ids = {f"a-outage-{n}" for n in range(5)}
    opensearch.stop()
    try:
        sink.produce("enriched", [(i.encode(), encode(enriched(i))) for i in sorted(ids)])
        # not ready, with the reason; alive all the same (the loop is not blocked)
        wait_for(lambda: health(sink.base, "/readyz")[0] == 503, 30, "the sink not ready")
        status, ready = health(sink.base, "/readyz")
        assert status == 503 and ready["ready"] is False, ready
        checks = str(ready["checks"])
        assert "'kafka': 'ok'" in checks and "cannot reach opensearch" in checks, ready
        assert health(sink.base, "/healthz")[0] == 200
    finally:
        opensearch.start()
    sink.wait_indexed(ids, timeout=180)
    wait_for(lambda: health(sink.base, "/readyz")[0] == 200, 30, "the sink ready again")
    assert all(sink.doc_ids().count(i) == 1 for i in ids)
    assert sink.process is not None and sink.process.poll() is None


def test_the_sink_refuses_to_start_without_a_search_engine(tmp_path: Path, kafka: Kafka) -> None:
    cli = cli_for(kafka, {}, tmp_path)
    r = cli("sink", ok=False)
    assert r.returncode == 2 and r.stderr.count("\n") == 2
    assert "search.engine is sqlite" in r.stderr
