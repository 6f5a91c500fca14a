"""Errors users see. Each carries the fix, so the CLI can print one clear line."""

from __future__ import annotations


class WirewatchError(Exception):
    """An error about one thing the user can fix; `hint` says how."""

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(WirewatchError):
    """Settings that cannot be loaded: unknown key, bad value, unreadable file."""


class QueryError(WirewatchError):
    """A query that does not parse or is refused; `column` is 1-based."""

    def __init__(self, message: str, *, column: int, hint: str | None = None) -> None:
        super().__init__(f"column {column}: {message}", hint=hint)
        self.column = column
        self.reason = message


class FeedError(WirewatchError):
    """A feed URL or file that cannot be accepted (scheme, local file, malformed OPML)."""


def unknown_feed(id_or_url: str) -> FeedError:
    """The one error every subscription store gives for a feed it does not have."""
    return FeedError(
        f"no feed with id or URL {id_or_url!r}", hint="see `wirewatch feeds list` for ids and URLs"
    )


def unknown_rule(name_or_id: str) -> WirewatchError:
    """The one error every rule store and command gives for an alert that does not exist."""
    return WirewatchError(f"no alert named {name_or_id!r}", hint="see `wirewatch alerts list`")
