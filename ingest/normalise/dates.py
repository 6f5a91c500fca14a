"""Dates from feeds to aware UTC datetimes.

feedparser's date handlers understand RFC 822, W3CDTF/ISO 8601 and the odd
national formats (Korean, Greek, Hungarian…) real feeds use; we reuse them. Its
own dispatcher lets the lenient ISO 8601 handler read garbage ('2013-xx-27' as
November 2013, a Korean date as 1 November): a wrong date is worse than none,
because it falls back to the fetch time *with a flag* only when we say "unknown".
So the specific handlers go first, the ISO handler last and only for strings it
reads completely, and out-of-range fields are refused. So are implausible
instants: a "zero time" that a publisher's software writes for "no date" — Go's
`0001-01-01` (`Mon, 01 Jan 0001 00:00:00 +0000`, in 28 items of 5 real feeds),
Unix's `1970-01-01` — and anything before, which no news item was published at.
"""

from __future__ import annotations

import calendar
import re
import time
from collections.abc import Callable
from datetime import UTC, datetime

from feedparser.datetimes import asctime, greek, hungarian, iso8601, korean, perforce, rfc822, w3dtf

_Handler = Callable[[str], time.struct_time | None]

_HANDLERS: tuple[_Handler, ...] = (
    w3dtf._parse_date_w3dtf,
    rfc822._parse_date_rfc822,
    asctime._parse_date_asctime,
    perforce._parse_date_perforce,
    hungarian._parse_date_hungarian,
    greek._parse_date_greek,
    korean._parse_date_nate,
    korean._parse_date_onblog,
)
# What the lenient ISO 8601 handler may read: dates (also ordinal / truncated forms),
# optionally a time and a zone — and nothing else.
_ISO_COMPLETE = re.compile(
    r"^(?:\d{4}|\d{2}|-)(?:-?(?:\d{2,3}|-\d{2})?(?:-?\d{2})?)?"
    r"(?:[T ]\d{1,2}(?::?\d{2}(?::?\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$"
)
_ISO_TIME = re.compile(r"^\d{4}-\d{2,3}-\d{2}T(\d{2}):(\d{2})(?::(\d{2}))?")
_COMMA_GLUED = re.compile(r",(?=\S)")
# "02:02:33 PM": the RFC 822 reader would take "PM" for an unknown zone and read 02:02.
_TWELVE_HOUR = re.compile(r"\b(\d{1,2})(:\d{2}(?::\d{2})?)\s*([ap])\.?m\.?(?=\s|$)", re.I)
# A weekday in another language ("mer, 16 nov 2022 …"): redundant, so dropped on a retry.
_FOREIGN_WEEKDAY = re.compile(r"^(?!(?:mon|tue|wed|thu|fri|sat|sun))[^\W\d_]+\.?,\s*", re.I)
# The Unix epoch written in any time zone is before this; so is every zero time.
_EARLIEST = datetime(1970, 1, 2, tzinfo=UTC)


def _valid_clock(value: str) -> bool:
    m = _ISO_TIME.match(value)
    if not m:
        return True
    hour, minute, second = int(m[1]), int(m[2]), int(m[3] or 0)
    return hour < 24 and minute < 60 and second < 61


def _iso_tail_ok(value: str) -> bool:
    return bool(_ISO_COMPLETE.match(value))


def _to_24_hour(m: re.Match[str]) -> str:
    hour = int(m[1])
    if not 1 <= hour <= 12:
        raise ValueError(f"{m[0]!r} is not a 12-hour time")
    return f"{hour % 12 + (12 if m[3].lower() == 'p' else 0):02d}{m[2]}"


def parse_date(value: str | None) -> datetime | None:
    """An aware UTC datetime, or None when the string is not a date we can read or not a
    plausible publication time (a zero time, before 1970-01-02)."""
    if not value or not value.strip():
        return None
    try:
        text = _TWELVE_HOUR.sub(_to_24_hour, _COMMA_GLUED.sub(", ", value.strip()))
    except ValueError:
        return None
    parsed = _parse(text)
    if parsed is None and _FOREIGN_WEEKDAY.match(text):
        parsed = _parse(_FOREIGN_WEEKDAY.sub("", text))
    if parsed is None:
        return None
    try:
        when = datetime.fromtimestamp(calendar.timegm(parsed), tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None
    return when if when >= _EARLIEST else None


def _parse(text: str) -> time.struct_time | None:
    if not _valid_clock(text):
        return None
    parsed: time.struct_time | None = None
    for handler in _HANDLERS:
        try:
            parsed = handler(text)
        except (ValueError, OverflowError, TypeError, IndexError, KeyError):
            parsed = None
        if parsed is not None:
            break
    if parsed is None and _iso_tail_ok(text):
        try:
            parsed = iso8601._parse_date_iso8601(text)
        except (ValueError, OverflowError, TypeError, IndexError):
            parsed = None
    return parsed
