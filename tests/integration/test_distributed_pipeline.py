"""The whole distributed pipeline as a user runs it, on a real Kafka broker and a real
OpenSearch node: recorded feeds served over HTTP → `wirewatch poll --once` → Kafka →
two `wirewatch worker` processes (each with its own data directory) → `wirewatch sink`
→ OpenSearch, with the examples' alert rule added by `alerts add` and delivered to a
signed webhook receiver.

Checked as a user would: every polled article is in the index once (count by `_id`),
with its language, entities, topics and story; every story `wirewatch search` finds for
the rule's query has one hit in `alerts hits`, delivered once, keyed by its alert id. Then
again after a worker, and then the sink, are killed with SIGKILL in the middle of a batch
and restarted; then after the broker is stopped and started again under the running
processes, which recover by themselves; and at the end `wirewatch status` shows both
groups with nothing left to read. The tests run in order and share the processes: each
phase adds feeds.
"""

from __future__ import annotations

import json
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from opensearchpy import OpenSearch

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli
from tests.integration.conftest import Kafka
from tests.integration.test_kafka_control import RECORDED, cli_for
from tests.support.http_server import Reply, TestServer
from tests.support.role_process import RoleProcess
from tests.support.search_index import article_ids
from tests.support.webhook_receiver import Received, WebhookReceiver

ROLES = ("raw", "candidates", "enriched", "rules", "alerts", "feeds", "deadletters")
SECRET = "pipeline-test-secret"
# Each phase polls feeds of its own; the example rule matches stories in each of them
# (an embedded run of the examples: npr 4, bbc 2, nyt 2, aljazeera 1, cbs 4 hits).
FIRST = ("npr-world.xml", "bbc-world.xml")
WORKER_CRASH = ("nyt-world.xml", "dw-english.rdf")
SINK_CRASH = ("aljazeera.xml", "cbs-world.xml")
# Every recorded feed is used by then: the broker restart polls NPR's again as a feed of
# its own whose links moved, so that its 10 items are new articles (ids come from links).
BROKER_RESTART = ("npr-moved.xml",)
(RULE,) = yaml.safe_load(EXAMPLE_CONFIG.read_text())["alerts"]


def _wait_for(what: str, ok: Callable[[], bool], timeout: float = 240, every: float = 1) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(every)


@dataclass
class Pipeline:
    """The module's processes and servers, and what a user looks at."""

    kafka: Kafka
    topics: dict[str, str]
    feeds: TestServer
    receiver: WebhookReceiver
    engine: OpenSearch
    prefix: str
    control: Cli  # feeds, alerts add, poll, search, status: any machine with the config
    workers: list[RoleProcess]
    sink: RoleProcess
    embedded: Cli  # the same settings in embedded mode: what one process makes of the feeds

    def poll(self, names: tuple[str, ...]) -> Callable[[], None]:
        """Subscribe to the recorded feeds `names` and start `poll --once`; the result waits
        for the poller to exit (the pipeline works on the articles meanwhile)."""
        for name in names:
            self.control("feeds", "add", self.feeds.url(f"/{name}"))
        poll = self.control.popen("poll", "--once")

        def done() -> None:
            out, errs = poll.communicate(timeout=300)
            assert poll.returncode == 0, out + errs

        return done

    def polled(self) -> set[str]:
        """The distinct article ids on articles.raw: everything the pollers published."""
        return {r.key.decode() for r in self.kafka.records(self.topics["raw"])}

    def doc_ids(self) -> list[str]:
        """Every article document's id, over every monthly index (repeats would show)."""
        return article_ids(self.engine, self.prefix)

    def wait_indexed(self, ids: set[str], timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        while (missing := ids - set(self.doc_ids())) and time.monotonic() < deadline:
            time.sleep(1)
        assert not missing, f"{len(missing)} of {len(ids)} polled articles never indexed"

    def hits(self) -> list[dict[str, Any]]:
        """`alerts hits`, with the sink's config and data directory (its hit log)."""
        found: list[dict[str, Any]] = self.sink.cli.json("alerts", "hits", "--limit", "1000")
        return found

    def requests_by_alert(self) -> dict[str, list[Received]]:
        by_alert: dict[str, list[Received]] = {}
        for request in list(self.receiver.requests):
            by_alert.setdefault(request.json["alert"]["id"], []).append(request)
        return by_alert

    def groups(self) -> dict[str, dict[str, Any]]:
        """`wirewatch status --json`'s consumer groups, by role."""
        return {g["role"]: g for g in self.control.json("status")["groups"]}

    def kill_mid_batch(self, role: RoleProcess, before: int) -> int:
        """SIGKILL `role` once the batch's first articles are indexed (more than `before`
        documents), start it again; the number of documents at the kill."""
        _wait_for("the batch's first articles", lambda: len(self.doc_ids()) > before, every=0.2)
        role.kill()
        at_kill = len(self.doc_ids())
        role.start()
        return at_kill


def _cli(
    kafka: Kafka, topics: dict[str, str], home: Path, env: dict[str, str], mode: str = "distributed"
) -> Cli:
    """A machine of this deployment: the config file (mode, broker, the module's topics),
    a home and data directory of its own, the settings every process shares (`env`)."""
    cli = cli_for(kafka, topics, home, mode)
    cli.env |= env
    return cli


@pytest.fixture(scope="module")
def pipeline(
    kafka: Kafka, opensearch_url: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Pipeline]:
    prefix = f"p{uuid.uuid4().hex[:8]}"
    topics = {role: f"{prefix}.{role}" for role in ROLES}
    home = tmp_path_factory.mktemp("pipeline")
    with TestServer() as feeds, WebhookReceiver(secret=SECRET) as receiver:
        for name in (*FIRST, *WORKER_CRASH, *SINK_CRASH):
            body = (RECORDED / name).read_bytes()
            feeds.route(f"/{name}", lambda _r, b=body: Reply(body=b))
        moved = (
            (RECORDED / "npr-world.xml").read_bytes().replace(b"npr.org/20", b"npr.org/moved/20")
        )
        feeds.route(f"/{BROKER_RESTART[0]}", lambda _r: Reply(body=moved))
        env = {
            "WIREWATCH_KAFKA__CLIENT_ID": prefix,  # consumer groups of this module's own
            "WIREWATCH_SEARCH__ENGINE": "opensearch",
            "WIREWATCH_SEARCH__URLS": opensearch_url,
            "WIREWATCH_SEARCH__INDEX_PREFIX": prefix,
            "WIREWATCH_SEARCH__REPLICAS": "0",
            "WIREWATCH_NOTIFY__WEBHOOK_SECRET": SECRET,
            "WIREWATCH_FETCH__ALLOW_PRIVATE": json.dumps(
                [feeds.allow_entry, f"127.0.0.1:{receiver.port}"]
            ),
            # one NER process per worker (no child to outlive a SIGKILL) and small batches,
            # so that a batch of feeds is several steps a crash can fall between
            "WIREWATCH_ENRICH__NER_PROCESSES": "1",
            "WIREWATCH_ENRICH__BATCH_SIZE": "8",
        }
        control = _cli(kafka, topics, home / "control", env)
        control("setup")
        control("alerts", "add", RULE["name"], RULE["query"], "--webhook", receiver.url)
        workers = [
            RoleProcess("worker", _cli(kafka, topics, home / f"worker-{n}", env)) for n in (1, 2)
        ]
        sink = RoleProcess("sink", _cli(kafka, topics, home / "sink", env))
        # its own SQLite index, not the engine (the sink's documents stay the sink's)
        embedded_env = env | {"WIREWATCH_SEARCH__ENGINE": "sqlite"}
        embedded = _cli(kafka, topics, home / "embedded", embedded_env, mode="embedded")
        engine = OpenSearch(hosts=[opensearch_url])
        for role in (*workers, sink):
            role.start()
        try:
            yield Pipeline(
                kafka, topics, feeds, receiver, engine, prefix, control, workers, sink, embedded
            )
        finally:
            for role in (*workers, sink):
                if role.process is not None and role.process.poll() is None:
                    role.stop()
            engine.close()


def _enrichment(found: dict[str, Any]) -> tuple[str, set[tuple[str, str]], set[str]]:
    """What `search --json` shows of an article's enrichment: language, entities, topics."""
    entities = {(e["name"], e["type"]) for e in found["entities"]}
    return found["language"], entities, {t["id"] for t in found["topics"]}


def _assert_indexed_once(pipeline: Pipeline) -> set[str]:
    """Every polled article is one document, and nothing else is in the index."""
    polled = pipeline.polled()
    pipeline.wait_indexed(polled)
    ids = pipeline.doc_ids()
    assert Counter(ids).most_common(1)[0][1] == 1, "an article is indexed twice"
    assert set(ids) == polled
    return polled


def _assert_alerted_once_per_story(pipeline: Pipeline, *, one_attempt: bool) -> None:
    """Each story the rule's query finds has one hit; each hit was delivered, signed, every
    attempt with the alert id as its idempotency key — one attempt, unless a sink crashed
    between a delivery and its record (then the receiver sees the same key again)."""
    found = pipeline.control.json("search", RULE["query"], "--limit", "1000")
    stories = {a["story_id"] for a in found}
    assert stories and all(stories), "the example rule finds stories, each with its id"

    def first_hits() -> list[dict[str, Any]]:
        return [h for h in pipeline.hits() if h["folded_into"] is None]

    _wait_for(
        "a delivered hit per story",
        lambda: (
            sorted(h["story_id"] for h in first_hits()) == sorted(stories)
            and all(d["state"] == "delivered" for h in first_hits() for d in h["deliveries"])
        ),
    )
    time.sleep(3)  # a second delivery, if there were one, would have come by now
    hits = pipeline.hits()
    assert len({h["id"] for h in hits}) == len(hits), "`alerts hits` shows a hit twice"
    by_alert = pipeline.requests_by_alert()
    for hit in first_hits():
        assert len(hit["deliveries"]) == 1  # the rule's one webhook
        attempts = by_alert.get(hit["id"], [])
        assert attempts, f"hit {hit['id']} recorded as delivered, never received"
        assert {r.idempotency_key for r in attempts} == {hit["id"]}
        assert all(r.signature_ok for r in attempts)
        if one_attempt:
            assert len(attempts) == 1, f"hit {hit['id']} delivered {len(attempts)} times"
    assert set(by_alert) <= {h["id"] for h in hits}, "a delivery of no recorded hit"


def test_every_polled_article_is_searchable_with_language_entities_topics_and_story(
    pipeline: Pipeline,
) -> None:
    def both_workers() -> bool:
        group = pipeline.groups()["worker"]
        return group["members"] == 2 and group["state"] == "Stable"

    _wait_for("both workers in the group", both_workers)
    pipeline.poll(FIRST)()
    polled = _assert_indexed_once(pipeline)
    assert len(polled) >= 40  # npr 10 and bbc 33 items, a few of them repeats
    docs = pipeline.control.json("search", "lang:en", "--limit", "1000")  # English feeds
    assert {d["id"] for d in docs} == polled  # `wirewatch search` finds each of them
    assert all(d["story_id"] for d in docs)
    # each with the entities and topics the embedded mode gives the same feeds
    for name in FIRST:
        pipeline.embedded("feeds", "add", pipeline.feeds.url(f"/{name}"))
    pipeline.embedded("run", "--once")
    alone = pipeline.embedded.json("search", "lang:en", "--limit", "1000")
    distributed = {d["id"]: _enrichment(d) for d in docs}
    embedded = {d["id"]: _enrichment(d) for d in alone}
    differ = {
        i: (distributed.get(i), embedded.get(i))
        for i in distributed.keys() | embedded.keys()
        if distributed.get(i) != embedded.get(i)
    }
    assert not differ, f"distributed vs embedded enrichment differs: {differ}"
    assert sum(bool(d["entities"]) for d in docs) > len(docs) // 2  # not all empty alike
    assert sum(bool(d["topics"]) for d in docs) > len(docs) // 4


def test_the_example_alert_is_delivered_once_per_story(pipeline: Pipeline) -> None:
    _assert_alerted_once_per_story(pipeline, one_attempt=True)


def test_a_worker_killed_mid_batch_loses_no_article_and_indexes_none_twice(
    pipeline: Pipeline,
) -> None:
    before = len(pipeline.doc_ids())
    polled = pipeline.poll(WORKER_CRASH)
    at_kill = pipeline.kill_mid_batch(pipeline.workers[0], before)
    polled()
    total = len(_assert_indexed_once(pipeline))
    assert before < at_kill < total, "the worker was not killed in the middle of the batch"
    _assert_alerted_once_per_story(pipeline, one_attempt=True)  # the sink did not crash


def test_a_sink_killed_mid_batch_loses_nothing_and_redelivers_no_delivered_hit(
    pipeline: Pipeline,
) -> None:
    before = len(pipeline.doc_ids())
    delivered = {h["id"] for h in pipeline.hits()}  # all delivered (the test before)
    pipeline.receiver.reply_delay = 0.5  # deliveries in flight when the sink dies
    polled = pipeline.poll(SINK_CRASH)
    at_kill = pipeline.kill_mid_batch(pipeline.sink, before)
    restarted = time.monotonic()
    polled()
    assert before < at_kill < len(pipeline.polled()), "the sink was not killed mid-batch"
    _wait_for("the restarted sink", lambda: len(pipeline.doc_ids()) > at_kill, every=0.2)
    # the dead sink's partitions are free once its 10 s session is over (45 s by default)
    assert time.monotonic() - restarted < 35, "indexing stalled after the sink restarted"
    _assert_indexed_once(pipeline)
    _assert_alerted_once_per_story(pipeline, one_attempt=False)
    by_alert = pipeline.requests_by_alert()
    assert all(len(by_alert[i]) == 1 for i in delivered), "a delivered hit was sent again"


def test_a_broker_restart_under_the_running_roles_needs_no_restart_of_them(
    pipeline: Pipeline,
) -> None:
    roles = (*pipeline.workers, pipeline.sink)
    pids = [r.process.pid for r in roles if r.process is not None]
    before = set(pipeline.doc_ids())
    pipeline.kafka.stop()
    time.sleep(5)  # the roles' fetches and heartbeats fail meanwhile
    pipeline.kafka.start()
    pipeline.poll(BROKER_RESTART)()
    new = _assert_indexed_once(pipeline) - before
    assert len(new) == 10, f"{len(new)} new articles indexed of NPR's 10 moved items"
    assert [r.process.pid for r in roles if r.process is not None] == pids
    assert all(r.process is not None and r.process.poll() is None for r in roles), "a role died"


def test_status_shows_both_groups_with_nothing_left_to_read(pipeline: Pipeline) -> None:
    def lags() -> dict[str, int]:
        return {role: group["lag"] for role, group in pipeline.groups().items()}

    _wait_for("no lag", lambda: lags() == {"worker": 0, "sink": 0}, timeout=120, every=2)
