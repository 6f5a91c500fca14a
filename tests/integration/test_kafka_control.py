"""The distributed mode's foundation on a real Kafka broker, through the CLI as a user runs
it: `setup` makes the topics, feeds and rules live on their compacted topics (seen by
every process), `poll` polls exactly the topic's feeds, dead letters are listed and
replayed, and `migrate` publishes an embedded data directory's setup.

Every test gets topics of its own (a unique prefix), on the session's one broker.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from pathlib import Path

import pytest
from kafka import KafkaProducer
from kafka.admin import ConfigResource, ConfigResourceType, KafkaAdminClient

from ingest.publish import KafkaPublisher
from sinks.kafka.admin import ensure_topics
from sinks.kafka.deadletters import dead_letter
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.e2e.conftest import Cli
from tests.integration.conftest import Kafka
from tests.support.enriched import enriched
from wirewatch.core.clock import SystemClock
from wirewatch.core.messages import DeadLetter, decode
from wirewatch.core.models import Article, Feed
from wirewatch.core.settings import KafkaSettings, Settings
from wirewatch.runtime import due
from wirewatch.runtime import poller as poller_module
from wirewatch.runtime.build import build_fetcher, build_parser
from wirewatch.runtime.context import open_control_plane
from wirewatch.runtime.poller import KafkaPoller
from wirewatch.runtime.subscriptions import add_feed

REPO = Path(__file__).resolve().parents[2]
RECORDED = REPO / "examples" / "recorded"
_run = itertools.count()
ROLES = ("raw", "enriched", "rules", "alerts", "feeds", "deadletters", "candidates")


@pytest.fixture
def topics(kafka: Kafka) -> dict[str, str]:
    prefix = f"t{next(_run)}-{id(kafka) % 10_000}"
    return {role: f"{prefix}.{role}" for role in ROLES}


def cli_for(kafka: Kafka, topics: dict[str, str], home: Path, mode: str = "distributed") -> Cli:
    """A CLI whose config file sets the mode, the broker and this test's topics."""
    home.mkdir(parents=True, exist_ok=True)
    cli = Cli(home, home / "data")
    kafka_cfg = {f"topic_{role}": name for role, name in topics.items()}
    kafka_cfg["bootstrap_servers"] = kafka.bootstrap
    (home / "wirewatch.yaml").write_text(
        json.dumps({"mode": mode, "allow_local_files": True, "kafka": kafka_cfg})
    )
    return cli


def admin(kafka: Kafka) -> KafkaAdminClient:
    return KafkaAdminClient(bootstrap_servers=kafka.bootstrap)


def test_setup_creates_the_topics_with_their_configs_and_reports_a_short_one(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    cli = cli_for(kafka, topics, tmp_path)
    client = admin(kafka)
    try:  # a raw topic made by hand earlier, with fewer partitions than configured
        client.create_topics({topics["raw"]: {"num_partitions": 2, "replication_factor": 1}})
        first = cli("setup", "--json", ok=False)
        assert first.returncode == 1
        report = json.loads(first.stdout)
        assert any(
            f"topic {topics['raw']} has 2 partitions, fewer than the 6" in p
            for p in report["problems"]
        )
        created = sum(line.startswith("created topic") for line in report["topics"])
        assert created == len(ROLES) - 1  # every topic but the one made by hand
        described = {t["name"]: t for t in client.describe_topics(list(topics.values()))}
        assert {n: len(t["partitions"]) for n, t in described.items()} == {
            topics["raw"]: 2,
            topics["enriched"]: 6,
            topics["alerts"]: 3,
            topics["rules"]: 1,
            topics["feeds"]: 1,
            topics["deadletters"]: 1,
            topics["candidates"]: 1,
        }
        configs = client.describe_configs(
            [ConfigResource(ConfigResourceType.TOPIC, topics[r]) for r in ("feeds", "rules")]
        )["topic"]
        assert configs[topics["feeds"]]["cleanup.policy"]["value"] == "compact"
        assert configs[topics["rules"]]["cleanup.policy"]["value"] == "compact"
    finally:
        client.close()
    # with the setting matching the topic, setup is clean and changes nothing
    again = cli("setup", env={"WIREWATCH_KAFKA__PARTITIONS_RAW": "2"})
    assert "created" not in again.stdout and "problem" not in again.stderr
    assert f"topic {topics['feeds']} exists: 1 partitions, cleanup.policy=compact" in again.stdout


def test_raw_retention_is_set_from_the_setting(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    cli = cli_for(kafka, topics, tmp_path)
    cli("setup", env={"WIREWATCH_KAFKA__RAW_RETENTION_HOURS": "36"})
    client = admin(kafka)
    try:
        raw = client.describe_configs([ConfigResource(ConfigResourceType.TOPIC, topics["raw"])])
    finally:
        client.close()
    assert raw["topic"][topics["raw"]]["retention.ms"]["value"] == str(36 * 3_600_000)


def test_feeds_and_rules_round_trip_through_their_topics(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    one = cli_for(kafka, topics, tmp_path / "one")
    other = cli_for(kafka, topics, tmp_path / "other")  # another machine: no shared data dir
    one("setup")
    added = one.json("feeds", "add", "https://reader:s3cret@news.example/feed", "--title", "X")
    one("feeds", "add", (RECORDED / "bbc-world.xml").as_uri())
    listed = other.json("feeds", "list")
    assert [f["feed"]["url"] for f in listed] == [
        "https://news.example/feed",
        (RECORDED / "bbc-world.xml").as_uri(),
    ]
    assert listed[0]["feed"]["title"] == "X"
    assert other.json("feeds", "add", "https://news.example/feed")["created"] is False
    # the credentials travel with the feed (for the pollers), never into output
    (record,) = [m for m in kafka.records(topics["feeds"]) if m.key == added["feed"]["id"].encode()]
    assert decode(Feed, record.value).auth.password.get_secret_value() == "s3cret"
    other("feeds", "rm", added["feed"]["id"])
    assert [f["feed"]["id"] for f in one.json("feeds", "list")] == [listed[1]["feed"]["id"]]

    one("alerts", "add", "gaza", "gaza AND ceasefire")
    other("alerts", "pause", "gaza")
    (rule,) = one.json("alerts", "list")
    assert (rule["name"], rule["enabled"], rule["hits"]) == ("gaza", False, None)
    dup = other("alerts", "add", "gaza", "gaza", ok=False)
    assert dup.returncode == 2 and "already exists" in dup.stderr
    one("alerts", "rm", "gaza")
    assert other.json("alerts", "list") == []


def test_a_command_that_cannot_work_distributed_yet_says_what_to_use(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    cli = cli_for(kafka, topics, tmp_path)
    r = cli("reprocess", ok=False)
    assert r.returncode == 2
    assert r.stderr.count("\n") == 1
    assert "`wirewatch reprocess` does not work in distributed mode yet" in r.stderr


def test_poll_polls_exactly_the_feeds_of_the_topic(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    cli = cli_for(kafka, topics, tmp_path)
    cli("setup")
    wanted = [RECORDED / "bbc-world.xml", RECORDED / "npr-world.xml"]
    for path in wanted:
        cli("feeds", "add", path.as_uri())
    first = cli.json("poll", "--once")
    assert first["feeds_polled"] == 2 and first["articles_published"] > 0
    articles = [decode(Article, m.value) for m in kafka.records(topics["raw"])]
    assert {a.feed_url for a in articles} == {p.as_uri() for p in wanted}
    cli("feeds", "rm", wanted[1].as_uri())
    assert cli.json("poll", "--once")["feeds_polled"] == 1


def test_dead_letters_are_listed_and_replayed_as_first_received(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    cli = cli_for(kafka, topics, tmp_path)
    cli("setup")
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap)
    poison = b"\xff not an article"
    for offset, reason in enumerate(["not UTF-8 at byte 0", "enrichment failed: boom"]):
        letter = DeadLetter.of(
            source_topic=topics["raw"],
            partition=0,
            offset=offset,
            key=f"a{offset}".encode(),
            value=poison,
            stage="enrich",
            reason=reason,
            at=SystemClock().now(),
        )
        dead_letter(producer, topics["deadletters"], letter).get(timeout=30)
    producer.close()
    listed = cli.json("deadletters", "list")
    assert [(d["source_topic"], d["key"], d["reason"]) for d in listed] == [
        (topics["raw"], "a0", "not UTF-8 at byte 0"),
        (topics["raw"], "a1", "enrichment failed: boom"),
    ]
    assert "enrichment failed: boom" in cli("deadletters", "list").stdout
    unknown = cli("deadletters", "replay", "--id", "9-99", ok=False)
    assert unknown.returncode == 2 and "no dead letter with id '9-99'" in unknown.stderr
    cli("deadletters", "replay", "--id", listed[1]["id"])
    assert [(m.key, m.value) for m in kafka.records(topics["raw"])] == [(b"a1", poison)]
    assert cli.json("deadletters", "replay", "--all")["replayed"] == [d["id"] for d in listed]


def test_migrate_publishes_the_data_dirs_feeds_rules_and_articles_once(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path
) -> None:
    embedded = cli_for(kafka, topics, tmp_path, mode="embedded")
    embedded("feeds", "add", (RECORDED / "dw-english.rdf").as_uri())
    embedded("alerts", "add", "iran", "iran")
    embedded("alerts", "pause", "iran")
    db = Database.open(embedded.data_dir)
    ArticleStore(db, SystemClock()).index([enriched(f"m{i}", f"title {i}") for i in range(3)])
    db.close()
    embedded("setup", env={"WIREWATCH_MODE": "distributed"})
    done = embedded.json("migrate", "--to", "distributed", "--articles")
    assert done == {"feeds": 1, "feeds_added": 1, "rules": 1, "rules_added": 1, "articles": 3}
    again = embedded.json("migrate", "--to", "distributed")
    assert (again["feeds_added"], again["rules_added"], again["articles"]) == (0, 0, 0)
    distributed = cli_for(kafka, topics, tmp_path / "elsewhere")
    assert [f["feed"]["url"] for f in distributed.json("feeds", "list")] == [
        (RECORDED / "dw-english.rdf").as_uri()
    ]
    assert [(r["name"], r["enabled"]) for r in distributed.json("alerts", "list")] == [
        ("iran", False)
    ]
    assert sorted(m.key for m in kafka.records(topics["raw"])) == [b"m0", b"m1", b"m2"]


async def test_a_running_poller_takes_up_a_feed_added_to_the_topic(
    kafka: Kafka, topics: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(poller_module, "FOLLOW_FEEDS_SECONDS", 0.2)
    monkeypatch.setattr(due, "MAX_IDLE_SECONDS", 0.2)  # the loop sleeps a minute with no feed
    kafka_settings = KafkaSettings(
        bootstrap_servers=kafka.bootstrap,
        **{f"topic_{role}": name for role, name in topics.items()},
    )
    settings = Settings(
        mode="distributed", data_dir=tmp_path, allow_local_files=True, kafka=kafka_settings
    )
    ensure_topics(kafka_settings)
    clock = SystemClock()
    poller = KafkaPoller(
        settings,
        config_dir=None,
        clock=clock,
        fetcher=build_fetcher(settings, clock),
        parse=build_parser(settings),
        publisher=KafkaPublisher(kafka_settings, timeout_s=30),
    )
    running = asyncio.create_task(poller.run(once=False))
    url = (RECORDED / "cbs-world.xml").as_uri()
    plane = open_control_plane(kafka_settings)
    try:
        await asyncio.to_thread(add_feed, plane.feeds, settings, clock, url)
    finally:
        plane.close()
    async with asyncio.timeout(120):
        while not poller.summary.feeds_polled:
            await asyncio.sleep(0.2)
    poller.stop.set()
    summary = await running
    assert summary.feeds_polled == 1 and summary.articles_published > 0
    assert {decode(Article, m.value).feed_url for m in kafka.records(topics["raw"])} == {url}
