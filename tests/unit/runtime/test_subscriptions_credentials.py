"""Subscribing to a feed with credentials: from a URL, the config file or a re-add."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.clock import ManualClock
from wirewatch.core.errors import FeedError
from wirewatch.core.ids import feed_id_for_url
from wirewatch.core.models import FeedAuth
from wirewatch.core.settings import FeedEntry, Settings
from wirewatch.runtime.subscriptions import add_feed, sync_from_config

CLOCK = ManualClock(datetime(2026, 11, 25, tzinfo=UTC))


def auth(user: str, password: str) -> FeedAuth:
    return FeedAuth(username=SecretStr(user), password=SecretStr(password))


@pytest.fixture
def store() -> FeedStore:
    return FeedStore(Database.memory())


def test_a_feed_is_identified_by_its_url_without_credentials(store: FeedStore) -> None:
    added = add_feed(store, Settings(), CLOCK, "https://bob:s3cret@host/f.xml")
    assert added.created
    assert added.row.feed.url == "https://host/f.xml"
    assert added.row.feed.id == feed_id_for_url("https://host/f.xml")
    assert added.row.feed.auth == auth("bob", "s3cret")
    # the same feed without credentials is the same subscription, and keeps them
    again = add_feed(store, Settings(), CLOCK, "https://host/f.xml")
    assert not again.created and again.row.feed.auth == auth("bob", "s3cret")


def test_a_new_password_replaces_the_old_one(store: FeedStore) -> None:
    add_feed(store, Settings(), CLOCK, "https://bob:old@host/f.xml")
    again = add_feed(store, Settings(), CLOCK, "https://bob:new@host/f.xml")
    assert not again.created and again.row.feed.auth == auth("bob", "new")


def test_credentials_in_the_url_and_as_keys_are_refused(store: FeedStore) -> None:
    with pytest.raises(FeedError, match="both in its URL and as username/password") as e:
        add_feed(store, Settings(), CLOCK, "https://bob:s3cret@host/f.xml", auth=auth("a", "b"))
    assert "s3cret" not in str(e.value)
    assert store.all() == []


def test_config_file_feeds_with_username_and_password(store: FeedStore) -> None:
    settings = Settings(
        feeds=[
            FeedEntry(url="https://host/a.xml", username="alice", password=SecretStr("pw")),
            FeedEntry(url="https://tok3n@host/b.xml"),
        ]
    )
    sync_from_config(settings, store, AlertStore(store.db), CLOCK)
    feeds = {r.feed.url: r.feed.auth for r in store.all()}
    assert feeds == {
        "https://host/a.xml": auth("alice", "pw"),
        "https://host/b.xml": auth("tok3n", ""),
    }
