"""Kafka SASL on a real broker's SASL/PLAIN listener (deploy/dev/services): with
`kafka.security_protocol` SASL_PLAINTEXT and the right password, the control plane's
clients, the poller's publisher and the faust worker's aiokafka client all authenticate;
with a wrong password, a role's readiness check says so instead of hanging."""

from __future__ import annotations

import asyncio
import uuid

from aiokafka import AIOKafkaProducer
from faust.transport.drivers.aiokafka import credentials_to_aiokafka_auth

from ingest.publish import KafkaPublisher
from sinks.kafka.admin import ensure_topics
from sinks.kafka.connect import broker_problem
from tests.integration.conftest import Kafka
from tests.integration.test_kafka_publish import articles
from wirewatch.core.settings import KafkaSettings
from wirewatch.runtime.worker.credentials import broker_credentials


def sasl(kafka: Kafka, password: str = "wirewatch-dev", **kw: str) -> KafkaSettings:
    return KafkaSettings(
        bootstrap_servers=kafka.sasl_bootstrap,
        security_protocol="SASL_PLAINTEXT",
        username="wirewatch",
        password=password,
        **kw,
    )


def test_the_kafka_python_clients_authenticate_and_publish(kafka: Kafka) -> None:
    k = sasl(kafka, topic_raw=f"t.sasl.{uuid.uuid4().hex[:8]}")
    assert broker_problem(k) is None
    ensure_topics(k)
    publisher = KafkaPublisher(k, timeout_s=30)
    sent = articles("sasl", 3)
    publisher.publish(sent)
    publisher.close()
    assert sorted(r.key.decode() for r in kafka.records(k.topic_raw)) == [a.id for a in sent]


def test_the_worker_credentials_authenticate_aiokafka(kafka: Kafka) -> None:
    k = sasl(kafka, topic_raw=f"t.sasl.{uuid.uuid4().hex[:8]}")
    ensure_topics(k)

    async def send() -> None:
        producer = AIOKafkaProducer(
            bootstrap_servers=k.bootstrap_servers,
            **credentials_to_aiokafka_auth(broker_credentials(k)),
        )
        await producer.start()
        try:
            await producer.send_and_wait(k.topic_raw, b"from-the-worker", key=b"w")
        finally:
            await producer.stop()

    asyncio.run(asyncio.wait_for(send(), 60))
    assert [r.value for r in kafka.records(k.topic_raw)] == [b"from-the-worker"]


def test_a_wrong_password_is_reported_not_hung_on(kafka: Kafka) -> None:
    problem = broker_problem(sasl(kafka, password="wrong"))
    assert problem is not None and kafka.sasl_bootstrap in problem
