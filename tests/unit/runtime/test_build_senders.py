"""build_senders: the runtime's Channel → sender mapping, e-mail only once it is configured."""

from __future__ import annotations

import json

from sinks.email import EmailSender
from sinks.slack import SlackSender, slack_message
from sinks.webhook import WebhookSender
from tests.support.alerts import ALERT
from tests.support.webhook_receiver import WebhookReceiver
from wirewatch.core.clock import SystemClock
from wirewatch.core.models import Channel
from wirewatch.core.settings import FetchSettings, NotifySettings, Settings
from wirewatch.runtime.build import build_senders, build_webhook_post


def test_email_has_a_sender_only_once_smtp_is_configured() -> None:
    plain = build_senders(Settings(), post=None)  # type: ignore[arg-type]
    assert set(plain) == {Channel.WEBHOOK, Channel.SLACK}
    assert isinstance(plain[Channel.WEBHOOK], WebhookSender)
    assert isinstance(plain[Channel.SLACK], SlackSender)
    smtp = NotifySettings(smtp_host="mail.example.org", smtp_from="wirewatch@example.org")
    with_mail = build_senders(Settings(notify=smtp), post=None)  # type: ignore[arg-type]
    assert isinstance(with_mail[Channel.EMAIL], EmailSender)


async def test_slack_goes_through_the_runtime_post_with_the_user_agent() -> None:
    with WebhookReceiver(secret="unused") as receiver:
        settings = Settings(
            fetch=FetchSettings(
                allow_private=[f"127.0.0.1:{receiver.port}"], user_agent="Wirewatch-ua/9"
            )
        )
        post = build_webhook_post(settings, SystemClock())
        try:
            slack = build_senders(settings, post)[Channel.SLACK]
            result = await slack.send(f"http://127.0.0.1:{receiver.port}/services/x", ALERT)
        finally:
            await post.aclose()
    assert result.ok
    [req] = receiver.requests
    assert req.headers["user-agent"] == "Wirewatch-ua/9"
    assert json.loads(req.body) == slack_message(ALERT)
