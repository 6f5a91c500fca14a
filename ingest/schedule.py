"""When to poll a feed next (pure; takes the clock's `now` and a random source).

The interval adapts to how often the feed really publishes (the gaps between
its entries of the last week), like Miniflux's entry-frequency scheduler, within the configured
bounds, and never shorter than the publisher asks for: RSS `<ttl>`,
`Cache-Control: max-age`, `Retry-After`. `skipHours`/`skipDays` (UTC, per the RSS
spec) push the next poll out of the hours the publisher said it is quiet. Errors
back off exponentially with jitter; a feed failing longer than `dead_after` is
dead (still retried, at the longest interval); 410 Gone stops polling.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from wirewatch.core.settings import ScheduleSettings

_WEEK = 7 * 86400.0
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def learned_interval(
    published: Sequence[datetime], now: datetime, settings: ScheduleSettings
) -> float:
    """Seconds between polls: the feed's mean gap between entries over the last week.

    A feed shows only its latest entries, so the rate is taken over the span they
    cover (at least an hour), not over a whole week: 40 items in 20 hours is one
    item every 30 minutes, however quiet the rest of the week was.
    """
    recent = [p for p in published if now - timedelta(seconds=_WEEK) <= p <= now]
    if not recent:
        return settings.max_interval
    span = max(3600.0, (now - min(recent)).total_seconds())
    return clamp(span / len(recent), settings)


def clamp(seconds: float, settings: ScheduleSettings) -> float:
    return max(settings.min_interval, min(settings.max_interval, seconds))


def respect_publisher(
    interval: float, *, ttl_minutes: int | None, max_age: float | None, settings: ScheduleSettings
) -> float:
    """Never poll faster than the publisher's ttl / max-age (but stay within max_interval)."""
    floor = max(ttl_minutes * 60.0 if ttl_minutes else 0.0, max_age or 0.0)
    return min(max(interval, floor), max(settings.max_interval, interval))


def skip_quiet_hours(
    when: datetime, skip_hours: frozenset[int], skip_days: frozenset[str]
) -> datetime:
    """Move `when` to the first hour not listed in skipHours/skipDays (at most a week)."""
    if not skip_hours and not skip_days:
        return when
    t = when
    for _ in range(24 * 7 + 1):
        if t.hour not in skip_hours and _DAYS[t.weekday()] not in skip_days:
            return t
        t = (t + timedelta(hours=1)).replace(minute=0, second=0, microsecond=0)
    return when  # everything skipped: the feed's hints are nonsense, ignore them


def backoff(
    consecutive_errors: int,
    settings: ScheduleSettings,
    rng: random.Random,
    retry_after: float | None = None,
) -> float:
    """Exponential backoff with jitter, at least what Retry-After asks, at most max_backoff."""
    base = settings.min_interval * (2 ** min(max(consecutive_errors - 1, 0), 20))
    delay = min(settings.max_backoff, base)
    delay = delay / 2 + rng.uniform(0, delay / 2)  # "equal jitter": spread, never near zero
    if retry_after is not None:
        delay = max(delay, min(retry_after, settings.max_backoff))
    return delay


def is_dead(first_error_at: datetime | None, now: datetime, settings: ScheduleSettings) -> bool:
    return (
        first_error_at is not None and (now - first_error_at).total_seconds() > settings.dead_after
    )
