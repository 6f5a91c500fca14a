"""Webhook delivery: signed, idempotent, classified for retry, delivered to a real receiver."""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from ingest.fetch import Fetcher
from sinks.webhook import (
    IDEMPOTENCY_HEADER,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    DeliveryResult,
    WebhookSender,
    classify,
    encode,
    next_attempt_at,
    next_attempt_delay,
    sign,
    verify_signature,
)
from tests.support.alerts import digest_of
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.clock import SystemClock
from wirewatch.core.models import Alert
from wirewatch.core.settings import FetchSettings, LimitsSettings, NotifySettings, Settings
from wirewatch.runtime.build import GuardedPost, build_webhook_post

T = datetime(2026, 11, 25, tzinfo=UTC)
NOW = 1_700_000_000
SECRET = "s3cret-do-not-leak"
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


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=SECRET) as r:
        yield r


@pytest.fixture
async def fetcher(receiver: WebhookReceiver) -> AsyncIterator[Fetcher]:
    """The runtime's HTTP path (SSRF guard included), allowed to reach only this receiver."""
    f = Fetcher(
        FetchSettings(allow_private=[f"127.0.0.1:{receiver.port}"], read_timeout=0.3, deadline=2.0)
    )
    yield f
    await f.aclose()


def sender_for(fetcher: Fetcher, secret: str | None = SECRET) -> WebhookSender:
    return WebhookSender(
        NotifySettings(webhook_secret=secret), "Wirewatch-test/1", post=GuardedPost(fetcher)
    )


def test_signature_round_trip_tampering_and_replay() -> None:
    body = encode(ALERT)
    sender = WebhookSender(
        NotifySettings(webhook_secret=SECRET),
        "ua",
        post=None,  # type: ignore[arg-type]
        clock=lambda: NOW,
    )
    headers = sender.headers(ALERT, body)
    assert headers[IDEMPOTENCY_HEADER] == "hit-1"
    assert headers[TIMESTAMP_HEADER] == str(NOW)
    assert headers[SIGNATURE_HEADER] == sign(SECRET, str(NOW), body)
    assert verify_signature(SECRET, body, headers, now=NOW + 10)
    lower = {k.lower(): v for k, v in headers.items()}
    assert verify_signature(SECRET, body, lower, now=NOW + 10)  # header case does not matter
    assert not verify_signature(SECRET, body + b" ", headers, now=NOW + 10)
    assert not verify_signature("other", body, headers, now=NOW + 10)
    assert not verify_signature(SECRET, body, headers, now=NOW + 9999)  # a replay
    assert verify_signature(SECRET, body, headers, now=NOW + 9999, max_age=None)
    moved = {**headers, TIMESTAMP_HEADER: str(NOW + 5)}  # the timestamp is signed too
    assert not verify_signature(SECRET, body, moved, now=NOW + 10)
    assert not verify_signature(SECRET, body, {}, now=NOW)


def test_without_a_secret_there_is_no_signature() -> None:
    sender = WebhookSender(NotifySettings(), "ua", post=None)  # type: ignore[arg-type]
    headers = sender.headers(ALERT, encode(ALERT))
    assert SIGNATURE_HEADER not in headers and headers[IDEMPOTENCY_HEADER] == "hit-1"


@pytest.mark.parametrize(
    ("status", "ok", "retryable"),
    [
        (200, True, False),
        (204, True, False),
        (400, False, False),
        (401, False, False),
        (404, False, False),
        (410, False, False),
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


def test_backoff_grows_with_full_jitter_and_is_capped() -> None:
    s = NotifySettings(backoff_base=2, backoff_max=60)
    rng = random.Random(3)
    for attempts, ceiling in [(1, 2), (2, 4), (3, 8), (5, 32), (6, 60), (30, 60)]:
        delays = [next_attempt_delay(attempts, s, rng) for _ in range(400)]
        assert all(0 <= d <= ceiling for d in delays)
        assert min(delays) < ceiling * 0.1 and max(delays) > ceiling * 0.9  # spread over all of it
    # the same seed gives the same schedule (the runtime can be tested with a seeded rng)
    assert next_attempt_delay(4, s, random.Random(7)) == next_attempt_delay(4, s, random.Random(7))


def test_a_failed_delivery_is_retried_with_backoff_then_given_up() -> None:
    s = NotifySettings(backoff_base=2, backoff_max=60, max_attempts=3)
    now = datetime(2026, 2, 18, 12, 0, tzinfo=UTC)
    busy = DeliveryResult(ok=False, status=503, retryable=True)
    first = next_attempt_at(busy, 1, s, random.Random(1), now)
    assert first is not None and now <= first <= now + timedelta(seconds=2)
    assert next_attempt_at(busy, 3, s, random.Random(1), now) is None  # the last attempt
    refused = DeliveryResult(ok=False, status=404, retryable=False)
    assert next_attempt_at(refused, 1, s, random.Random(1), now) is None


def test_retry_after_lengthens_the_wait_up_to_backoff_max() -> None:
    s = NotifySettings(backoff_base=2, backoff_max=60, max_attempts=5)
    now = datetime(2026, 2, 18, 12, 0, tzinfo=UTC)
    asked = DeliveryResult(ok=False, status=429, retryable=True, retry_after=30)
    assert next_attempt_at(asked, 1, s, random.Random(1), now) == now + timedelta(seconds=30)
    greedy = DeliveryResult(ok=False, status=429, retryable=True, retry_after=3600)
    assert next_attempt_at(greedy, 1, s, random.Random(1), now) == now + timedelta(seconds=60)


async def test_delivery_to_a_real_receiver_is_signed_and_keyed(
    receiver: WebhookReceiver, fetcher: Fetcher
) -> None:
    result = await sender_for(fetcher).send(receiver.url, ALERT)
    assert result.ok and result.status == 200
    [req] = receiver.requests
    assert req.signature_ok and req.idempotency_key == "hit-1"
    assert req.headers["content-type"] == "application/json"
    assert req.headers["user-agent"] == "Wirewatch-test/1"
    assert req.json == {"type": "wirewatch.alert", "alert": ALERT.model_dump(mode="json")}


async def test_retries_and_a_restarted_sender_keep_the_idempotency_key(
    receiver: WebhookReceiver, fetcher: Fetcher
) -> None:
    receiver.status = 503
    receiver.extra_headers = {"Retry-After": "30"}
    first = await sender_for(fetcher).send(receiver.url, ALERT)
    receiver.status, receiver.extra_headers = 200, {}
    after_restart = await sender_for(fetcher).send(receiver.url, ALERT)  # a new process
    assert not first.ok and first.retryable and first.retry_after == 30
    assert after_restart.ok
    assert [r.idempotency_key for r in receiver.requests] == ["hit-1", "hit-1"]
    assert [r.body for r in receiver.requests] == [encode(ALERT)] * 2
    assert all(r.signature_ok for r in receiver.requests)


async def test_permanent_failure_is_not_retried_even_with_retry_after(
    receiver: WebhookReceiver, fetcher: Fetcher
) -> None:
    receiver.status = 410
    receiver.extra_headers = {"Retry-After": "30"}
    result = await sender_for(fetcher).send(receiver.url, ALERT)
    assert (result.ok, result.retryable, result.status, result.retry_after) == (
        False,
        False,
        410,
        None,
    )


async def test_receiver_rejects_a_tampered_body(receiver: WebhookReceiver) -> None:
    sender = WebhookSender(
        NotifySettings(webhook_secret=SECRET),
        "ua",
        post=None,  # type: ignore[arg-type]
    )
    body = encode(ALERT)
    headers = sender.headers(ALERT, body)
    forged = body.replace(b"Talks on Rafah", b"Talks on Gaza!")
    async with httpx.AsyncClient() as client:
        await client.post(receiver.url, content=body, headers=headers)
        await client.post(receiver.url, content=forged, headers=headers)
    assert [r.signature_ok for r in receiver.requests] == [True, False]


async def test_a_receiver_that_does_not_answer_times_out_as_retryable(
    receiver: WebhookReceiver, fetcher: Fetcher
) -> None:
    receiver.hold_replies()
    result = await sender_for(fetcher).send(receiver.url, ALERT)
    receiver.release()
    assert not result.ok and result.retryable and result.status is None
    assert "timed out" in (result.error or "")
    assert len(receiver.requests) == 1  # it was sent; the answer never came


async def test_refused_connection_is_retryable() -> None:
    with WebhookReceiver(secret=SECRET) as gone:
        url = gone.url
    f = Fetcher(FetchSettings(allow_private=[url.split("/")[2]]))
    result = await sender_for(f).send(url, ALERT)
    await f.aclose()
    assert not result.ok and result.retryable and result.status is None


async def test_the_secret_is_never_sent_or_reported(
    receiver: WebhookReceiver, fetcher: Fetcher
) -> None:
    receiver.status = 500
    sender = sender_for(fetcher)
    result = await sender.send(receiver.url, ALERT)
    [req] = receiver.requests
    sent = req.body.decode() + repr(req.headers)
    assert SECRET not in sent and SECRET not in repr(result) and SECRET not in repr(sender.settings)


async def test_webhook_to_a_private_address_is_refused_without_allow_list(
    receiver: WebhookReceiver,
) -> None:
    fetcher = Fetcher(FetchSettings())
    result = await sender_for(fetcher).send(receiver.url, ALERT)
    await fetcher.aclose()
    assert not result.ok and "SSRF" in (result.error or "")
    assert not result.retryable  # a refused address stays refused: no retries
    assert receiver.requests == []


def test_a_webhook_body_is_bounded_whatever_the_alert_carries() -> None:
    huge = ALERT.model_copy(
        update={
            "title": "Rafah " * 200_000,
            "query": "rafah OR " * 100_000 + "gaza",
            "source": "S" * 1_000_000,
            "url": "https://news.example/a?q=" + "x" * 20_000,
        }
    )
    limits = LimitsSettings()
    alert = json.loads(encode(huge))["alert"]
    assert len(encode(huge)) < 4 * limits.webhook_field_chars + 1_000
    assert alert["title"].endswith("Rafah…") and len(alert["title"]) <= limits.webhook_field_chars
    assert len(alert["query"]) <= limits.webhook_field_chars and alert["url"] is None
    assert json.loads(encode(ALERT))["alert"] == ALERT.model_dump(mode="json")  # small: as is


async def test_a_receiver_that_never_answers_is_reported_against_notify_timeout(
    receiver: WebhookReceiver,
) -> None:
    settings = Settings(
        fetch=FetchSettings(allow_private=[f"127.0.0.1:{receiver.port}"], read_timeout=5.0),
        notify=NotifySettings(timeout=0.5),
    )
    post = build_webhook_post(settings, SystemClock())
    receiver.hold_replies()
    try:
        result = await WebhookSender(settings.notify, "ua", post=post).send(receiver.url, ALERT)
    finally:
        receiver.release()
        await post.aclose()
    assert not result.ok and result.retryable
    assert "notify.timeout" in (result.error or "") and "fetch.deadline" not in (result.error or "")


async def test_a_digest_is_one_signed_post_listing_its_hits_under_its_own_key(
    receiver: WebhookReceiver, fetcher: Fetcher
) -> None:
    digest = digest_of(3)
    result = await sender_for(fetcher).send(receiver.url, digest)
    assert result.ok
    [req] = receiver.requests
    assert req.signature_ok and req.idempotency_key == digest.id
    assert req.json["type"] == "wirewatch.digest"
    body = req.json["digest"]
    assert (body["id"], body["rule_name"]) == (digest.id, "gaza talks")
    assert [a["title"] for a in body["alerts"]] == [a.title for a in digest.alerts]
    assert body["alerts"][0]["kind"] == "update"
