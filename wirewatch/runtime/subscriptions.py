"""Adding feeds and alert rules: the checks every entry point shares.

The CLI, OPML import and the config file all go through here, so a feed URL or a
rule query is refused the same way everywhere: one line saying what is wrong and
how to fix it, with nothing changed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from email.utils import parseaddr
from pathlib import Path
from urllib.parse import SplitResult, urlsplit

from pydantic import SecretStr

from wirewatch.core.clock import Clock
from wirewatch.core.credentials import split_credentials
from wirewatch.core.errors import FeedError, WirewatchError, unknown_rule
from wirewatch.core.ids import feed_id_for_url, rule_id_for_name
from wirewatch.core.models import MAX_RULE_NAME, AlertRule, Feed, FeedAuth
from wirewatch.core.ports import RuleStore, Subscriptions
from wirewatch.core.query import parse_query
from wirewatch.core.records import FeedRow
from wirewatch.core.redact import redact_secret_path, redact_url
from wirewatch.core.settings import FeedEntry, LimitsSettings, Settings
from wirewatch.core.truncate import truncate

_LOCAL_HINT = "set allow_local_files: true in the config (or WIREWATCH_ALLOW_LOCAL_FILES=1)"


def normalise_feed_url(
    raw: str,
    *,
    allow_local_files: bool,
    base_dir: Path | None = None,
    max_chars: int = LimitsSettings().url_chars,
) -> str:
    """Check a feed URL and return it in stored form (absolute file:// for local files)."""
    url = raw.strip()
    if not url:
        raise FeedError("empty feed URL", hint="give an http(s):// URL")
    if len(url) > max_chars:
        raise FeedError(
            f"feed URL {truncate(url, 60)!r} is {len(url):,} characters long, "
            f"over limits.url_chars ({max_chars:,})",
            hint="check the URL (a pasted page or file?), or raise limits.url_chars",
        )
    parts = _split(url, "feed URL")
    scheme = parts.scheme.lower()
    if scheme in {"http", "https"}:
        if not parts.hostname:
            raise FeedError(f"feed URL {url!r} has no host", hint="write it as https://host/path")
        _refuse_blanks(url, "feed URL")
        return url
    if (
        scheme == "file"
        or (scheme == "" and base_dir is not None)
        or (
            len(scheme) == 1 and url[1:3] in {":\\", ":/"}  # a Windows drive letter
        )
    ):
        if not allow_local_files:
            raise FeedError(
                f"local feed {url!r} refused: local files are not allowed", hint=_LOCAL_HINT
            )
        path = Path(parts.path) if scheme == "file" else Path(url)
        if not path.is_absolute():
            path = (base_dir or Path.cwd()) / path
        path = path.resolve()
        if not path.is_file():
            raise FeedError(f"local feed file {path} does not exist", hint="check the path")
        return path.as_uri()
    if scheme == "":
        raise FeedError(f"feed URL {url!r} has no scheme", hint=f"did you mean https://{url} ?")
    raise FeedError(
        f"unsupported URL scheme {scheme!r} in {url!r}",
        hint="use http:// or https:// (or file:// with allow_local_files: true)",
    )


def _split(url: str, what: str) -> SplitResult:
    """urlsplit, refusing what it cannot split: a broken [IPv6] host, a port out of range."""
    try:
        parts = urlsplit(url)
        _ = parts.port  # raises ValueError for 'host:x' or 'host:99999'
    except ValueError as e:
        raise FeedError(
            f"{what} {url!r} is malformed: {e}", hint="check its host and port"
        ) from None
    return parts


def _refuse_blanks(url: str, what: str) -> None:
    """Spaces and control characters are never part of an http(s) URL (a paste gone wrong)."""
    if any(c.isspace() or not c.isprintable() for c in url):
        raise FeedError(
            f"{what} {url!r} contains spaces or control characters",
            hint="remove them, or percent-encode a space as %20",
        )


@dataclass(frozen=True)
class AddedFeed:
    row: FeedRow
    created: bool


def add_feed(
    store: Subscriptions,
    settings: Settings,
    clock: Clock,
    url: str,
    *,
    title: str | None = None,
    full_text: bool = False,
    auth: FeedAuth | None = None,
    base_dir: Path | None = None,
) -> AddedFeed:
    """Subscribe, or update an existing subscription's title, full text and credentials.

    Credentials come from the URL's user info or from `auth`, not both; the feed is
    identified and stored by its URL without them.
    """
    bare_url, url_auth = split_credentials(url)
    if url_auth is not None and auth is not None:
        raise FeedError(
            f"feed {redact_url(url)} has credentials both in its URL and as username/password",
            hint="keep one of the two",
        )
    auth = auth or url_auth
    stored_url = normalise_feed_url(
        bare_url,
        allow_local_files=settings.allow_local_files,
        base_dir=base_dir,
        max_chars=settings.limits.url_chars,
    )
    feed = Feed(
        id=feed_id_for_url(stored_url),
        url=stored_url,
        auth=auth,
        title=title,
        full_text=full_text,
        added_at=clock.now(),
    )
    row, created = store.add(feed)
    if created:
        return AddedFeed(row, created)
    if title or full_text != row.feed.full_text:
        store.update_settings(row.feed.id, title=title, full_text=full_text)
    if auth is not None and auth != row.feed.auth:
        store.set_auth(row.feed.id, auth)
    return AddedFeed(store.get(row.feed.id) or row, created)


def copy_feeds(target: Subscriptions, rows: Sequence[FeedRow]) -> int:
    """Subscribe `target` to the feeds of `rows`, updating the credentials of those it has;
    returns how many were new."""
    created = 0
    for row in rows:
        mine, new = target.add(row.feed)
        created += new
        if not new and row.feed.auth and row.feed.auth != mine.feed.auth:
            target.set_auth(mine.feed.id, row.feed.auth)
    return created


def mirror_rules(target: RuleStore, rules: Sequence[AlertRule]) -> None:
    """Make `target` hold exactly `rules` (ids kept), as the sink keeps its data
    directory's copy of the `alerts.rules` topic: a rule gone from the topic is removed,
    which dead-letters its deliveries not yet made."""
    wanted = {r.id for r in rules}
    for mine in target.rules():
        if mine.id not in wanted:
            target.remove_rule(mine.id)
    for rule in rules:
        target.add_rule(rule, replace=True)


def entry_auth(entry: FeedEntry) -> FeedAuth | None:
    """The credentials of a config-file feed given as `username`/`password` keys."""
    if entry.username is None:
        return None
    return FeedAuth(username=SecretStr(entry.username), password=entry.password or SecretStr(""))


DIGEST_MODES = ("off", "hourly", "daily")


def make_rule(
    name: str,
    query: str,
    webhook: str | None,
    clock: Clock,
    *,
    slack: str | None = None,
    emails: Sequence[str] = (),
    throttle_per_hour: int | None = None,
    digest: str = "off",
) -> AlertRule:
    """Build a rule after checking its name, that its query parses (QueryError otherwise)
    and that each destination is usable: an http(s) webhook, an https Slack URL, e-mail
    addresses."""
    if not 1 <= len(name.strip()) <= MAX_RULE_NAME:
        raise WirewatchError(
            f"an alert name must have 1 to {MAX_RULE_NAME} characters, not {len(name.strip())}",
            hint="name it in a few words, e.g. gaza-ceasefire",
        )
    parse_query(query)
    if webhook is not None:
        parts = _split(webhook, "webhook URL")
        if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
            raise FeedError(
                f"webhook URL {webhook!r} is not an http(s) URL",
                hint="give the full https:// address of the receiver",
            )
        _refuse_blanks(webhook, "webhook URL")
    if slack is not None:
        _check_slack_url(slack)
    if digest not in DIGEST_MODES:
        raise WirewatchError(
            f"digest {digest!r} is not one of {', '.join(DIGEST_MODES)}",
            hint="hourly or daily sends one message per period; off sends each hit at once",
        )
    if throttle_per_hour is not None and throttle_per_hour < 1:
        raise WirewatchError(
            f"a throttle of {throttle_per_hour} per hour would hold every hit",
            hint="give at least 1, or leave the throttle out",
        )
    return AlertRule(
        id=rule_id_for_name(name),
        name=name.strip(),
        query=query,
        webhook_url=webhook,
        slack_url=slack,
        emails=list(dict.fromkeys(check_email(addr) for addr in emails)),  # once each
        throttle_per_hour=throttle_per_hour,
        digest=digest,
        created_at=clock.now(),
    )


def _check_slack_url(url: str) -> None:
    """An https URL with a host and a path (the path is the secret: errors show it masked)."""
    shown = redact_secret_path(url)
    parts = _split(url, "Slack URL")
    if parts.scheme.lower() != "https" or not parts.hostname or parts.path.strip("/") == "":
        raise FeedError(
            f"Slack URL {shown!r} is not an https:// incoming-webhook URL",
            hint="copy it from Slack's Incoming Webhooks page: https://hooks.slack.com/services/…",
        )
    if any(c.isspace() or not c.isprintable() for c in url):
        raise FeedError(
            f"Slack URL {shown!r} contains spaces or control characters",
            hint="copy it again from Slack's Incoming Webhooks page",
        )


def check_email(addr: str) -> str:
    """A bare address (name@domain), stripped; refused with what is wrong otherwise."""
    address = addr.strip()
    _, parsed = parseaddr(address)
    local, at, domain = address.rpartition("@")
    if (
        parsed != address
        or not (at and local and domain)
        or any(c.isspace() or not c.isprintable() or c in "<>,;" for c in address)
        or domain.startswith(".")
        or domain.endswith(".")
    ):
        raise WirewatchError(
            f"e-mail address {addr!r} is not a plain address",
            hint="give it as name@example.org, one --email per address",
        )
    return address


def sync_from_config(
    settings: Settings,
    feeds: Subscriptions,
    rules: RuleStore,
    clock: Clock,
    base_dir: Path | None = None,
) -> None:
    """Make the feeds and alerts of the config file exist in the database."""
    for entry in settings.feeds:
        add_feed(
            feeds,
            settings,
            clock,
            entry.url,
            title=entry.title,
            full_text=entry.full_text,
            auth=entry_auth(entry),
            base_dir=base_dir,
        )
    for rule in settings.alerts:
        slack = rule.slack.get_secret_value() if rule.slack else None
        made = make_rule(
            rule.name,
            rule.query,
            rule.webhook,
            clock,
            slack=slack,
            emails=rule.emails,
            throttle_per_hour=rule.throttle_per_hour,
            digest=rule.digest,
        )
        stored = rules.get_rule(made.name)
        # a rule paused with `alerts pause` stays paused when the config is read again
        enabled = stored.enabled if stored else True
        rules.add_rule(made.model_copy(update={"enabled": enabled}), replace=True)


def set_rule_enabled(rules: RuleStore, name_or_id: str, *, enabled: bool) -> AlertRule:
    """Pause or resume a rule; a running runtime sees the change at its next batch."""
    rule = rules.get_rule(name_or_id)
    if rule is None:
        raise unknown_rule(name_or_id)
    changed = rule.model_copy(update={"enabled": enabled})
    rules.add_rule(changed, replace=True)
    return changed
