"""Basic-auth credentials of feeds: split off URLs, sent only where they belong.

A feed URL may be given with credentials (`https://user:pw@host/feed.xml`, from
`feeds add`, an OPML file or the config file). They are split off here so the
feed is identified and stored by its URL without them, kept as a `FeedAuth`
secret, and turned into an `Authorization: Basic` header by the fetcher — only
for the feed's own origin, never across a redirect to another one (the same rule
as httpx and browsers: same scheme, host and port, or an upgrade from http to
https on the same host and default ports).
"""

from __future__ import annotations

import base64
from urllib.parse import SplitResult, quote, unquote, urlsplit, urlunsplit

from pydantic import SecretStr

from wirewatch.core.models import FeedAuth

_DEFAULT_PORTS = {"http": 80, "https": 443}


def split_credentials(url: str) -> tuple[str, FeedAuth | None]:
    """(`url` without user info, the credentials it carried or None).

    User name and password are percent-decoded (`p%40ss` is `p@ss`); a URL whose
    user info is empty (`http://@host/`) loses the stray `@` and has no credentials.
    """
    try:
        parts = urlsplit(url)
    except ValueError:
        return url, None
    userinfo, at, host = parts.netloc.rpartition("@")
    if not at:
        return url, None
    bare = urlunsplit(parts._replace(netloc=host))
    user, _, password = userinfo.partition(":")
    if not user and not password:
        return bare, None
    return bare, FeedAuth(username=SecretStr(unquote(user)), password=SecretStr(unquote(password)))


def with_credentials(url: str, auth: FeedAuth | None) -> str:
    """`url` with `auth` written back in as user info (for an export that keeps secrets)."""
    if auth is None:
        return url
    parts = urlsplit(url)
    user = quote(auth.username.get_secret_value(), safe="")
    password = auth.password.get_secret_value()
    userinfo = f"{user}:{quote(password, safe='')}" if password else user
    return urlunsplit(parts._replace(netloc=f"{userinfo}@{parts.netloc}"))


def _origin(parts: SplitResult) -> tuple[str, str | None, int | None]:
    scheme = parts.scheme.lower()
    return scheme, parts.hostname, parts.port or _DEFAULT_PORTS.get(scheme)


def may_forward_credentials(origin_url: str, target_url: str) -> bool:
    """Whether credentials given for `origin_url` may be sent to `target_url`."""
    try:
        origin, target = urlsplit(origin_url), urlsplit(target_url)
        a, b = _origin(origin), _origin(target)
    except ValueError:
        return False
    if a[1] is None or a[1] != b[1]:
        return False
    https_upgrade = a == ("http", a[1], 80) and b == ("https", a[1], 443)
    return a == b or https_upgrade


def basic_auth_header(auth: FeedAuth) -> str:
    """The `Authorization` header value (RFC 7617, credentials encoded as UTF-8)."""
    pair = f"{auth.username.get_secret_value()}:{auth.password.get_secret_value()}"
    return "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")
