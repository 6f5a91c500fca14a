"""The SQLite delivery queue: one delivery per channel of a hit, dead letters, retry, upgrade."""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import DB_FILENAME, Database
from sinks.sqlite.deliveries import REMOVED_RULE, DeliveryStore
from sinks.sqlite.migrate import migrate
from wirewatch.core.models import Alert, AlertRule, Channel, DeliveryState

T = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
HOOK = "https://hooks.example.org/x"
SLACK = "https://hooks.slack.com/services/T0/B0/secret"


def rule(rid: str = "r1", **channels: object) -> AlertRule:
    return AlertRule(id=rid, name=f"name-{rid}", query="gaza", created_at=T, **channels)  # type: ignore[arg-type]


def hit(rid: str, article: str, at: datetime = T) -> Alert:
    return Alert(
        id=f"{rid}-{article}",
        rule_id=rid,
        rule_name=f"name-{rid}",
        query="gaza",
        article_id=article,
        title=f"Gaza {article}",
        source="Example",
        published_at=at,
        matched_at=at,
    )


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database.open(tmp_path / "data")


def test_a_hit_is_queued_once_per_channel_and_address_in_the_rules_order(db: Database) -> None:
    alerts, queue = AlertStore(db), DeliveryStore(db)
    everywhere = rule(webhook_url=HOOK, slack_url=SLACK, emails=["a@example.org", "b@example.org"])
    alerts.add_rule(everywhere)
    alerts.add_rule(rule("r2"))  # no destination: its hits are recorded, never queued
    alerts.record_hits([hit("r1", "a1"), hit("r2", "a1")])

    due = queue.due_deliveries(T)
    assert [(d.channel, d.target) for d in due] == [
        (Channel.WEBHOOK, HOOK),
        (Channel.SLACK, SLACK),
        (Channel.EMAIL, "a@example.org"),
        (Channel.EMAIL, "b@example.org"),
    ]
    assert {d.alert.id for d in due} == {"r1-a1"}  # one idempotency key for every channel
    by_hit = {h.alert.id: h.deliveries for h in alerts.hits()}
    assert [(d.channel, d.target) for d in by_hit["r1-a1"]] == everywhere.destinations()
    assert by_hit["r2-a1"] == []
    assert alerts.get_rule("r1") == everywhere  # the channels read back as stored


def test_each_channel_fails_and_is_retried_on_its_own(db: Database) -> None:
    alerts, queue = AlertStore(db), DeliveryStore(db)
    alerts.add_rule(rule(webhook_url=HOOK, slack_url=SLACK))
    alerts.record_hits([hit("r1", "a1")])
    queue.mark_attempt_failed("r1-a1", Channel.SLACK, SLACK, "HTTP 404", retry_at=None)
    queue.mark_delivered("r1-a1", Channel.WEBHOOK, HOOK, T)

    [row] = alerts.hits()
    assert [(d.channel, d.state, d.last_error) for d in row.deliveries] == [
        (Channel.WEBHOOK, DeliveryState.DELIVERED, None),
        (Channel.SLACK, DeliveryState.FAILED, "HTTP 404"),
    ]
    assert queue.delivery_counts() == {"delivered": 1, "failed": 1}
    assert queue.due_deliveries(T + timedelta(days=1)) == [] and queue.next_delivery_at() is None
    [dead] = queue.deliveries(failed_only=True)
    assert (dead.channel, dead.attempts) == (Channel.SLACK, 1)


def test_retry_puts_dead_letters_back_due_now_by_rule_or_hit(db: Database) -> None:
    alerts, queue = AlertStore(db), DeliveryStore(db)
    alerts.add_rule(rule("r1", webhook_url=HOOK))
    alerts.add_rule(rule("r2", webhook_url=HOOK))
    alerts.record_hits([hit("r1", "a1"), hit("r1", "a2"), hit("r2", "a1")])
    for d in queue.due_deliveries(T):
        queue.mark_attempt_failed(d.alert.id, d.channel, d.target, "HTTP 500", retry_at=None)
    later = T + timedelta(hours=1)

    assert queue.retry_failed(now=later, alert_id="r1-a2") == 1
    assert queue.retry_failed(now=later, rule="name-r1") == 1  # the other of r1
    assert [d.alert.id for d in queue.deliveries(failed_only=True)] == ["r2-a1"]
    due = queue.due_deliveries(later)
    assert sorted(d.alert.id for d in due) == ["r1-a1", "r1-a2"]
    assert {(d.attempts, d.last_error) for d in due} == {(0, None)}
    assert queue.next_delivery_at() == later
    assert queue.retry_failed(now=later) == 1 and queue.deliveries(failed_only=True) == []


def test_removing_a_rule_dead_letters_what_it_had_not_sent_and_retry_leaves_them(
    db: Database,
) -> None:
    alerts, queue = AlertStore(db), DeliveryStore(db)
    alerts.add_rule(rule(webhook_url=HOOK))
    alerts.record_hits([hit("r1", "a1"), hit("r1", "a2")])
    queue.mark_delivered("r1-a1", Channel.WEBHOOK, HOOK, T)
    alerts.remove_rule("name-r1")

    assert queue.due_deliveries(T) == []
    assert [(d.alert.id, d.state) for d in queue.deliveries()] == [
        ("r1-a1", DeliveryState.DELIVERED),
        ("r1-a2", DeliveryState.FAILED),
    ]
    assert queue.deliveries(failed_only=True)[0].last_error == REMOVED_RULE
    assert queue.retry_failed(now=T) == 0  # nowhere to send them any more


@pytest.mark.parametrize(
    ("column", "value"),
    [("emails", "not json"), ("emails", '"a@example.org"'), ("name", "x" * 500)],
)
def test_a_stored_rule_that_no_longer_validates_is_reported_and_skipped(
    db: Database, caplog: pytest.LogCaptureFixture, column: str, value: str
) -> None:
    alerts = AlertStore(db)
    alerts.add_rule(rule("r1"))
    alerts.add_rule(rule("r2", webhook_url=HOOK))
    db.conn.execute(f"UPDATE rules SET {column}=? WHERE id='r1'", (value,))

    with caplog.at_level(logging.ERROR):
        assert [r.id for r in alerts.rules()] == ["r2"]
    assert "skipped: its stored form is invalid" in caplog.text and "alerts rm r1" in caplog.text
    assert alerts.get_rule("r1") is None
    assert alerts.record_hits([hit("r1", "a1")])  # a hit of it queues nothing, raises nothing
    assert alerts.remove_rule("r1").id == "r1"  # and it can be removed
    assert [r.id for r in alerts.rules()] == ["r2"]


def test_an_older_database_keeps_its_webhook_delivery_states(tmp_path: Path) -> None:
    """A data dir from before step 6: the hits' webhook states move into deliveries."""
    con = sqlite3.connect(tmp_path / DB_FILENAME, isolation_level=None)
    migrate(con, None, up_to=5)
    con.execute(
        "INSERT INTO rules(id, name, query, webhook_url, enabled, created_at) "
        "VALUES ('r1', 'name-r1', 'gaza', ?, 1, ?)",
        (HOOK, T.isoformat()),
    )
    states = [
        ("r1", "a1", "delivered", 1, None),
        ("r1", "a2", "pending", 2, "HTTP 503"),
        ("r1", "a3", "failed", 8, "HTTP 500"),
        ("gone", "a1", "pending", 0, None),  # its rule was removed
        ("r1", "a4", "none", 0, None),
    ]
    for rid, article, state, attempts, error in states:
        h = hit(rid, article)
        con.execute(
            "INSERT INTO hits(id, rule_id, article_id, matched_at, payload, delivery_state, "
            "attempts, next_attempt_at, last_error) VALUES (?,?,?,?,?,?,?,?,?)",
            (h.id, rid, article, T.isoformat(), h.to_json(), state, attempts, T.isoformat(), error),
        )
    con.close()

    db = Database.open(tmp_path)
    try:
        queue = DeliveryStore(db)
        got = {
            (d.alert.id, d.target, d.state.value, d.attempts, d.last_error)
            for d in queue.deliveries(limit=100)
        }
        assert got == {
            ("r1-a1", HOOK, "delivered", 1, None),
            ("r1-a2", HOOK, "pending", 2, "HTTP 503"),
            ("r1-a3", HOOK, "failed", 8, "HTTP 500"),
            ("gone-a1", "", "failed", 0, REMOVED_RULE),
        }
        assert [d.alert.id for d in queue.due_deliveries(T)] == ["r1-a2"]
        assert len(AlertStore(db).hits(limit=100)) == 5  # every hit kept
    finally:
        db.close()
