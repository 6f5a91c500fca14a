"""Alert delivery to Slack: one incoming-webhook message (Block Kit JSON) per alert.

The message (`slack_message`, pure, for tests and docs)::

    {"text": "gaza: Talks on Rafah",            # the notification / fallback text
     "blocks": [
       {"type": "header", ...  "gaza"},           # the rule name (plain text)
       {"type": "section", ... "<https://news.example/1|Talks on Rafah>"},  # linked title
       {"type": "context", ... "Example · 2026-11-25 12:00 UTC"},           # source, time
       {"type": "section", ... "Matched: title:rafah\n3 articles in this story"}]}

An update of an alerted article reads "Update: <title>". A digest (`slack_digest`)
has a header "<rule>: N new articles" and one section per hit with the same facts.
Everything from a feed or a rule is escaped for Slack's mrkdwn (`&`, `<`, `>` — a
title cannot inject a link or a mention) and cut to Block Kit's limits (header 150
characters, section text 3,000): a huge title or rule never makes Slack refuse the
message.

One call to `send` is one attempt; retries belong to the runtime, as for webhooks.
Slack answers 200 `ok`; its refusals (400 `invalid_payload`, 403 `invalid_token`,
404 `no_service` / `channel_not_found`, 410 `channel_is_archived`) are permanent and
reported with what to do; 429 (with Retry-After) and 5xx are retried. Slack
incoming webhooks take no idempotency key, so a retry after a lost answer can post
twice. The webhook URL's path is its secret: errors never quote it.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from sinks.alert_text import headline, link_target, matched, published, story_line
from sinks.webhook import DeliveryResult, HttpPost, classify_response
from wirewatch.core.models import Alert, Digest, Notification
from wirewatch.core.redact import redact_text
from wirewatch.core.settings import LimitsSettings
from wirewatch.core.truncate import truncate

# Block Kit limits: a header's plain text, and the text of any section or context.
HEADER_CHARS = 150
SECTION_CHARS = 3_000
# Our shares of a section: the title and its link, the source, the matched terms.
TITLE_CHARS = 500
LINK_URL_CHARS = 2_000
SOURCE_CHARS = 500
TERMS_CHARS = 2_500

_CONTROL = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Characters that would end a <url|text> link early or split it.
_URL_BREAKERS = re.compile(r"[<>|\s]")

# What Slack's refusals mean, and what the user does about them.
_REFUSALS = {
    400: "Slack refused the message as malformed (invalid_payload): please report it",
    403: "Slack refused the webhook's token (invalid_token or action_prohibited): "
    "create a new incoming webhook and update the rule's Slack URL",
    404: "the Slack webhook or its channel is gone (no_service or channel_not_found): "
    "create a new incoming webhook and update the rule's Slack URL",
    410: "the Slack channel is archived (channel_is_archived): unarchive it or give the "
    "rule another webhook",
}


def escape(text: str) -> str:
    """`text` shown as written in mrkdwn: Slack's three control characters as entities."""
    return text.translate(_CONTROL)


def _fit(text: str, limit: int) -> str:
    """`text` cut at a word and escaped so that the escaped form fits in `limit`."""
    cap = limit
    while len(out := escape(truncate(text, cap))) > limit:
        cap -= len(out) - limit
    return out


def _link(url: str | None, label: str) -> str:
    """`label` linked to `url`, unless the URL, as written into the link, is too long."""
    if url is None:
        return label
    safe = _URL_BREAKERS.sub(lambda m: f"%{ord(m.group(0)):02X}", url).replace("&", "&amp;")
    return label if len(safe) > LINK_URL_CHARS else f"<{safe}|{label}>"


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}


def slack_message(alert: Alert, limits: LimitsSettings | None = None) -> dict[str, Any]:
    """The incoming-webhook payload for `alert`: a fallback `text` and the `blocks`."""
    limits = limits or LimitsSettings()
    title = _link(link_target(alert, limits), _fit(headline(alert), TITLE_CHARS))
    details = []
    if (terms := matched(alert)) is not None:
        details.append(f"Matched: {_fit(terms, TERMS_CHARS)}")
    if (story := story_line(alert)) is not None:
        details.append(story)
    blocks: list[dict[str, Any]] = [
        {
            "type": "header",
            "text": {"type": "plain_text", "text": truncate(alert.rule_name, HEADER_CHARS)},
        },
        {"type": "section", "text": _mrkdwn(title)},
        {
            "type": "context",
            "elements": [_mrkdwn(f"{_fit(alert.source, SOURCE_CHARS)} · {published(alert)}")],
        },
    ]
    if details:
        blocks.append({"type": "section", "text": _mrkdwn("\n".join(details))})
    fallback = f"{_fit(alert.rule_name, HEADER_CHARS)}: {_fit(headline(alert), TITLE_CHARS)}"
    return {"text": fallback, "blocks": blocks}


# A digest's share of a section per hit: title + link, source line, matched terms.
DIGEST_TERMS_CHARS = 300


def _digest_entry(alert: Alert, limits: LimitsSettings) -> str:
    """One hit of a digest in one section: linked headline, source and time, terms."""
    lines = [
        _link(link_target(alert, limits), _fit(headline(alert), TITLE_CHARS)),
        f"{_fit(alert.source, SOURCE_CHARS)} · {published(alert)}",
    ]
    if (terms := matched(alert)) is not None:
        lines.append(f"Matched: {_fit(terms, DIGEST_TERMS_CHARS)}")
    if (story := story_line(alert)) is not None:
        lines.append(story)
    return "\n".join(lines)


def slack_digest(digest: Digest, limits: LimitsSettings | None = None) -> dict[str, Any]:
    """The payload for a digest: a header counting the hits, then one section per hit
    (at most `DIGEST_MAX_ALERTS`, within Block Kit's 50 blocks)."""
    limits = limits or LimitsSettings()
    count = f"{len(digest.alerts)} new " + ("article" if len(digest.alerts) == 1 else "articles")
    header = f"{truncate(digest.rule_name, HEADER_CHARS - len(count) - 2)}: {count}"
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": header}}
    ]
    blocks += [
        {"type": "section", "text": _mrkdwn(_digest_entry(a, limits))} for a in digest.alerts
    ]
    return {"text": escape(header), "blocks": blocks}


def encode(message: Notification, limits: LimitsSettings | None = None) -> bytes:
    """The request body: compact UTF-8 JSON of `slack_message` or `slack_digest`."""
    payload = (
        slack_digest(message, limits)
        if isinstance(message, Digest)
        else slack_message(message, limits)
    )
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _explained(result: DeliveryResult) -> DeliveryResult:
    """Slack's refusals with what to do; other errors with any URL in them redacted."""
    if result.status in _REFUSALS:
        return replace(result, error=f"HTTP {result.status}: {_REFUSALS[result.status]}")
    if result.error is not None:
        return replace(result, error=redact_text(result.error))
    return result


class SlackSender:
    """Posts alerts to Slack incoming webhooks, one attempt per `send`."""

    def __init__(
        self,
        user_agent: str,
        *,
        post: HttpPost,
        limits: LimitsSettings | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.user_agent = user_agent
        self.post = post
        self.limits = limits or LimitsSettings()
        self.clock = clock

    async def send(self, url: str, message: Notification) -> DeliveryResult:
        """One delivery attempt of `message` (an alert or a digest) to the webhook `url`;
        never raises for network trouble."""
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": self.user_agent}
        response = await self.post(url, encode(message, self.limits), headers)
        return _explained(classify_response(response, self.clock()))
