"""Publishing to a real Kafka broker: acknowledged, keyed by id, and nothing lost
when the broker is down at start or restarted mid-run."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.parse import ParsedFeed, parse_feed
from ingest.publish import KafkaPublisher, PublishError
from sinks.kafka.admin import ensure_topics
from sinks.sqlite.database import Database
from sinks.sqlite.feeds import FeedStore
from tests.integration.conftest import Kafka
from wirewatch.core.clock import SystemClock
from wirewatch.core.models import Article, FeedStatus
from wirewatch.core.settings import FeedEntry, KafkaSettings, Settings
from wirewatch.runtime.build import build_fetcher
from wirewatch.runtime.context import poller_db_name
from wirewatch.runtime.poller import KafkaPoller

T = datetime(2026, 11, 25, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]
EXAMPLE = REPO / "examples" / "wirewatch.yaml"


def articles(prefix: str, n: int) -> list[Article]:
    return [
        Article(
            id=f"{prefix}-{i}",
            feed_id="f1",
            feed_url="https://news.example/feed",
            source="Example",
            title=f"Headline {i}",
            published_at=T,
            fetched_at=T,
        )
        for i in range(n)
    ]


def consume(kafka: Kafka, topic: str) -> list[tuple[str, Article]]:
    return [(m.key.decode(), Article.model_validate_json(m.value)) for m in kafka.records(topic)]


def settings(kafka: Kafka, topic: str) -> KafkaSettings:
    return KafkaSettings(bootstrap_servers=kafka.bootstrap, topic_raw=topic)


def test_publish_is_acknowledged_and_keyed_by_id(kafka: Kafka) -> None:
    pub = KafkaPublisher(settings(kafka, "t.basic"), timeout_s=30)
    ensure_topics(pub.settings)
    sent = articles("basic", 200)
    pub.publish(sent)
    pub.close()
    got = consume(kafka, "t.basic")
    assert sorted(k for k, _ in got) == sorted(a.id for a in sent)
    assert all(k == a.id for k, a in got)
    assert {a.title for _, a in got} == {a.title for a in sent}


def test_broker_restarted_mid_run_loses_nothing(kafka: Kafka) -> None:
    pub = KafkaPublisher(settings(kafka, "t.restart"), timeout_s=15)
    ensure_topics(pub.settings)
    first, second = articles("before", 50), articles("after", 50)
    pub.publish(first)
    kafka.stop()
    try:
        with pytest.raises(PublishError, match="Kafka"):
            pub.publish(second)  # the caller keeps its state: these will be retried
    finally:
        kafka.start()
    pub.publish(second)  # the retry after the broker is back
    pub.close()
    got = consume(kafka, "t.restart")
    ids = [k for k, _ in got]
    assert set(ids) == {a.id for a in first + second}  # nothing lost, no new ids


def test_broker_down_at_start_then_up(kafka: Kafka) -> None:
    kafka.stop()
    try:
        pub = KafkaPublisher(settings(kafka, "t.late"), timeout_s=5)
        with pytest.raises(PublishError, match="cannot reach Kafka"):
            pub.publish(articles("late", 3))
    finally:
        kafka.start()
    ensure_topics(pub.settings)
    pub.publish(articles("late", 3))
    pub.close()
    assert {k for k, _ in consume(kafka, "t.late")} == {"late-0", "late-1", "late-2"}


def run_poll(kafka: Kafka, home: Path, *args: str) -> dict[str, object]:
    home.mkdir(parents=True, exist_ok=True)
    env = {
        "XDG_CONFIG_HOME": str(home / "cfg"),
        "PATH": "/usr/bin:/bin",
        "WIREWATCH_DATA_DIR": str(home / "data"),
        "WIREWATCH_KAFKA__BOOTSTRAP_SERVERS": kafka.bootstrap,
    }
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "wirewatch",
            "poll",
            "--once",
            "--json",
            "--config",
            str(EXAMPLE),
            *args,
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        cwd=home,
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)  # type: ignore[no-any-return]


def test_wirewatch_poll_publishes_every_item_once(kafka: Kafka, tmp_path: Path) -> None:
    first = run_poll(kafka, tmp_path)
    assert first["feeds_polled"] == 6 and first["feeds_failed"] == []
    again = run_poll(kafka, tmp_path)
    assert again["articles_published"] == 0  # the poller's own dedup memory
    got = consume(kafka, "articles.raw")
    ids = [k for k, _ in got]
    assert len(ids) == len(set(ids)) == first["articles_published"]


def test_two_pollers_split_the_feeds(kafka: Kafka, tmp_path: Path) -> None:
    a = run_poll(kafka, tmp_path / "a", "--index", "0", "--count", "2")
    b = run_poll(kafka, tmp_path / "b", "--index", "1", "--count", "2")
    assert a["feeds_polled"] + b["feeds_polled"] == 6  # type: ignore[operator]
    assert a["feeds_polled"] and b["feeds_polled"]


def test_a_bad_feed_among_good_ones_does_not_stop_the_others(kafka: Kafka, tmp_path: Path) -> None:
    """A bug met on one feed is that feed's error; the poller publishes every other feed."""
    recorded = sorted(
        p.name for p in (EXAMPLE.parent / "recorded").iterdir() if p.suffix in {".xml", ".rdf"}
    )
    bad = "npr-world.xml"
    settings = Settings(
        data_dir=tmp_path / "data",
        allow_local_files=True,
        feeds=[FeedEntry(url=f"recorded/{name}") for name in recorded],
        kafka=KafkaSettings(bootstrap_servers=kafka.bootstrap, topic_raw="t.isolation"),
    )

    def parse(body: bytes, *, feed: Any, **kwargs: Any) -> ParsedFeed:
        if feed.url.endswith(bad):
            raise RuntimeError("a bug met on this feed only")
        return parse_feed(body, feed=feed, **kwargs)

    publisher = KafkaPublisher(settings.kafka, timeout_s=30)
    ensure_topics(settings.kafka)
    clock = SystemClock()
    poller = KafkaPoller(
        settings,
        config_dir=EXAMPLE.parent,
        clock=clock,
        fetcher=build_fetcher(settings, clock),
        parse=parse,
        publisher=publisher,
    )
    summary = asyncio.run(poller.run(once=True))
    assert summary.feeds_polled == len(recorded) == 6
    (failed,) = summary.feeds_failed
    assert failed["url"].endswith(bad) and "a bug met on this feed only" in failed["error"]
    got = consume(kafka, "t.isolation")
    assert len(got) == summary.articles_published > 0
    assert {a.feed_url.rsplit("/", 1)[1] for _, a in got} == set(recorded) - {bad}
    db = Database.open(settings.data_dir, poller_db_name(0, 1))
    states = {r.feed.url.rsplit("/", 1)[1]: r.state for r in FeedStore(db).all()}
    db.close()
    assert states[bad].last_status is FeedStatus.ERROR  # recorded on the feed itself
    assert "a bug met on this feed only" in (states[bad].last_error or "")
