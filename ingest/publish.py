"""Publishing accepted articles to Kafka (`articles.raw`) with kafka-python.

Key = article id, so every replay lands on the same partition and downstream
stores are idempotent; value = Article JSON. The producer is idempotent
(`enable_idempotence`, acks=all, bounded in-flight requests), compresses, and
retries within `delivery_timeout_ms`. `publish` returns only when Kafka has
acknowledged every article, or raises `PublishError`; the poller advances a
feed's state only after it returns, so an article is never silently dropped:
at worst it is fetched and published again under the same id.

A broker that is down when the poller starts is not fatal: the producer is
(re)created on the next publish, and until then each publish fails with a clear
`PublishError` (the poller re-polls those feeds later).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

from kafka import KafkaProducer
from kafka.errors import KafkaError

from wirewatch.core.errors import WirewatchError
from wirewatch.core.kafka_security import client_options
from wirewatch.core.models import Article
from wirewatch.core.settings import KafkaSettings

log = logging.getLogger("wirewatch.publish")


class PublishError(WirewatchError):
    """Kafka did not acknowledge every article; nothing was advanced."""


def _producer_config(settings: KafkaSettings, timeout_ms: int) -> dict[str, Any]:
    return {
        "bootstrap_servers": settings.bootstrap_servers.split(","),
        "client_id": f"{settings.client_id}-poller",
        "acks": "all",
        "enable_idempotence": True,
        "max_in_flight_requests_per_connection": 5,
        "retries": 2**31 - 1,  # bounded by delivery_timeout_ms
        "delivery_timeout_ms": timeout_ms,
        "request_timeout_ms": min(30_000, timeout_ms // 2),
        "max_block_ms": timeout_ms,
        "bootstrap_timeout_ms": min(10_000, timeout_ms),
        "compression_type": "gzip",
        "linger_ms": 20,
        **client_options(settings),
    }


class KafkaPublisher:
    """Thread-safe; async callers run `publish` in a thread."""

    def __init__(self, settings: KafkaSettings, *, timeout_s: float = 60.0) -> None:
        self.settings = settings
        self.topic = settings.topic_raw
        self.timeout_ms = int(timeout_s * 1000)
        self._producer: KafkaProducer | None = None
        self._lock = threading.Lock()

    def _connect(self) -> KafkaProducer:
        if self._producer is None:
            try:
                self._producer = KafkaProducer(**_producer_config(self.settings, self.timeout_ms))
            except (KafkaError, OSError) as e:
                raise PublishError(
                    f"cannot reach Kafka at {self.settings.bootstrap_servers}: {e}",
                    hint="start the broker (deploy/dev/services up kafka) or fix "
                    "kafka.bootstrap_servers; the feeds are retried",
                ) from None
        return self._producer

    def publish(self, articles: Sequence[Article]) -> None:
        """Send and wait for every acknowledgement; PublishError if any is missing."""
        if not articles:
            return
        with self._lock:
            producer = self._connect()
            try:
                futures = [
                    producer.send(self.topic, key=a.id.encode(), value=a.to_json().encode())
                    for a in articles
                ]
                producer.flush(timeout=self.timeout_ms / 1000)
                failed = []
                for a, f in zip(articles, futures, strict=True):
                    try:
                        f.get(timeout=self.timeout_ms / 1000)
                    except (KafkaError, OSError) as e:
                        failed.append((a.id, e))
            except (KafkaError, OSError) as e:
                self._reset()
                raise PublishError(
                    f"publishing to {self.topic} failed: {e}",
                    hint="check the broker; the feeds are retried",
                ) from None
            if failed:
                self._reset()
                raise PublishError(
                    f"{len(failed)} of {len(articles)} articles were not acknowledged by Kafka "
                    f"(first: {failed[0][1]!r})",
                    hint="check the broker; the feed is polled again and nothing is lost",
                )

    def _reset(self) -> None:
        """Drop a producer in a bad state; the next publish connects afresh."""
        if self._producer is not None:
            try:
                self._producer.close(timeout=1)
            except Exception:
                log.debug("closing a failed producer", exc_info=True)
            self._producer = None

    def close(self) -> None:
        with self._lock:
            if self._producer is not None:
                self._producer.close(timeout=self.timeout_ms / 1000)
                self._producer = None
