"""What the poller records, without Kafka: each poll's outcome, the articles handed to
the publisher and those it acknowledged, and a refused publish as a `publish` error."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from ingest.parse import parse_feed
from ingest.publish import PublishError
from tests.support.scrape import samples, total
from wirewatch.core.clock import SystemClock
from wirewatch.core.models import Article
from wirewatch.core.settings import FeedEntry, Settings
from wirewatch.runtime.build import build_fetcher
from wirewatch.runtime.observe.prom import PrometheusMetrics
from wirewatch.runtime.poller import KafkaPoller

RECORDED = Path(__file__).resolve().parents[3] / "examples" / "recorded"
REFUSED = "npr-world.xml"


class Publisher:
    """Acknowledges every feed's articles but those of REFUSED (the broker is "down")."""

    def __init__(self) -> None:
        self.acknowledged: list[Article] = []

    def publish(self, articles: Sequence[Article]) -> None:
        if articles[0].feed_url.endswith(REFUSED):
            raise PublishError("cannot reach Kafka at k:9092", hint="start the broker")
        self.acknowledged += articles

    def close(self) -> None:
        pass


def test_polls_publishes_and_a_refused_publish_are_counted(tmp_path: Path) -> None:
    names = ["npr-world.xml", "bbc-world.xml"]
    settings = Settings(
        data_dir=tmp_path / "data",
        allow_local_files=True,
        feeds=[FeedEntry(url=f"recorded/{name}") for name in names],
    )
    metrics, publisher, clock = PrometheusMetrics(), Publisher(), SystemClock()
    poller = KafkaPoller(
        settings,
        config_dir=RECORDED.parent,
        clock=clock,
        fetcher=build_fetcher(settings, clock),
        parse=parse_feed,
        publisher=publisher,
        metrics=metrics,
    )

    summary = asyncio.run(poller.run(once=True))

    values = samples(metrics.exposition().decode())
    assert summary.publish_failures == 1 and publisher.acknowledged
    assert total(values, "wirewatch_feed_polls_total", outcome="ok") == 2
    polled = total(values, "wirewatch_articles_out_total", stage="ingest")
    assert total(values, "wirewatch_articles_in_total", stage="publish") == polled
    assert total(values, "wirewatch_articles_out_total", stage="publish") == len(
        publisher.acknowledged
    )
    assert len(publisher.acknowledged) < polled
    assert total(values, "wirewatch_errors_total", stage="publish", kind="kafka") == 1
    assert total(values, "wirewatch_stage_duration_seconds_count", stage="publish") == 2
