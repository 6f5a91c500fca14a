"""Feed credentials: split off URLs, written back for an export, and where they may go."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr

from wirewatch.core.credentials import (
    basic_auth_header,
    may_forward_credentials,
    split_credentials,
    with_credentials,
)
from wirewatch.core.models import Feed, FeedAuth


def auth(user: str, password: str = "") -> FeedAuth:
    return FeedAuth(username=SecretStr(user), password=SecretStr(password))


@pytest.mark.parametrize(
    ("url", "bare", "user", "password"),
    [
        ("https://user:pw@host/feed.xml?x=1", "https://host/feed.xml?x=1", "user", "pw"),
        ("http://user:pw@127.0.0.1:8080/f", "http://127.0.0.1:8080/f", "user", "pw"),
        ("http://user:pw@[::1]:8443/f", "http://[::1]:8443/f", "user", "pw"),
        ("https://tok3n@host/f", "https://host/f", "tok3n", ""),
        ("https://:pw@host/f", "https://host/f", "", "pw"),
        ("http://us%40er:p%3Aw%20d@host/", "http://host/", "us@er", "p:w d"),
        ("http://user:p@ss@host/", "http://host/", "user", "p@ss"),
        ("https://j%C3%B6rg:gr%C3%BC%C3%9F@host/", "https://host/", "jörg", "grüß"),
    ],
)
def test_split_credentials(url: str, bare: str, user: str, password: str) -> None:
    got_url, got = split_credentials(url)
    assert got_url == bare
    assert got is not None
    assert got.username.get_secret_value() == user
    assert got.password.get_secret_value() == password


@pytest.mark.parametrize(
    "url", ["https://host/f?token=1", "https://host/@user/feed", "file:///tmp/a.xml", "not a url"]
)
def test_urls_without_user_info_are_kept(url: str) -> None:
    assert split_credentials(url) == (url, None)


def test_empty_user_info_is_dropped_without_credentials() -> None:
    assert split_credentials("http://@host/f") == ("http://host/f", None)


@pytest.mark.parametrize(
    "url", ["https://user:pw@host/f", "https://us%40er:p%3Aw@h:81/f?q=1", "https://tok@h/"]
)
def test_with_credentials_round_trips(url: str) -> None:
    bare, got = split_credentials(url)
    again = with_credentials(bare, got)
    assert split_credentials(again) == (bare, got)


def test_secrets_do_not_show_in_a_feed_or_its_json() -> None:
    feed = Feed(
        id="f", url="https://host/f", auth=auth("bob", "s3cret"), added_at="2026-01-01T00:00Z"
    )
    for shown in (repr(feed), str(feed), feed.model_dump_json(), str(feed.model_dump(mode="json"))):
        assert "bob" not in shown and "s3cret" not in shown


@pytest.mark.parametrize(
    ("origin", "target", "allowed"),
    [
        ("https://host/feed", "https://host/other?x=1", True),
        ("https://HOST/feed", "https://host:443/feed", True),
        ("http://host/feed", "https://host/feed", True),  # an upgrade to https, default ports
        ("https://host/feed", "http://host/feed", False),  # a downgrade would leak in clear
        ("http://host:8080/feed", "https://host/feed", False),
        ("http://127.0.0.1:8080/f", "http://127.0.0.1:8081/f", False),  # another port
        ("https://host/feed", "https://evil.example/feed", False),
        ("https://host/feed", "https://sub.host/feed", False),
        ("http://[::1]:80/f", "http://[::1]/g", True),
        ("https://host/feed", "https://host:notaport/feed", False),
    ],
)
def test_may_forward_credentials(origin: str, target: str, allowed: bool) -> None:
    assert may_forward_credentials(origin, target) is allowed


def test_basic_auth_header_is_rfc7617_utf8() -> None:
    header = basic_auth_header(auth("jörg", "p:w"))
    scheme, _, token = header.partition(" ")
    assert scheme == "Basic"
    assert base64.b64decode(token).decode("utf-8") == "jörg:p:w"
