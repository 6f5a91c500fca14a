"""`redact_url` / `redact_text`: credentials never shown, everything else kept as written."""

from __future__ import annotations

import logging
import sys

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wirewatch.core.redact import RedactingFormatter, is_secret_param, redact_text, redact_url


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        # user info, with and without a password, any port, IPv4/IPv6/name hosts
        ("https://user:pw@host/feed.xml", "https://***@host/feed.xml"),
        ("https://token@host/feed.xml", "https://***@host/feed.xml"),
        ("http://user:pw@127.0.0.1:8080/f", "http://***@127.0.0.1:8080/f"),
        ("http://user:pw@[::1]:8443/f", "http://***@[::1]:8443/f"),
        ("http://[2001:db8::1]/f?token=t", "http://[2001:db8::1]/f?token=***"),
        ("https://:pw@host", "https://***@host"),
        # percent-encoded and raw '@' in the user info: everything up to the host goes
        ("http://us%40er:p%3Aw%40d@host/", "http://***@host/"),
        ("http://user:p@ss@host/", "http://***@host/"),
        # secret query parameters, case-insensitive, order and other values kept
        (
            "https://h/f?a=1&token=abc&B=2&API_KEY=k&Signature=s",
            "https://h/f?a=1&token=***&B=2&API_KEY=***&Signature=***",
        ),
        (
            "https://h/f?X-Amz-Security-Token=x&x-api-key=y",
            "https://h/f?X-Amz-Security-Token=***&x-api-key=***",
        ),
        (
            "https://h/f?access_token=a&client_secret=b",
            "https://h/f?access_token=***&client_secret=***",
        ),
        (
            "https://h/f?sig=a&key=b&password=c&auth=d",
            "https://h/f?sig=***&key=***&password=***&auth=***",
        ),
        ("https://h/f?api%5Fkey=a", "https://h/f?api%5Fkey=***"),
        # a fragment that carries parameters (OAuth implicit flow); a plain anchor is kept
        ("https://h/cb#access_token=a&state=s", "https://h/cb#access_token=***&state=s"),
        ("https://h/page?id=3#token", "https://h/page?id=3#token"),
        # a Slack incoming webhook: its path is the token (any case, port or trailing dot)
        (
            "https://hooks.slack.com/services/T0AAA/B0BBB/XXXXsecretXXXX",
            "https://hooks.slack.com/services/***",
        ),
        (
            "https://Hooks.Slack.com.:443/services/T0/B0/x?y=1",
            "https://Hooks.Slack.com.:443/services/***?y=1",
        ),
        ("https://hooks.slack.com/workflows/T0/A0/1/tok", "https://hooks.slack.com/workflows/***"),
        ("https://hooks.slack.com/", None),
        ("https://slack.com/services/T0/B0/x", None),
        # nothing secret: unchanged, byte for byte
        ("https://news.example/world/rss.xml?edition=uk&keyword=gaza", None),
        ("https://h/f?token=&key", None),
        ("https://h/@user/feed.rss", None),
        ("file:///srv/feeds/a.xml", None),
        ("mailto:someone@example.org", None),
        ("", None),
        # unparseable (a broken IPv6 literal, a bad port, no scheme): still redacted
        ("http://u:p@[::1/f?token=t", "http://***@[::1/f?token=***"),
        ("http://u:p@host:99999999/f", "http://***@host:99999999/f"),
        ("host.example/f?apikey=1", "host.example/f?apikey=***"),
    ],
)
def test_redact_url(url: str, shown: str | None) -> None:
    assert redact_url(url) == (url if shown is None else shown)


@pytest.mark.parametrize(
    "name",
    ["token", "Token", "ACCESS_TOKEN", "apiKey", "api-key", "sig", "passwd", "X-Amz-Credential"],
)
def test_secret_parameter_names(name: str) -> None:
    assert is_secret_param(name)


@pytest.mark.parametrize("name", ["keyword", "monkey", "page", "id", "q", "format", "sort"])
def test_ordinary_parameter_names(name: str) -> None:
    assert not is_secret_param(name)


def test_redact_text_finds_urls_in_messages() -> None:
    msg = (
        "HTTP 401 from 'https://bob:s3cret@feeds.example/f?token=T0K'. "
        "Also (http://h/x?api_key=K1), see https://docs.example/help."
    )
    msg += " Slack said no_service for https://hooks.slack.com/services/T0/B0/SLACKTOK."
    shown = redact_text(msg)
    for secret in ("bob", "s3cret", "T0K", "K1", "SLACKTOK"):
        assert secret not in shown
    assert shown == (
        "HTTP 401 from 'https://***@feeds.example/f?token=*** "
        "Also (http://h/x?api_key=*** see https://docs.example/help. "
        "Slack said no_service for https://hooks.slack.com/services/***"
    )


# Characters a URL's query may hold unencoded (RFC 3986 pchar, without '&', '=' and '#').
_QUERY_CHARS = st.sampled_from(
    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~!$'()*+,;:@%/?"
)
# A password in user info ends at the host: it holds anything but '/', '?', '#' and spaces.
_USERINFO_CHARS = st.characters(
    blacklist_characters="/?#@", blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc")
)


@given(st.text(), st.text(_USERINFO_CHARS, min_size=1), st.text(_QUERY_CHARS, min_size=1))
def test_any_text_quoting_a_url_loses_its_credentials(
    prefix: str, password: str, token: str
) -> None:
    """Never raises, and neither the password nor the token survive, whatever the text."""
    shown = redact_text(f"{prefix} https://user:{password}@host.example/f?token={token} end")
    assert shown.endswith(" https://***@host.example/f?token=*** end")


def test_log_lines_and_tracebacks_are_redacted() -> None:
    try:
        raise ValueError("bad answer from https://bob:s3cret@h/f?token=T0K")
    except ValueError:
        record = logging.LogRecord(
            "wirewatch",
            logging.ERROR,
            __file__,
            1,
            "polling %s failed",
            ("https://h/f?sig=S1G",),
            sys.exc_info(),
        )
    line = RedactingFormatter("%(levelname)s %(message)s").format(record)
    assert line.startswith("ERROR polling https://h/f?sig=*** failed")
    assert "ValueError: bad answer from https://***@h/f?token=***" in line
    for secret in ("bob", "s3cret", "T0K", "S1G"):
        assert secret not in line
