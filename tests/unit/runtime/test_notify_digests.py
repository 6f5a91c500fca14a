"""Digests and throttles end to end below the CLI: held hits, then one signed digest POST.

The queue is the SQLite one, the receiver real HTTP on 127.0.0.1, the clock manual so
a window's end is a step rather than an hour's wait.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from sinks.sqlite.deliveries import DeliveryStore
from sinks.webhook import WebhookSender
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.clock import ManualClock
from wirewatch.core.ids import alert_id
from wirewatch.core.models import Alert, AlertRule, Channel, DeliveryState
from wirewatch.core.settings import FetchSettings, NotifySettings, Settings
from wirewatch.runtime.build import build_webhook_post
from wirewatch.runtime.notify import Notifier

SECRET = "digest-test-secret"
T = datetime(2026, 11, 30, 14, 20, tzinfo=UTC)
HOUR_END = datetime(2026, 11, 30, 15, 0, 1, tzinfo=UTC)  # just past the window


@dataclass
class Setup:
    clock: ManualClock
    alerts: AlertStore
    queue: DeliveryStore
    notifier: Notifier
    receiver: WebhookReceiver

    def add(self, **pacing: object) -> AlertRule:
        rule = AlertRule(
            id="r1",
            name="gaza",
            query="gaza",
            webhook_url=self.receiver.url,
            created_at=T,
            **pacing,  # type: ignore[arg-type]
        )
        self.alerts.add_rule(rule)
        return rule

    def hits(self, rule: AlertRule, count: int) -> list[Alert]:
        out = []
        for i in range(count):
            now = self.clock.now()
            out.append(
                Alert(
                    id=alert_id(rule.id, f"a{i}"),
                    rule_id=rule.id,
                    rule_name=rule.name,
                    query=rule.query,
                    article_id=f"a{i}",
                    title=f"Gaza {i}",
                    source="Example",
                    published_at=now,
                    matched_at=now,
                )
            )
            self.clock.advance(timedelta(minutes=1))
        assert self.alerts.record_hits(out) == out
        return out

    def states(self) -> list[DeliveryState]:
        return [d.state for d in self.queue.deliveries(limit=100)]


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(SECRET) as r:
        yield r


@pytest.fixture
async def setup(tmp_path: Path, receiver: WebhookReceiver) -> AsyncIterator[Setup]:
    settings = Settings(
        fetch=FetchSettings(allow_private=[f"127.0.0.1:{receiver.port}"]),
        notify=NotifySettings(webhook_secret=SECRET, timeout=10.0),
    )
    clock = ManualClock(T)
    post = build_webhook_post(settings, clock)
    db = Database.open(tmp_path / "data")
    queue = DeliveryStore(db)
    sender = WebhookSender(settings.notify, "Wirewatch-test", post=post)
    notifier = Notifier(queue, {Channel.WEBHOOK: sender}, settings.notify, clock=clock, journal=db)
    yield Setup(clock, AlertStore(db), queue, notifier, receiver)
    await post.aclose()
    db.close()


async def test_an_hourly_digest_holds_hits_then_sends_one_post_listing_them(
    setup: Setup,
) -> None:
    hits = setup.hits(setup.add(digest="hourly"), 3)
    await setup.notifier.flush()
    assert setup.receiver.requests == []  # the hour is not over
    assert setup.states() == [DeliveryState.HELD] * 3
    assert setup.queue.next_delivery_at() == datetime(2026, 11, 30, 15, tzinfo=UTC)

    setup.clock.advance(HOUR_END - setup.clock.now())
    await setup.notifier.flush()

    [req] = setup.receiver.requests
    assert req.signature_ok and req.json["type"] == "wirewatch.digest"
    assert [a["id"] for a in req.json["digest"]["alerts"]] == [h.id for h in hits]
    assert req.idempotency_key == req.json["digest"]["id"]
    assert setup.states() == [DeliveryState.DELIVERED] * 3


async def test_a_throttle_sends_n_at_once_and_the_rest_in_one_digest_at_the_hour(
    setup: Setup,
) -> None:
    hits = setup.hits(setup.add(throttle_per_hour=2), 5)
    await setup.notifier.flush()
    singles = [r.json["alert"]["id"] for r in setup.receiver.requests]
    assert sorted(singles) == sorted(h.id for h in hits[:2])

    setup.clock.advance(HOUR_END - setup.clock.now())
    await setup.notifier.flush()
    digest = setup.receiver.requests[-1].json
    assert [a["id"] for a in digest["digest"]["alerts"]] == [h.id for h in hits[2:]]
    assert len(setup.receiver.requests) == 3  # nothing lost, nothing sent twice
    assert setup.states() == [DeliveryState.DELIVERED] * 5


async def test_a_failed_digest_stays_held_and_is_retried_as_one(setup: Setup) -> None:
    setup.hits(setup.add(digest="hourly"), 2)
    setup.receiver.status = 503
    setup.clock.advance(HOUR_END - setup.clock.now())
    await setup.notifier.flush()
    assert len(setup.receiver.requests) == 1
    assert setup.states() == [DeliveryState.HELD] * 2
    first_key = setup.receiver.requests[0].idempotency_key

    setup.receiver.status = 200
    setup.clock.advance(timedelta(hours=1))  # past any backoff
    await setup.notifier.flush()
    assert setup.receiver.requests[-1].idempotency_key == first_key
    assert setup.states() == [DeliveryState.DELIVERED] * 2
