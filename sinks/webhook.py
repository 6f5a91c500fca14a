"""Alert delivery by webhook: signed JSON POSTs with a stable idempotency key.

What a receiver gets (one POST per alert, `Content-Type: application/json`):

Body (UTF-8 JSON, the same bytes on every attempt)::

    {"type": "wirewatch.alert",
     "alert": {"id", "rule_id", "rule_name", "query", "article_id", "story_id",
               "title", "url", "source", "published_at", "matched_at", "kind",
               "matched_terms", "story_size"}}

(the `Alert` model; datetimes are ISO 8601 in UTC). `matched_terms` lists what fired
as `field:value` ("title:ceasefire", "person:yoav gallant"; a bare word or phrase for
an unfielded one); `kind` is "update" when the alerted article itself changed
materially; `story_size` counts the copies of the story folded into this alert so far.
A rule with a digest or a throttle also sends several hits in one body
(`wirewatch.core.pacing`)::

    {"type": "wirewatch.digest",
     "digest": {"id", "rule_id", "rule_name", "query", "alerts": [<alert>, ...]}}

Sizes are bounded: `title`,
`query`, `rule_name` and `source` are cut to `limits.webhook_field_chars` (at a
word, ending in '…') and a `url` over `limits.url_chars` is left out (null), so a
huge feed title or rule query cannot make a receiver refuse every delivery.

Headers:

* `Idempotency-Key: <alert or digest id>` — the same on every retry and after a
  crash (derived from rule and article, or from the hits a digest lists, not from
  the attempt), so a receiver can
  drop duplicates: delivery is at-least-once.
* `X-Wirewatch-Timestamp: <unix seconds when this attempt was made>`.
* `X-Wirewatch-Signature: sha256=<hex HMAC-SHA256>` keyed with
  `notify.webhook_secret` over the bytes `<timestamp> + "." + <raw body>`.
  Signing the timestamp too is what stops replays: a receiver refuses requests
  whose timestamp is older than a few minutes (`verify_signature` does both).
  Without a secret configured, the signature header is left out.
* `User-Agent`: `fetch.user_agent`.

One call to `send` is one attempt. The runtime keeps attempts in its store and
schedules the next one at `next_attempt_at` (backoff and any `Retry-After`), so a
failing receiver never blocks the pipeline. The HTTP POST itself is injected
(`HttpPost`): the runtime passes one that goes through the same SSRF guard,
timeouts and size limits as feed fetches — sinks may not import ingest, and a
webhook URL is as much a way into the private network as a feed URL.
The secret is only ever used to compute the MAC; it is not logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from wirewatch.core.models import Alert, Digest, Notification
from wirewatch.core.retry_after import parse_retry_after
from wirewatch.core.settings import LimitsSettings, NotifySettings
from wirewatch.core.truncate import truncate

SIGNATURE_HEADER = "X-Wirewatch-Signature"
TIMESTAMP_HEADER = "X-Wirewatch-Timestamp"
IDEMPOTENCY_HEADER = "Idempotency-Key"

# 408 Request Timeout, 425 Too Early and 429 Too Many Requests say "try later";
# every other 4xx says the request itself is wrong and will stay wrong.
_RETRYABLE_4XX = frozenset({408, 425, 429})


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one attempt, as the runtime needs it to decide what comes next.

    `retryable` is meaningful only when not `ok`; `retry_after` is the wait in
    seconds the receiver asked for (Retry-After), if any.
    """

    ok: bool
    status: int | None = None
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None


class HttpResponse(Protocol):
    """What `send` needs of a response: a status (None when none arrived) and headers."""

    status: int | None
    headers: Mapping[str, str]
    error: str | None
    permanent: bool  # the request can never succeed as addressed (e.g. a refused address)


class HttpPost(Protocol):
    """An HTTP client that applies the deployment's network policy (SSRF guard, limits).

    It returns a response with `status=None` and an `error` for anything that
    produced no HTTP status (refused address, DNS, connect, timeout).
    """

    async def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> HttpResponse: ...


class ChannelSender(Protocol):
    """What the runtime's notifier holds per channel (webhook, Slack, e-mail): one attempt
    to deliver `message` (one alert or a digest) to `target` (a URL or an address), never
    raising for its trouble."""

    async def send(self, target: str, message: Notification, /) -> DeliveryResult: ...


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The `X-Wirewatch-Signature` value for this timestamp and raw body."""
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
    """For receivers: is this request from a Wirewatch that knows the secret, and fresh?

    Pass the raw request body exactly as received (before any JSON parsing) and
    the request headers (any case). True only if the signature matches and the
    signed timestamp is within `max_age` seconds of `now` (default: the current
    time); `max_age=None` turns the replay check off. Receivers should also
    remember recent `Idempotency-Key`s, since retries are legitimate repeats.

    Example (any Python web framework)::

        if not verify_signature(SECRET, request.body, request.headers):
            return 401
    """
    lower = {k.lower(): v for k, v in headers.items()}
    ts = lower.get(TIMESTAMP_HEADER.lower(), "").strip()
    sig = lower.get(SIGNATURE_HEADER.lower(), "").strip()
    if not ts.isdigit() or not sig:
        return False
    if max_age is not None and abs((time.time() if now is None else now) - int(ts)) > max_age:
        return False
    return hmac.compare_digest(sign(secret, ts, body), sig)


_BOUNDED_FIELDS = ("title", "query", "rule_name", "source")


def _bounded(alert: Alert, limits: LimitsSettings) -> dict[str, Any]:
    fields = alert.model_dump(mode="json")
    for name in _BOUNDED_FIELDS:
        fields[name] = truncate(fields[name], limits.webhook_field_chars)
    if fields["url"] is not None and len(fields["url"]) > limits.url_chars:
        fields["url"] = None
    return fields


def encode(message: Notification, limits: LimitsSettings | None = None) -> bytes:
    """The request body: compact UTF-8 JSON, deterministic for a given message, bounded in
    size. A digest lists its hits, each bounded as a single alert is."""
    limits = limits or LimitsSettings()
    if isinstance(message, Digest):
        payload: dict[str, Any] = {
            "type": "wirewatch.digest",
            "digest": {
                "id": message.id,
                "rule_id": message.rule_id,
                "rule_name": truncate(message.rule_name, limits.webhook_field_chars),
                "query": truncate(message.query, limits.webhook_field_chars),
                "alerts": [_bounded(a, limits) for a in message.alerts],
            },
        }
    else:
        payload = {"type": "wirewatch.alert", "alert": _bounded(message, limits)}
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def next_attempt_delay(attempts: int, settings: NotifySettings, rng: random.Random) -> float:
    """Seconds to wait after `attempts` failed attempts before trying again.

    Exponential backoff with full jitter: uniform in [0, min(backoff_max,
    backoff_base * 2**(attempts-1))]. The jitter spreads retries from many alerts
    so a receiver coming back up is not hit by all of them in the same second.
    """
    ceiling = min(settings.backoff_max, settings.backoff_base * (2 ** max(0, attempts - 1)))
    return rng.uniform(0.0, ceiling)


def next_attempt_at(
    result: DeliveryResult,
    tried: int,
    settings: NotifySettings,
    rng: random.Random,
    now: datetime,
) -> datetime | None:
    """When to try a failed delivery again after `tried` attempts; None gives up.

    A permanent failure or the last of `notify.max_attempts` gives up; otherwise the
    jittered backoff, or longer when the receiver's Retry-After asks (up to backoff_max).
    """
    if not result.retryable or tried >= settings.max_attempts:
        return None
    delay = next_attempt_delay(tried, settings, rng)
    if result.retry_after:
        delay = max(delay, min(result.retry_after, settings.backoff_max))
    return now + timedelta(seconds=delay)


def classify(
    status: int | None, error: str | None, retry_after: float | None, *, permanent: bool = False
) -> DeliveryResult:
    """2xx delivered; no response, 5xx, 408/425/429 retryable; other statuses, and requests
    that can never succeed as addressed (a refused address), permanent."""
    if status is not None and 200 <= status < 300:
        return DeliveryResult(ok=True, status=status)
    if status is None:
        return DeliveryResult(ok=False, error=error or "no response", retryable=not permanent)
    retryable = status >= 500 or status in _RETRYABLE_4XX
    return DeliveryResult(
        ok=False,
        status=status,
        error=f"HTTP {status}",
        retryable=retryable,
        retry_after=retry_after if retryable else None,
    )


def classify_response(response: HttpResponse, now: float) -> DeliveryResult:
    """`classify` for what an `HttpPost` returned, honouring its Retry-After at `now`
    (unix seconds)."""
    lower = {k.lower(): v for k, v in (response.headers or {}).items()}
    retry_after = parse_retry_after(lower.get("retry-after"), datetime.fromtimestamp(now, UTC))
    return classify(
        response.status,
        response.error,
        retry_after,
        permanent=getattr(response, "permanent", False),
    )


class WebhookSender:
    """Signs and sends alerts, one attempt per `send` (retries belong to the runtime)."""

    def __init__(
        self,
        settings: NotifySettings,
        user_agent: str,
        *,
        post: HttpPost,
        limits: LimitsSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self.user_agent = user_agent
        self.post = post
        self.limits = limits or LimitsSettings()
        self.clock = clock

    def headers(self, message: Notification, body: bytes) -> dict[str, str]:
        """The request headers for one attempt (a fresh timestamp and signature each time)."""
        ts = str(int(self.clock()))
        headers = {
            "Content-Type": "application/json",
            IDEMPOTENCY_HEADER: message.id,
            TIMESTAMP_HEADER: ts,
            "User-Agent": self.user_agent,
        }
        secret = self.settings.webhook_secret
        if secret is not None and secret.get_secret_value():
            headers[SIGNATURE_HEADER] = sign(secret.get_secret_value(), ts, body)
        return headers

    async def send(self, url: str, message: Notification) -> DeliveryResult:
        """One delivery attempt of `message` to `url`; never raises for network trouble."""
        body = encode(message, self.limits)
        response = await self.post(url, body, self.headers(message, body))
        return classify_response(response, self.clock())
