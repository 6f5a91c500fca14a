"""Digests and throttles: when a paced rule's hits go out, and how they are grouped."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.alerts import ALERT
from wirewatch.core.models import DIGEST_MAX_ALERTS, AlertRule
from wirewatch.core.pacing import digests, release_at, window_end

NOW = datetime(2026, 11, 30, 14, 25, 10, tzinfo=UTC)


def rule(**kw: object) -> AlertRule:
    return AlertRule(id="r1", name="gaza", query="gaza", created_at=NOW, **kw)


def test_an_unpaced_rule_sends_at_once_however_busy() -> None:
    assert release_at(rule(), NOW, sent_this_hour=10_000, daily_hour=7) is None


def test_a_throttle_sends_n_singly_then_holds_the_rest_to_the_end_of_the_hour() -> None:
    r = rule(throttle_per_hour=3)
    assert release_at(r, NOW, sent_this_hour=2, daily_hour=7) is None
    assert release_at(r, NOW, sent_this_hour=3, daily_hour=7) == datetime(
        2026, 11, 30, 15, tzinfo=UTC
    )


def test_digest_windows_end_at_the_next_hour_or_the_next_daily_hour() -> None:
    assert release_at(rule(digest="hourly"), NOW, 0, 7) == datetime(2026, 11, 30, 15, tzinfo=UTC)
    assert release_at(rule(digest="daily"), NOW, 0, 7) == datetime(2026, 12, 1, 7, tzinfo=UTC)
    assert release_at(rule(digest="daily"), NOW, 0, 18) == datetime(2026, 11, 30, 18, tzinfo=UTC)
    on_the_hour = datetime(2026, 11, 30, 7, tzinfo=UTC)
    assert window_end("daily", on_the_hour, 7) == on_the_hour + timedelta(days=1)


def test_held_hits_become_bounded_messages_oldest_first_with_stable_keys() -> None:
    hits = [
        ALERT.model_copy(update={"id": f"h{i}", "matched_at": NOW - timedelta(minutes=i)})
        for i in range(DIGEST_MAX_ALERTS + 5)
    ]
    messages = digests("https://hook.example/x", hits)
    assert [len(m.alerts) for m in messages] == [DIGEST_MAX_ALERTS, 5]
    assert (messages[0].rule_id, messages[0].rule_name) == (ALERT.rule_id, ALERT.rule_name)
    assert messages[0].alerts[0].id == f"h{DIGEST_MAX_ALERTS + 4}"  # the oldest first
    assert sorted(a.id for m in messages for a in m.alerts) == sorted(h.id for h in hits)
    again = digests("https://hook.example/x", list(reversed(hits)))
    assert [m.id for m in again] == [m.id for m in messages]
    elsewhere = digests("ops@example.org", hits)
    assert elsewhere[0].id != messages[0].id
