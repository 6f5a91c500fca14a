"""The sink's consumer rides out a broker outage instead of dying with it."""

from __future__ import annotations

from typing import Any

import pytest
from kafka.errors import KafkaConnectionError, UnknownError

from sinks.kafka import group
from sinks.kafka.group import GroupReader


class Consumer:
    """kafka-python's consumer while the broker is down (its poll and commit raise)."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.records: dict[Any, list[str]] = {}

    def poll(self, timeout_ms: int, max_records: int) -> dict[Any, list[str]]:
        if self.error is not None:
            raise self.error
        return self.records

    def commit(self, offsets: object) -> None:
        if self.error is not None:
            raise self.error


def reader(consumer: Consumer) -> GroupReader:
    r = GroupReader.__new__(GroupReader)  # no broker: the consumer is the fake above
    r._consumer, r._max_records, r._waiting = consumer, 10, False  # type: ignore[assignment]
    return r


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(group.time, "sleep", lambda s: None)


def test_an_unreachable_broker_gives_empty_batches_then_records_once_it_is_back(
    caplog: pytest.LogCaptureFixture,
) -> None:
    consumer = Consumer(KafkaConnectionError("111 ECONNREFUSED"))
    r = reader(consumer)
    assert r.poll() == [] and r.poll() == []
    consumer.error, consumer.records = None, {"tp": ["a", "b"]}  # type: ignore[assignment]
    assert r.poll() == ["a", "b"]
    warnings = [m.getMessage() for m in caplog.records if m.levelname == "WARNING"]
    assert len([w for w in warnings if "cannot reach Kafka" in w]) == 1  # once per outage
    assert "Kafka answers again" in warnings


def test_a_commit_the_broker_cannot_take_is_not_made_and_the_records_come_again() -> None:
    assert reader(Consumer(KafkaConnectionError("111 ECONNREFUSED"))).commit({("t", 0): 5}) is False


def test_an_error_retrying_cannot_mend_is_raised() -> None:
    with pytest.raises(UnknownError):
        reader(Consumer(UnknownError("boom"))).poll()
