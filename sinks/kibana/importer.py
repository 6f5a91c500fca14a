"""Load saved objects through Kibana's (or Dashboards') saved objects import API.

`POST /api/saved_objects/_import?overwrite=true` with the NDJSON as a multipart file
and the anti-CSRF header each product asks for (`kbn-xsrf`, `osd-xsrf`). Overwrite
by id makes a second import replace the first instead of adding copies. Every
failure is one `KibanaImportError` line: unreachable, refused credentials, or the
first object Kibana rejected and why.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from sinks.kibana.export import Flavour
from wirewatch.core.errors import WirewatchError

PRODUCT = {"kibana": "Kibana", "opensearch": "OpenSearch Dashboards"}
XSRF_HEADER = {"kibana": "kbn-xsrf", "opensearch": "osd-xsrf"}
CREDENTIALS_HINT = "check --api-key, or --user and --password"


class KibanaImportError(WirewatchError):
    """The import did not happen, or not for every object."""


@dataclass(frozen=True)
class Target:
    """Where to import: the base URL, the flavour, a Kibana space, credentials."""

    url: str
    flavour: Flavour = "kibana"
    space: str | None = None
    api_key: str | None = None
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @property
    def product(self) -> str:
        return PRODUCT[self.flavour]

    def endpoint(self) -> str:
        space = f"/s/{self.space}" if self.space else ""
        return f"{self.url.rstrip('/')}{space}/api/saved_objects/_import"

    def headers(self) -> dict[str, str]:
        headers = {XSRF_HEADER[self.flavour]: "true"}
        if self.api_key:
            headers["Authorization"] = f"ApiKey {self.api_key}"
        return headers


def _rejection(error: dict[str, Any]) -> str:
    """One rejected object, as Kibana reported it: what it is and why."""
    what = f"{error.get('type', '?')} {error.get('id', '?')!r}"
    reason = error.get("error", {})
    kind = reason.get("type", "unknown")
    if kind == "missing_references":
        missing = ", ".join(
            f"{r.get('type')} {r.get('id')!r}" for r in reason.get("references", [])
        )
        return f"{what}: it references {missing}, which is not there"
    detail = reason.get("message") or reason.get("reason") or ""
    return f"{what}: {kind}{': ' + detail if detail else ''}"


def _check(target: Target, response: httpx.Response) -> dict[str, Any]:
    """The response body of a complete import, or the error that says what went wrong."""
    if response.status_code == 401:
        raise KibanaImportError(
            f"{target.product} at {target.url} refused the credentials (401)", hint=CREDENTIALS_HINT
        )
    if response.status_code == 403:
        raise KibanaImportError(
            f"{target.product} at {target.url} does not let this user import saved objects (403)",
            hint="use a user or API key with the saved objects management privilege",
        )
    try:
        body: dict[str, Any] = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 400:
        message = body.get("message") or response.text[:200] or response.reason_phrase
        hint = "is --url the address of the UI, not of the search engine?"
        if response.status_code == 404 and target.space:
            hint = f"does the space {target.space!r} exist?"
        raise KibanaImportError(
            f"{target.product} at {target.url} answered {response.status_code}: {message}",
            hint=hint,
        )
    errors = body.get("errors") or []
    if not body.get("success", False) or errors:
        others = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        first = _rejection(errors[0]) if errors else "no reason given"
        raise KibanaImportError(f"{target.product} rejected {first}{others}")
    return body


def import_ndjson(
    target: Target, ndjson: str, *, transport: httpx.BaseTransport | None = None
) -> int:
    """Import the objects; the number imported. `transport` is for tests."""
    auth = (target.user, target.password or "") if target.user else None
    try:
        with httpx.Client(timeout=target.timeout, auth=auth, transport=transport) as client:
            response = client.post(
                target.endpoint(),
                params={"overwrite": "true"},
                headers=target.headers(),
                files={"file": ("wirewatch.ndjson", ndjson.encode("utf-8"), "application/ndjson")},
            )
    except httpx.HTTPError as e:
        raise KibanaImportError(
            f"cannot reach {target.product} at {target.url}: {e or type(e).__name__}",
            hint="check --url and that it is up",
        ) from None
    return int(_check(target, response).get("successCount", 0))
