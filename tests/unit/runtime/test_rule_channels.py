"""A rule's channels as users give them: checked, stored, read from the config file."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.clock import ManualClock
from wirewatch.core.errors import WirewatchError
from wirewatch.core.models import Channel
from wirewatch.core.settings import RuleEntry, Settings
from wirewatch.runtime.subscriptions import make_rule, sync_from_config

CLOCK = ManualClock(datetime(2026, 11, 25, tzinfo=UTC))
SLACK = "https://hooks.slack.com/services/T0/B0/the-secret-part"


@pytest.mark.parametrize(
    "slack",
    [
        "http://hooks.slack.com/services/T0/B0/the-secret-part",  # not https
        "https:///services/T0/B0/the-secret-part",  # no host
        "https://hooks.slack.com/services/T0/B0/the-secret-part two",  # a paste gone wrong
        "https://hooks.slack.com/",  # no path: not a webhook
    ],
)
def test_a_bad_slack_url_is_refused_without_echoing_its_secret_path(slack: str) -> None:
    with pytest.raises(WirewatchError, match="Slack URL") as refused:
        make_rule("r", "gaza", None, CLOCK, slack=slack)
    assert "the-secret-part" not in str(refused.value) + (refused.value.hint or "")


@pytest.mark.parametrize(
    "address",
    ["desk", "@example.org", "desk@", "Desk <desk@example.org>", "a@b.org\r\nBcc: c@d.org"],
)
def test_an_address_that_is_not_plain_is_refused(address: str) -> None:
    with pytest.raises(WirewatchError, match="is not a plain address"):
        make_rule("r", "gaza", None, CLOCK, emails=[address])


def test_channels_are_kept_in_order_and_an_address_given_twice_once() -> None:
    rule = make_rule(
        "r", "gaza", None, CLOCK, slack=SLACK, emails=[" desk@example.org", "desk@example.org"]
    )
    assert rule.destinations() == [(Channel.SLACK, SLACK), (Channel.EMAIL, "desk@example.org")]


def test_the_config_files_slack_and_emails_reach_the_rule_store() -> None:
    db = Database.memory()
    rules = AlertStore(db)
    entry = RuleEntry.model_validate(
        {"name": "gaza", "query": "gaza", "slack": SLACK, "emails": ["desk@example.org"]}
    )
    sync_from_config(Settings(alerts=[entry]), FeedStore(db), rules, CLOCK)
    stored = rules.get_rule("gaza")
    assert stored is not None
    assert (stored.slack_url, stored.emails) == (SLACK, ["desk@example.org"])
