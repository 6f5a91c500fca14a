"""Retry-After, read once for every client that honours it (feed fetches, webhooks).

RFC 9110 §10.2.3 allows delta-seconds or an HTTP date; a date in the past means
"now" and anything unreadable is ignored (the caller's own backoff applies).
"""

from __future__ import annotations

import email.utils
from datetime import UTC, datetime


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """Seconds from `now` the server asked to wait, or None when it did not say (readably)."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - now).total_seconds())
