"""Two `wirewatch worker` processes on a real Kafka broker, and what happens when one dies.

Articles on every partition of articles.raw come out on articles.enriched (every id),
copies of a story on different partitions share one story id, and a rule added after
both workers are up reaches the rules table of each (faust-streaming issue #283 reports
a global table that stops following on one of several workers). Then `kill -9` of one
worker mid-stream, and a broker restart mid-stream: no article is missing (duplicates
are allowed: delivery is at least once), and every copy of an article, or of an alert,
carries the same story id and alert id.

The two worker processes serve every test of this module (starting one loads the NLP
models), in order.
"""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from kafka import KafkaConsumer, TopicPartition

from tests.integration.conftest import Kafka
from tests.integration.test_kafka_control import cli_for
from tests.integration.test_kafka_worker import ROLES, Worker
from wirewatch.core.messages import decode, encode
from wirewatch.core.models import Alert, Article, EnrichedArticle

PARTITIONS = 6  # kafka.partitions_raw and kafka.partitions_enriched, the defaults
MARKER = "levees"  # in every article: the rule added while the workers run matches them all
NOW = datetime.now(UTC).replace(microsecond=0)
_batch = itertools.count()


def articles(batch: str, stories: int, seed: int) -> list[tuple[bytes, bytes, int]]:
    """`stories` unrelated stories, each published twice by two sources on two different
    partitions of articles.raw (every partition gets some): (key, value, partition)."""
    rng = random.Random(seed)
    words = [
        "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(3))
        for _ in range(3000)
    ]
    out = []
    for n in range(stories):
        text = " ".join(rng.sample(words, 60)) + f" {MARKER}."
        title = " ".join(rng.sample(words, 6)).capitalize()
        for copy in range(2):
            aid = f"{batch}-{n}-{copy}"
            a = Article(
                id=aid,
                url=f"https://s{copy}.example/{aid}",
                feed_id=f"s{copy}",
                feed_url=f"https://s{copy}.example/feed",
                source=f"s{copy}.example",
                title=title,
                text=text,
                published_at=NOW,
                fetched_at=NOW,
            )
            out.append((aid.encode(), encode(a), (n + copy * 3) % PARTITIONS))
    return out


@dataclass
class Pair:
    """The module's two worker processes (same topics and group, data dirs of their own)."""

    workers: tuple[Worker, Worker]

    @property
    def one(self) -> Worker:
        return self.workers[0]

    def enriched(self, ids: set[str], timeout: float = 240) -> dict[str, list[EnrichedArticle]]:
        """Every copy on articles.enriched of the articles `ids`, once all of them are there
        (or the time is up: the caller's assertion says what is missing)."""
        deadline = time.monotonic() + timeout
        while True:
            by_id: dict[str, list[EnrichedArticle]] = {}
            for r in self.one.kafka.records(self.one.topics["enriched"]):
                e = decode(EnrichedArticle, r.value)
                if e.id in ids:
                    by_id.setdefault(e.id, []).append(e)
            if set(by_id) == ids or time.monotonic() > deadline:
                return by_id

    def out(self) -> int:
        """How many records articles.enriched holds now (its end offsets: no waiting)."""
        consumer = KafkaConsumer(bootstrap_servers=self.one.kafka.bootstrap)
        try:
            topic = self.one.topics["enriched"]
            parts = [TopicPartition(topic, p) for p in range(PARTITIONS)]
            return sum(consumer.end_offsets(parts).values())
        finally:
            consumer.close()

    def alive(self) -> bool:
        return all(w.process is not None and w.process.poll() is None for w in self.workers)


@pytest.fixture(scope="module")
def pair(kafka: Kafka, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pair]:
    prefix = f"ws{time.time_ns() % 10**6}"
    topics = {role: f"{prefix}.{role}" for role in ROLES}
    workers = []
    for n in range(2):
        cli = cli_for(kafka, topics, tmp_path_factory.mktemp(f"worker{n}"))
        config = cli.home / "wirewatch.yaml"  # a group and story changelog of this module's own
        settings = json.loads(config.read_text())
        settings["kafka"]["client_id"] = prefix
        config.write_text(json.dumps(settings))
        workers.append(Worker(kafka, topics, cli))
    workers[0].cli("setup")
    for w in workers:
        w.start()
    try:
        yield Pair((workers[0], workers[1]))
    finally:
        for w in workers:
            w.stop()


def published(pair: Pair, batch: list[tuple[bytes, bytes, int]]) -> set[str]:
    pair.one.produce(batch)
    return {key.decode() for key, _, _ in batch}


def mid_stream(pair: Pair, batch: list[tuple[bytes, bytes, int]]) -> set[str]:
    """Publish `batch` and return its ids once some, but not all, of them are out."""
    before = pair.out()
    ids = published(pair, batch)
    deadline = time.monotonic() + 120
    while (out := pair.out() - before) < 10 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert 10 <= out < len(ids), f"{out} of {len(ids)} out: not mid-stream"
    return ids


def check_copies(by_id: dict[str, list[EnrichedArticle]]) -> None:
    """Every copy of an article on the topic has the same story, and so do a story's copies."""
    for aid, copies in by_id.items():
        assert len({c.story_id for c in copies}) == 1, (aid, [c.story_id for c in copies])
    for aid in by_id:
        if aid.endswith("-0"):
            other = by_id[aid[:-1] + "1"]
            assert by_id[aid][0].story_id == other[0].story_id, aid


def test_articles_on_every_partition_come_out_and_copies_share_a_story(pair: Pair) -> None:
    batch = articles(f"a{next(_batch)}", 30, seed=1)
    assert {p for _, _, p in batch} == set(range(PARTITIONS))
    ids = published(pair, batch)
    by_id = pair.enriched(ids)
    assert set(by_id) == ids
    check_copies(by_id)
    assert len({e[0].story_id for e in by_id.values()}) == 30  # and no two stories merged
    assert pair.alive()


def test_a_rule_added_after_both_workers_are_up_hits_on_every_partition(pair: Pair) -> None:
    """Each worker matches the articles.enriched partitions it owns: hits from all of them
    mean both workers' rules tables followed `alerts.rules` after they started."""
    pair.one.cli("alerts", "add", "marker", MARKER)
    (rule,) = json.loads(pair.one.cli("alerts", "list", "--json").stdout)
    deadline = time.monotonic() + 180
    for n in itertools.count():  # articles may pass before the rule reaches a worker
        ids = published(pair, articles(f"r{next(_batch)}", 6, seed=100 + n))
        pair.enriched(ids)
        hit = {
            decode(Alert, r.value).article_id
            for r in pair.one.kafka.records(pair.one.topics["alerts"])
        }
        partitions = {
            r.partition
            for r in pair.one.kafka.records(pair.one.topics["enriched"])
            if r.key.decode() in hit
        }
        if partitions == set(range(PARTITIONS)) or time.monotonic() > deadline:
            break
    assert partitions == set(range(PARTITIONS)), f"no hit for rule {rule['id']} on some partition"
    assert pair.alive()


def test_a_worker_killed_mid_stream_and_restarted_loses_no_article(pair: Pair) -> None:
    victim = pair.workers[1]
    assert victim.process is not None
    ids = mid_stream(pair, articles(f"k{next(_batch)}", 100, seed=2))
    victim.process.kill()
    victim.process.wait()
    victim.start()
    by_id = pair.enriched(ids)
    assert set(by_id) == ids, f"missing: {sorted(ids - set(by_id))[:10]}"
    check_copies(by_id)
    hits = [decode(Alert, r.value) for r in pair.one.kafka.records(pair.one.topics["alerts"])]
    by_article: dict[tuple[str, str], set[tuple[str, str | None]]] = {}
    for h in hits:
        by_article.setdefault((h.rule_id, h.article_id), set()).add((h.id, h.story_id))
    assert all(len(v) == 1 for v in by_article.values())  # one alert id and story, every copy
    assert {aid for _, aid in by_article} >= ids
    assert pair.alive()


def test_a_broker_restart_mid_stream_loses_no_article(pair: Pair, kafka: Kafka) -> None:
    ids = mid_stream(pair, articles(f"b{next(_batch)}", 100, seed=3))
    kafka.stop()
    kafka.start()
    by_id = pair.enriched(ids)
    assert set(by_id) == ids, f"missing: {sorted(ids - set(by_id))[:10]}"
    check_copies(by_id)
    assert pair.alive()  # they recovered by themselves
