"""Alert delivery by webhook: signed JSON POSTs with a stable idempotency key.

Body: `{"type": "wirewatch.alert", "alert": <Alert JSON>}`.
Headers:
  `Idempotency-Key: <alert id>` — the same on every retry and after a crash, so
      receivers can drop duplicates (delivery is at-least-once);
  `X-Wirewatch-Timestamp: <unix seconds>`;
  `X-Wirewatch-Signature: sha256=<hex HMAC-SHA256(secret, timestamp + "." + body)>`
      — signing the timestamp too lets receivers refuse replays of old requests.
Receivers verify with `verify_signature`. One call to `send` is one attempt; the
runtime keeps attempts in its store and schedules retries with
`next_attempt_delay`, so a failing receiver never blocks the pipeline.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Protocol

from wirewatch.core.models import Alert
from wirewatch.core.settings import NotifySettings

SIGNATURE_HEADER = "X-Wirewatch-Signature"
TIMESTAMP_HEADER = "X-Wirewatch-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"


@dataclass(frozen=True)
class DeliveryResult:
    ok: bool
    status: int | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None


class HttpResponse(Protocol):
    status: int | None
    headers: Mapping[str, str]
    error: str | None


class HttpPost(Protocol):
    """An HTTP client that applies the deployment's network policy (SSRF guard, limits)."""

    async def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpResponse: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify_signature(
    secret: str,
    body: bytes,
    headers: Mapping[str, str],
    *,
    max_age: float | None = 300.0,
    now: float | None = None,
) -> bool:
    """For receivers: is this request from a Wirewatch that knows the secret, and fresh?"""
    lower = {k.lower(): v for k, v in headers.items()}
    ts = lower.get(TIMESTAMP_HEADER.lower(), "")
    sig = lower.get(SIGNATURE_HEADER.lower(), "")
    if not ts.isdigit() or not sig:
        return False
    if max_age is not None and abs((now or time.time()) - int(ts)) > max_age:
        return False
    return hmac.compare_digest(sign(secret, ts, body), sig)


def encode(alert: Alert) -> bytes:
    return json.dumps(
        {"type": "wirewatch.alert", "alert": alert.model_dump(mode="json")},
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode("utf-8")


def next_attempt_delay(attempts: int, settings: NotifySettings, rng: random.Random) -> float:
    """Seconds before attempt `attempts + 1`: exponential, capped, with full jitter."""
    ceiling = min(settings.backoff_max, settings.backoff_base * (2 ** max(0, attempts - 1)))
    return rng.uniform(ceiling / 2, ceiling)


def classify(status: int | None, error: str | None, retry_after: float | None) -> DeliveryResult:
    if status is not None and 200 <= status < 300:
        return DeliveryResult(ok=True, status=status)
    if status is None:
        return DeliveryResult(ok=False, error=error or "no response", retryable=True)
    retryable = status >= 500 or status in {408, 425, 429}
    return DeliveryResult(
        ok=False,
        status=status,
        error=f"HTTP {status}",
        retryable=retryable,
        retry_after=retry_after,
    )


class WebhookSender:
    def __init__(
        self,
        settings: NotifySettings,
        user_agent: str,
        *,
        post: HttpPost,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.user_agent = user_agent
        self.post = post
        self.clock = clock

    def headers(self, alert: Alert, body: bytes) -> dict[str, str]:
        ts = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: alert.id,
            TIMESTAMP_HEADER: ts,
            "User-Agent": self.user_agent,
        }
        secret = self.settings.webhook_secret
        if secret is not None and secret.get_secret_value():
            headers[SIGNATURE_HEADER] = sign(secret.get_secret_value(), ts, body)
        return headers

    async def send(self, url: str, alert: Alert) -> DeliveryResult:
        """One delivery attempt."""
        body = encode(alert)
        response = await self.post(url, body, self.headers(alert, body))
        retry_after = None
        value = response.headers.get("retry-after", "") if response.headers else ""
        if value.strip().isdigit():
            retry_after = float(value)
        return classify(response.status, response.error, retry_after)
