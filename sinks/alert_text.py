"""What every channel says about an alert, before each escapes it its own way.

Slack and e-mail show the same facts (headline, source, time, matched terms, story
size, rule); keeping the wording here makes the two read alike and lets each sender
do only its own job: escaping and bounding for its medium.
"""

from __future__ import annotations

from wirewatch.core.models import Alert
from wirewatch.core.settings import LimitsSettings


def headline(alert: Alert) -> str:
    """The title, marked when the alerted article itself changed since it was alerted."""
    return f"Update: {alert.title}" if alert.kind == "update" else alert.title


def published(alert: Alert) -> str:
    """The publication time, in UTC to the minute (every reader sees the same clock)."""
    return alert.published_at.strftime("%Y-%m-%d %H:%M UTC")


def story_line(alert: Alert) -> str | None:
    """How many articles of the story this alert stands for, when it stands for several."""
    return f"{alert.story_size} articles in this story" if alert.story_size > 1 else None


def matched(alert: Alert) -> str | None:
    """The words and fields that fired ('title:ceasefire, person:yoav gallant')."""
    return ", ".join(alert.matched_terms) or None


def link_target(alert: Alert, limits: LimitsSettings) -> str | None:
    """The article URL when it can be a link: http(s) only (a feed's `javascript:` link
    must never become clickable) and within `limits.url_chars`."""
    url = alert.url
    if url is None or len(url) > limits.url_chars:
        return None
    return url if url.lower().startswith(("http://", "https://")) else None
