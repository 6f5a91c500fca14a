"""Slack delivery: Block Kit message content, escaping and bounds; a real receiver's answers."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest

from sinks.slack import HEADER_CHARS, SECTION_CHARS, SlackSender, slack_digest, slack_message
from tests.support.alerts import ALERT, digest_of
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.clock import SystemClock
from wirewatch.core.models import DIGEST_MAX_ALERTS
from wirewatch.core.settings import FetchSettings, NotifySettings, Settings
from wirewatch.runtime.build import GuardedPost, build_webhook_post

HOOK_PATH = "/services/T0AAA/B0BBB/not-a-real-token"


def texts(message: dict[str, Any]) -> list[str]:
    """Every text a reader sees in the blocks, in order."""
    out = []
    for block in message["blocks"]:
        if "text" in block:
            out.append(block["text"]["text"])
        out.extend(e["text"] for e in block.get("elements", []))
    return out


def test_a_message_shows_the_linked_title_source_time_terms_story_and_rule() -> None:
    message = slack_message(ALERT)
    assert [b["type"] for b in message["blocks"]] == ["header", "section", "context", "section"]
    assert message["blocks"][0]["text"] == {"type": "plain_text", "text": "gaza talks"}
    assert texts(message) == [
        "gaza talks",
        "<https://news.example/1?a=1&amp;b=2|Talks on Rafah>",
        "Example News · 2026-11-25 12:05 UTC",
        "Matched: title:rafah, person:yoav gallant\n3 articles in this story",
    ]
    assert message["text"] == "gaza talks: Talks on Rafah"


def test_an_update_is_marked_and_a_lone_article_has_no_story_line() -> None:
    update = ALERT.model_copy(update={"kind": "update", "story_size": 1, "matched_terms": []})
    message = slack_message(update)
    assert texts(message)[1] == "<https://news.example/1?a=1&amp;b=2|Update: Talks on Rafah>"
    assert len(message["blocks"]) == 3  # nothing matched to list, no story to count
    assert message["text"] == "gaza talks: Update: Talks on Rafah"


def test_feed_text_cannot_inject_links_or_mentions() -> None:
    hostile = ALERT.model_copy(
        update={
            "title": "AT&T <!channel> <https://evil.example|click>",
            "source": "<@U123>",
            "url": "https://news.example/a|b>c d",
            "matched_terms": ["title:<x>"],
        }
    )
    shown = texts(slack_message(hostile))
    assert shown[1] == (
        "<https://news.example/a%7Cb%3Ec%20d|"
        "AT&amp;T &lt;!channel&gt; &lt;https://evil.example|click&gt;>"
    )
    assert shown[2].startswith("&lt;@U123&gt; · ")
    assert shown[3].startswith("Matched: title:&lt;x&gt;")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "https://news.example/?" + "x" * 9000, None]
)
def test_a_url_that_cannot_be_a_link_leaves_the_title_plain(url: str | None) -> None:
    assert texts(slack_message(ALERT.model_copy(update={"url": url})))[1] == "Talks on Rafah"


def test_a_message_fits_block_kit_limits_whatever_the_alert_carries() -> None:
    huge = ALERT.model_copy(
        update={
            "rule_name": "gaza " * 100,
            "title": "Rafah & " * 50_000,
            "source": "<S>" * 100_000,
            "url": "https://news.example/" + "&" * 1_900,
            "matched_terms": [f"title:word{i}&" for i in range(10_000)],
        }
    )
    message = slack_message(huge)
    header = message["blocks"][0]["text"]["text"]
    assert len(header) <= HEADER_CHARS and header.endswith("…")
    assert all(len(t) <= SECTION_CHARS for t in texts(message))
    assert all(t.endswith("…") or "…" in t for t in texts(message)[1:])  # every long part cut
    assert len(message["text"]) <= SECTION_CHARS
    title = texts(message)[1]
    assert not title.startswith("<")  # the escaped URL is too long to be a link
    assert title.endswith("Rafah &amp;…") or title.endswith("Rafah…")  # no entity cut in half


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret="unused") as r:
        yield r


@pytest.fixture
async def post(receiver: WebhookReceiver) -> AsyncIterator[GuardedPost]:
    """The runtime's webhook POST (SSRF guard, no redirects), allowed to reach this receiver."""
    settings = Settings(
        fetch=FetchSettings(allow_private=[f"127.0.0.1:{receiver.port}"]),
        notify=NotifySettings(timeout=5),
    )
    p = build_webhook_post(settings, SystemClock())
    yield p
    await p.aclose()


def hook(receiver: WebhookReceiver) -> str:
    return f"http://127.0.0.1:{receiver.port}{HOOK_PATH}"


async def test_slack_receives_the_block_kit_message(
    receiver: WebhookReceiver, post: GuardedPost
) -> None:
    result = await SlackSender("Wirewatch-test/1", post=post).send(hook(receiver), ALERT)
    assert result.ok and result.status == 200
    [req] = receiver.requests
    assert req.path == HOOK_PATH
    assert req.headers["content-type"] == "application/json; charset=utf-8"
    assert req.headers["user-agent"] == "Wirewatch-test/1"
    assert json.loads(req.body) == slack_message(ALERT)


async def test_a_removed_webhook_is_a_permanent_failure_that_says_what_to_do(
    receiver: WebhookReceiver, post: GuardedPost
) -> None:
    receiver.status = 404  # Slack's answer (body "no_service") for a deleted webhook
    result = await SlackSender("ua", post=post).send(hook(receiver), ALERT)
    assert (result.ok, result.retryable, result.status) == (False, False, 404)
    assert "no_service" in (result.error or "")
    assert "create a new incoming webhook" in (result.error or "")
    assert "not-a-real-token" not in (result.error or "")


@pytest.mark.parametrize(("status", "retry_after"), [(429, 30.0), (500, None), (503, None)])
async def test_rate_limits_and_server_errors_are_retried(
    receiver: WebhookReceiver, post: GuardedPost, status: int, retry_after: float | None
) -> None:
    receiver.status = status
    if retry_after is not None:
        receiver.extra_headers = {"Retry-After": str(int(retry_after))}
    result = await SlackSender("ua", post=post).send(hook(receiver), ALERT)
    assert (result.ok, result.retryable, result.status) == (False, True, status)
    assert result.retry_after == retry_after


async def test_an_unreachable_slack_is_retried() -> None:
    with WebhookReceiver(secret="unused") as gone:
        url = hook(gone)
    settings = Settings(fetch=FetchSettings(allow_private=[url.split("/")[2]]))
    post = build_webhook_post(settings, SystemClock())
    try:
        result = await SlackSender("ua", post=post).send(url, ALERT)
    finally:
        await post.aclose()
    assert not result.ok and result.retryable and result.status is None


def test_a_digest_is_one_message_with_a_section_per_hit_within_block_kit_limits() -> None:
    message = slack_digest(digest_of(DIGEST_MAX_ALERTS))
    assert message["text"] == f"gaza talks: {DIGEST_MAX_ALERTS} new articles"
    assert len(message["blocks"]) == DIGEST_MAX_ALERTS + 1 <= 50
    first, last = texts(message)[1], texts(message)[-1]
    assert first.startswith("<https://news.example/1?a=1&amp;b=2|Update: Talks on Rafah, day 0>")
    assert "Matched: title:rafah, person:yoav gallant\n3 articles in this story" in first
    assert "articles in this story" not in last
    assert all(len(t) <= SECTION_CHARS for t in texts(message))


async def test_slack_receives_a_digest(receiver: WebhookReceiver, post: GuardedPost) -> None:
    digest = digest_of(2)
    assert (await SlackSender("Wirewatch-test/1", post=post).send(hook(receiver), digest)).ok
    [req] = receiver.requests
    assert json.loads(req.body) == slack_digest(digest)
