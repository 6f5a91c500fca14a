"""The notifier: a stalled receiver delays nobody else, dead letters say why, retry is seen.

Deliveries go over real HTTP to receivers on 127.0.0.1, through the runtime's own
sender (SSRF guard, signature, idempotency key); the queue is the SQLite one.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from sinks.sqlite.deliveries import DeliveryStore
from sinks.webhook import WebhookSender
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.clock import SystemClock
from wirewatch.core.ids import alert_id
from wirewatch.core.models import Alert, AlertRule, Channel, DeliveryState
from wirewatch.core.settings import FetchSettings, NotifySettings, Settings
from wirewatch.runtime.build import GuardedPost, build_webhook_post
from wirewatch.runtime.notify import STAGE, Notifier

SECRET = "notify-test-secret"
SLACK = "https://hooks.slack.com/services/T000/B000/do-not-show-this-path"
CLOCK = SystemClock()


@dataclass
class Setup:
    db: Database
    alerts: AlertStore
    queue: DeliveryStore
    notifier: Notifier

    def add(self, name: str, **channels: object) -> AlertRule:
        rule = AlertRule(id=name, name=name, query="gaza", created_at=CLOCK.now(), **channels)  # type: ignore[arg-type]
        self.alerts.add_rule(rule)
        return rule

    def hit(self, rule: AlertRule, article: str = "a1") -> Alert:
        now = CLOCK.now()
        h = Alert(
            id=alert_id(rule.id, article),
            rule_id=rule.id,
            rule_name=rule.name,
            query=rule.query,
            article_id=article,
            title=f"Gaza {article}",
            source="Example",
            published_at=now,
            matched_at=now,
        )
        assert self.alerts.record_hits([h]) == [h]
        self.notifier.wake.set()
        return h


@pytest.fixture
def receivers() -> Iterator[tuple[WebhookReceiver, WebhookReceiver]]:
    with WebhookReceiver(SECRET) as slow, WebhookReceiver(SECRET) as fast:
        yield slow, fast


@pytest.fixture
async def setup(
    tmp_path: Path, receivers: tuple[WebhookReceiver, WebhookReceiver]
) -> AsyncIterator[Setup]:
    allowed = [f"127.0.0.1:{r.port}" for r in receivers]
    settings = Settings(
        fetch=FetchSettings(allow_private=allowed),
        notify=NotifySettings(webhook_secret=SECRET, timeout=30.0),
    )
    post: GuardedPost = build_webhook_post(settings, CLOCK)
    db = Database.open(tmp_path / "data")
    queue = DeliveryStore(db)
    sender = WebhookSender(settings.notify, "Wirewatch-test", post=post)
    notifier = Notifier(queue, {Channel.WEBHOOK: sender}, settings.notify, clock=CLOCK, journal=db)
    yield Setup(db, AlertStore(db), queue, notifier)
    await post.aclose()
    db.close()


@contextlib.asynccontextmanager
async def running(notifier: Notifier) -> AsyncIterator[None]:
    task = asyncio.create_task(notifier.run())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def until(condition: Callable[[], bool], seconds: float) -> float:
    """Wait for `condition`; returns how long it took, fails after `seconds`."""
    start = time.monotonic()
    while not condition():
        assert time.monotonic() - start < seconds, f"not within {seconds} s"
        await asyncio.sleep(0.01)
    return time.monotonic() - start


async def test_a_stalled_receiver_never_delays_another_rules_delivery(
    setup: Setup, receivers: tuple[WebhookReceiver, WebhookReceiver]
) -> None:
    slow, fast = receivers
    slow.hold_replies()  # rules A and C's receiver takes requests and does not answer
    a = setup.add("a", webhook_url=slow.url)
    c = setup.add("c", webhook_url=slow.url)
    b = setup.add("b", webhook_url=fast.url)  # the same host (127.0.0.1), as Slack rules share
    async with running(setup.notifier):
        setup.hit(a)
        setup.hit(c)
        await until(lambda: len(slow.requests) == 2, 5.0)
        hit_b = setup.hit(b)
        took = await until(lambda: bool(fast.requests), 5.0)
        await until(lambda: bool(setup.queue.delivery_counts().get("delivered")), 5.0)
        states = {d.alert.rule_id: d.state for d in setup.queue.deliveries()}
        pending, delivered = DeliveryState.PENDING, DeliveryState.DELIVERED
        assert states == {"a": pending, "c": pending, "b": delivered}
        assert fast.requests[0].idempotency_key == hit_b.id
        assert took < 1.5, f"B waited {took:.2f} s behind A and C's stalled receiver"
        slow.release()
        await until(lambda: setup.queue.delivery_counts() == {"delivered": 3}, 10.0)


async def test_a_channel_without_a_sender_is_dead_lettered_at_once_saying_what_to_set(
    setup: Setup, caplog: pytest.LogCaptureFixture
) -> None:
    rule = setup.add("everywhere", slack_url=SLACK, emails=["desk@example.org"])
    setup.hit(rule)
    with caplog.at_level(logging.INFO):
        await setup.notifier.flush()

    dead = {d.channel: d for d in setup.queue.deliveries(failed_only=True)}
    assert set(dead) == {Channel.SLACK, Channel.EMAIL} and dead[Channel.EMAIL].attempts == 1
    assert dead[Channel.EMAIL].last_error == (
        "e-mail is not configured: set notify.smtp_host and notify.smtp_from"
    )
    events = [
        (stage, subject, message)
        for stage, subject, message in setup.db.conn.execute(
            "SELECT stage, subject, message FROM events"
        )
    ]
    assert {(stage, subject) for stage, subject, _ in events} == {(STAGE, "everywhere")}
    messages = " ".join(m for _, _, m in events)
    assert "email to desk@example.org gave up after 1 attempts" in messages
    assert "slack to https://hooks.slack.com/services/***" in messages
    assert "do-not-show-this-path" not in messages + caplog.text
    assert setup.notifier.counts.dead_lettered == 2


async def test_a_running_notifier_sends_what_alerts_retry_put_back_with_the_same_key(
    setup: Setup, receivers: tuple[WebhookReceiver, WebhookReceiver], tmp_path: Path
) -> None:
    _, receiver = receivers
    receiver.status = 404  # permanent: dead-lettered after one attempt
    rule = setup.add("hooked", webhook_url=receiver.url)
    async with running(setup.notifier):
        h = setup.hit(rule)
        await until(lambda: bool(setup.queue.deliveries(failed_only=True)), 5.0)
        receiver.status = 200
        other = Database.open(tmp_path / "data")  # `alerts retry` is another process
        try:
            assert DeliveryStore(other).retry_failed(now=CLOCK.now(), rule="hooked") == 1
        finally:
            other.close()
        await until(lambda: setup.queue.delivery_counts() == {"delivered": 1}, 10.0)
    assert [r.idempotency_key for r in receiver.requests] == [h.id, h.id]
    assert all(r.signature_ok for r in receiver.requests)
