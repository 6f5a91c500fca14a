"""Hiding credentials in URLs before anything shows them.

Feed and webhook URLs may carry secrets: a user name and password
(`https://user:pw@host/`), a token in the query (`?token=…`, `?api_key=…`), or
the path itself (a Slack incoming webhook, `https://hooks.slack.com/services/…`).
Every output that can show a URL — the CLI's tables and JSON, OPML export, logs,
error messages, run summaries, `status` — passes it through `redact_url`, or a
text that may quote one through `redact_text`. Both are pure and never raise:
an output path must not fail because a URL is odd.

The URL is split with RFC 3986's own reference regex (appendix B), which matches
every string, so an unparseable URL is redacted as well as a clean one; the
parts that are not secret are kept byte for byte.
"""

from __future__ import annotations

import json
import logging
import re
from datetime import UTC, datetime
from urllib.parse import unquote_plus

MASK = "***"

# RFC 3986, appendix B: scheme, authority, path, query, fragment of any string.
_URI = re.compile(r"^(?:([^:/?#]+):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$", re.S)

# Query parameter names that hold a secret, compared lower-case with '-' as '_'.
_SECRET_NAMES = frozenset(
    {
        "auth",
        "authorization",
        "hmac",
        "jwt",
        "key",
        "pass",
        "pwd",
        "session",
        "sessionid",
        "sid",
        "sig",
    }
)
# ... or that contain one of these (token, api_key, X-Amz-Signature, client_secret, …).
_SECRET_PARTS = ("token", "secret", "passw", "apikey", "api_key", "signature", "credential")

# Hosts whose URL path is itself the secret (a token after the first segment).
_PATH_IS_SECRET = frozenset({"hooks.slack.com"})

# A URL inside free text: a scheme, '://', then up to a character no URL holds unencoded
# (the apostrophe is legal, so a URL quoted as 'http://…' takes the closing one along) ...
_URL_IN_TEXT = re.compile(r"""[A-Za-z][A-Za-z0-9+.\-]*://[^\s"<>`{}|\\^]+""")
# ... and its user info, found on its own: a password may hold a quote ('!$'()* are legal).
_USERINFO_IN_TEXT = re.compile(r"(?<=://)[^\s/?#]*@")


def is_secret_param(name: str) -> bool:
    """Whether a query (or fragment) parameter of this name carries a credential."""
    key = unquote_plus(name).strip().lower().replace("-", "_")
    return key in _SECRET_NAMES or any(part in key for part in _SECRET_PARTS)


def _redact_params(params: str) -> str:
    out = []
    for pair in params.split("&"):
        name, eq, value = pair.partition("=")
        out.append(f"{name}={MASK}" if eq and value and is_secret_param(name) else pair)
    return "&".join(out)


def _redact_path(host: str, path: str) -> str:
    """A Slack incoming-webhook path is its credential: keep only its first segment.

    `https://hooks.slack.com/services/T0/B0/XXXX` lets anyone post to the channel, so
    it shows as `https://hooks.slack.com/services/***` (enough to see it is a Slack hook).
    """
    hostname = host.split(":")[0].lower().rstrip(".")  # an IPv6 host is never one of them
    if hostname not in _PATH_IS_SECRET or path.count("/") < 2:
        return path
    return "/" + path.split("/")[1] + "/" + MASK


def redact_url(url: str) -> str:
    """`url` with its user info as `***@`, the values of secret parameters as `***`, and
    the token path of a Slack webhook as `***`.

    Secret parameters are found by name (`token`, `api_key`, `sig`, … — see
    `is_secret_param`) in the query and in a `k=v` fragment (OAuth puts tokens
    there). Everything else is left exactly as written.
    """
    m = _URI.match(url)
    if m is None:  # cannot happen (the regex matches any string); kept for the type checker
        return url
    scheme, authority, path, query, fragment = m.groups()
    out = f"{scheme}:" if scheme is not None else ""
    host = ""
    if authority is not None:
        _, at, host = authority.rpartition("@")
        out += f"//{MASK}@{host}" if at else f"//{authority}"
    out += _redact_path(host, path)
    if query is not None:
        out += "?" + _redact_params(query)
    if fragment is not None:
        out += "#" + (_redact_params(fragment) if "=" in fragment else fragment)
    return out


def redact_text(text: str) -> str:
    """`text` with every URL in it redacted (error messages, log lines, summaries).

    A secret value at the end of a URL also takes the punctuation after it (`token=***`
    for `token=abc).`): which of those characters are the token's cannot be known.
    """
    masked = _USERINFO_IN_TEXT.sub(f"{MASK}@", text)
    return _URL_IN_TEXT.sub(lambda m: redact_url(m.group(0)), masked)


def redact_secret_path(url: str) -> str:
    """`url` cut after its first path segment, the rest masked: for URLs whose path is the
    secret, as a Slack incoming webhook's (https://hooks.slack.com/services/***)."""
    m = _URI.match(url)
    if m is None:  # cannot happen (the regex matches any string); kept for the type checker
        return MASK
    scheme, authority, path, _, _ = m.groups()
    first, sep, rest = path.lstrip("/").partition("/")
    if not (rest or (first and not sep)):  # no path to hide
        return redact_url(url)
    shown = f"{scheme}:" if scheme is not None else ""
    if authority is not None:
        shown += "//" + authority.rpartition("@")[2]
    return shown + (f"/{first}/" if sep else "/") + MASK


def redact_target(channel: str, target: str) -> str:
    """A delivery target as output may show it: a Slack URL's secret path masked, a
    webhook URL's credentials hidden, an e-mail address as it is."""
    if channel == "slack":
        return redact_secret_path(target)
    if channel == "webhook":
        return redact_url(target)
    return target


class RedactingFormatter(logging.Formatter):
    """Log lines, tracebacks included, with every URL in them redacted."""

    def format(self, record: logging.LogRecord) -> str:
        return redact_text(super().format(record))


# attributes every LogRecord has; anything else on a record is an `extra=` field
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, message, the
    record's `extra=` fields and the traceback if any; every string redacted as above."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": redact_text(record.getMessage()),
        }
        for name, value in vars(record).items():
            if name not in _RECORD_FIELDS and name not in entry:
                entry[name] = (
                    value if isinstance(value, int | float | bool) else redact_text(str(value))
                )
        if record.exc_info:
            entry["exception"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(entry, ensure_ascii=False)
