"""Retry-After as feed fetches and webhook deliveries read it (one parser for both)."""

from __future__ import annotations

from datetime import UTC, datetime

from wirewatch.core.retry_after import parse_retry_after

NOW = datetime(2026, 2, 18, 12, 0, tzinfo=UTC)


def test_retry_after_seconds_and_http_date() -> None:
    assert parse_retry_after("120", NOW) == 120
    assert parse_retry_after(" 7 ", NOW) == 7
    assert parse_retry_after("Wed, 18 Feb 2026 12:01:30 GMT", NOW) == 90
    assert parse_retry_after("Wed, 18 Feb 2026 11:00:00 GMT", NOW) == 0  # already past


def test_unreadable_or_missing_retry_after_is_ignored() -> None:
    for value in ("soon", "", "  ", "-5", None):
        assert parse_retry_after(value, NOW) is None
