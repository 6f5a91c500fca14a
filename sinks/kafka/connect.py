"""Kafka clients for the control plane and the CLI, with one clear error when the broker
cannot be reached.

These clients serve short commands (`feeds add`, `setup`, `deadletters list`), so their
timeouts are seconds, not the minutes a long-running poller waits; a command against a
broker that is down fails in one line naming the bootstrap servers and the fix.
"""

from __future__ import annotations

from typing import Any

from kafka import KafkaConsumer, KafkaProducer
from kafka.admin import KafkaAdminClient
from kafka.errors import KafkaError

from wirewatch.core.errors import WirewatchError
from wirewatch.core.kafka_security import client_options
from wirewatch.core.settings import KafkaSettings
from wirewatch.core.topics import SESSION_TIMEOUT_S, group_id

TIMEOUT_MS = 15_000


class KafkaUnavailable(WirewatchError):
    """The broker did not answer, or refused a request; nothing was changed."""


def unreachable(k: KafkaSettings, e: BaseException) -> KafkaUnavailable:
    return KafkaUnavailable(
        f"cannot reach Kafka at {k.bootstrap_servers}: {e}",
        hint="start the broker (deploy/dev/services up kafka) or fix kafka.bootstrap_servers "
        "(a secured cluster: kafka.security_protocol and its credentials)",
    )


def _common(k: KafkaSettings, role: str) -> dict[str, Any]:
    """What every client shares: the brokers, its id, the timeout, TLS and SASL."""
    return {
        "bootstrap_servers": k.bootstrap_servers.split(","),
        "client_id": f"{k.client_id}-{role}",
        "request_timeout_ms": TIMEOUT_MS,
        **client_options(k),
    }


def producer(k: KafkaSettings, role: str) -> KafkaProducer:
    """An idempotent producer (acks=all) whose sends the caller flushes before returning."""
    try:
        return KafkaProducer(
            **_common(k, role),
            acks="all",
            enable_idempotence=True,
            max_block_ms=TIMEOUT_MS,
            delivery_timeout_ms=2 * TIMEOUT_MS,
            bootstrap_timeout_ms=TIMEOUT_MS,
        )
    except (KafkaError, OSError) as e:
        raise unreachable(k, e) from None


def consumer(k: KafkaSettings, role: str) -> KafkaConsumer:
    """A consumer without a group: it reads partitions it is assigned, commits nothing."""
    try:
        return KafkaConsumer(
            **_common(k, role),
            group_id=None,
            enable_auto_commit=False,
            bootstrap_timeout_ms=TIMEOUT_MS,
        )
    except (KafkaError, OSError) as e:
        raise unreachable(k, e) from None


def group_consumer(k: KafkaSettings, role: str, topics: list[str]) -> KafkaConsumer:
    """A member of the consumer group `<client_id>-<role>` subscribed to `topics`, that
    commits only when told to: a stage commits what it made durable, never what it read."""
    try:
        c = KafkaConsumer(
            **_common(k, role),
            group_id=group_id(k, role),
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            session_timeout_ms=int(SESSION_TIMEOUT_S * 1000),  # a dead member's hold
            bootstrap_timeout_ms=TIMEOUT_MS,
        )
        c.subscribe(topics)
        return c
    except (KafkaError, OSError) as e:
        raise unreachable(k, e) from None


def admin(k: KafkaSettings, timeout_ms: int = TIMEOUT_MS) -> KafkaAdminClient:
    """An admin client; `timeout_ms` bounds reaching the broker and each request."""
    try:
        return KafkaAdminClient(
            **{**_common(k, "admin"), "request_timeout_ms": timeout_ms},
            bootstrap_timeout_ms=timeout_ms,
        )
    except (KafkaError, OSError) as e:
        raise unreachable(k, e) from None


PROBE_TIMEOUT_MS = 5_000


def broker_problem(k: KafkaSettings) -> str | None:
    """Why the broker cannot be used now (one metadata request), or None: a role's
    readiness check. A fresh client each time, so a broker that came back is seen."""
    try:
        client = admin(k, PROBE_TIMEOUT_MS)
    except KafkaUnavailable as e:
        return e.message
    try:
        client.list_topics()
    except (KafkaError, OSError) as e:
        return unreachable(k, e).message
    finally:
        client.close()
    return None
