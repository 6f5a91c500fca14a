"""Webhook delivery: signed, idempotent, classified for retry, delivered to a real receiver."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from ingest.fetch import Fetcher
from sinks.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    WebhookSender,
    classify,
    encode,
    next_attempt_delay,
    sign,
    verify_signature,
)
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.models import Alert
from wirewatch.core.settings import FetchSettings, NotifySettings
from wirewatch.runtime.build import GuardedPost

T = datetime(2026, 11, 25, tzinfo=UTC)
ALERT = Alert(
    id="hit-1",
    rule_id="r1",
    rule_name="rafah",
    query="rafah",
    article_id="a1",
    title="Talks on Rafah",
    url="https://news.example/1",
    source="Example",
    published_at=T,
    matched_at=T,
)


def test_signature_round_trip_and_tampering() -> None:
    body = encode(ALERT)
    sender = WebhookSender(
        NotifySettings(webhook_secret="s3cret"),
        "ua",
        post=None,  # type: ignore[arg-type]
        clock=lambda: 1_700_000_000,
    )
    headers = sender.headers(ALERT, body)
    assert headers[IDEMPOTENCY_HEADER] == "hit-1"
    assert headers[SIGNATURE_HEADER] == sign("s3cret", headers[TIMESTAMP_HEADER], body)
    assert verify_signature("s3cret", body, headers, now=1_700_000_010)
    assert not verify_signature("s3cret", body + b" ", headers, now=1_700_000_010)
    assert not verify_signature("other", body, headers, now=1_700_000_010)
    assert not verify_signature("s3cret", body, headers, now=1_700_009_999)  # a replay


@pytest.mark.parametrize(
    ("status", "ok", "retryable"),
    [
        (200, True, False),
        (204, True, False),
        (400, False, False),
        (404, False, False),
        (408, False, True),
        (429, False, True),
        (500, False, True),
        (503, False, True),
        (None, False, True),
    ],
)
def test_classification(status: int | None, ok: bool, retryable: bool) -> None:
    r = classify(status, None if status else "connection refused", None)
    assert (r.ok, r.retryable) == (ok, retryable)


def test_backoff_grows_and_is_capped() -> None:
    s = NotifySettings(backoff_base=2, backoff_max=60)
    rng = random.Random(3)
    delays = [next_attempt_delay(n, s, rng) for n in range(1, 10)]
    assert delays[0] <= 2 and delays[3] > 4 and max(delays) <= 60


async def test_delivery_to_a_real_receiver_is_signed_and_keyed() -> None:
    with WebhookReceiver(secret="s3cret") as receiver:
        fetcher = Fetcher(FetchSettings(allow_private=[f"127.0.0.1:{receiver.port}"]))
        sender = WebhookSender(
            NotifySettings(webhook_secret="s3cret"), "Wirewatch-test", post=GuardedPost(fetcher)
        )
        first = await sender.send(receiver.url, ALERT)
        receiver.status = 503
        receiver.extra_headers = {"Retry-After": "30"}
        second = await sender.send(receiver.url, ALERT)
        await fetcher.aclose()
    assert first.ok and not second.ok and second.retryable and second.retry_after == 30
    assert [r.signature_ok for r in receiver.requests] == [True, True]
    assert {r.idempotency_key for r in receiver.requests} == {"hit-1"}
    assert receiver.requests[0].json["alert"]["title"] == "Talks on Rafah"


async def test_webhook_to_a_private_address_is_refused_without_allow_list() -> None:
    with WebhookReceiver(secret="x") as receiver:
        fetcher = Fetcher(FetchSettings())
        sender = WebhookSender(NotifySettings(), "ua", post=GuardedPost(fetcher))
        result = await sender.send(receiver.url, ALERT)
        await fetcher.aclose()
    assert not result.ok and "SSRF" in (result.error or "")
    assert receiver.requests == []
