"""When a hit of a paced rule goes out: at once, or held for one digest message.

A rule with `digest: hourly|daily` holds every hit until its window ends (the next
full hour, or the next `notify.daily_digest_hour` UTC); a rule with
`throttle_per_hour: N` sends its first N hits of a clock hour one by one and holds
the rest until the hour ends. Held hits are never dropped: when their window ends
they go out together, `DIGEST_MAX_ALERTS` to a message, to each of the rule's
destinations. Pure functions: the store asks `release_at` when it records a hit,
the notifier asks `digests` when held hits fall due.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from wirewatch.core.ids import digest_id
from wirewatch.core.models import DIGEST_MAX_ALERTS, Alert, AlertRule, Digest
from wirewatch.core.settings import DEFAULT_UPDATE_THRESHOLD, NotifySettings


@dataclass(frozen=True)
class HitPolicy:
    """What the hit log needs to decide about a new hit: whether an article's change is an
    update (`wirewatch.core.folding`) and when a held hit's digest goes out."""

    update_threshold: float = DEFAULT_UPDATE_THRESHOLD
    daily_digest_hour: int = 7

    @classmethod
    def of(cls, notify: NotifySettings) -> HitPolicy:
        return cls(notify.update_threshold, notify.daily_digest_hour)


DEFAULT_POLICY = HitPolicy()


def hour_start(now: datetime) -> datetime:
    """The start of `now`'s clock hour: what a throttle counts from."""
    return now.replace(minute=0, second=0, microsecond=0)


def window_end(mode: Literal["hourly", "daily"], now: datetime, daily_hour: int) -> datetime:
    """When a digest window that contains `now` ends: the next full hour, or the next
    `daily_hour`:00 (UTC) strictly after `now`."""
    start = hour_start(now)
    if mode == "hourly":
        return start + timedelta(hours=1)
    end = start.replace(hour=daily_hour)
    return end if end > now else end + timedelta(days=1)


def release_at(
    rule: AlertRule, now: datetime, sent_this_hour: int, daily_hour: int
) -> datetime | None:
    """None to send a new hit now; otherwise when its digest goes out.

    `sent_this_hour` is how many of the rule's hits went out singly since
    `hour_start(now)`.
    """
    if rule.digest != "off":
        return window_end(rule.digest, now, daily_hour)
    if rule.throttle_per_hour is not None and sent_this_hour >= rule.throttle_per_hour:
        return window_end("hourly", now, daily_hour)
    return None


def digests(target: str, alerts: Sequence[Alert]) -> list[Digest]:
    """Held hits of one rule for `target` as messages, oldest first, each within the limit;
    the rule is named as its newest hit names it."""
    ordered = sorted(alerts, key=lambda a: (a.matched_at, a.id))
    rule = ordered[-1]
    chunks = [ordered[i : i + DIGEST_MAX_ALERTS] for i in range(0, len(ordered), DIGEST_MAX_ALERTS)]
    return [
        Digest(
            id=digest_id(rule.rule_id, target, [a.id for a in chunk]),
            rule_id=rule.rule_id,
            rule_name=rule.rule_name,
            query=rule.query,
            alerts=chunk,
        )
        for chunk in chunks
    ]
