"""The one seam between Wirewatch and a search engine (like httpx's transports).

Everything above it — the bulk sink, setup, search — builds request bodies once
and hands them to `Transport.request`; an adapter per client (`opensearch`,
`elasticsearch`) only sends them. Tests plug in a plain Python transport instead
of patching a client.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True)
class Reply:
    """An engine's answer: the HTTP status and the decoded JSON body (None if empty)."""

    status: int
    body: Any

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def retryable(self) -> bool:
        """Too many requests or a server-side failure: the same request may succeed later."""
        return self.status == 429 or self.status >= 500


class EngineUnavailable(Exception):
    """The engine could not be reached (refused, reset, timed out): worth retrying."""


class EngineRefused(Exception):
    """The engine refused a request for a reason that retrying cannot fix."""

    def __init__(self, what: str, reply: Reply) -> None:
        if reply.status in (401, 403):
            detail = (
                f"the search engine refused the credentials (HTTP {reply.status}); "
                "check the API key or the user and password in the `search:` settings"
            )
        else:
            detail = f"HTTP {reply.status}, {error_reason(reply.body)}"
        super().__init__(f"{what}: {detail}")
        self.status = reply.status


class Transport(Protocol):
    """Send one request; answer every HTTP status as a `Reply`, raise only when unreachable.

    `body` is a JSON-able value, or a `str` of newline-delimited JSON for `/_bulk`.
    """

    def request(self, method: str, path: str, body: Any = None) -> Reply: ...


def error_reason(body: Any) -> str:
    """`type: reason` of an engine's error object (item or request), for logs and dead letters."""
    err = body.get("error", body) if isinstance(body, dict) else body
    if isinstance(err, dict):
        kind, reason = err.get("type", "error"), err.get("reason", "")
        caused = err.get("caused_by")
        suffix = f" (caused by {error_reason(caused)})" if isinstance(caused, dict) else ""
        return f"{kind}: {reason}{suffix}"
    return str(err)
