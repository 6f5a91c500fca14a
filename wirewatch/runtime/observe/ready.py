"""A container's health check: ask the role running beside it whether it is ready.

Docker's HEALTHCHECK runs a command inside the container, and the roles answer readiness
on their own metrics port (`/readyz`, docs/observability.md). This reads the settings the
role read (config file, `WIREWATCH_*` environment) to find that port, asks once, and exits
0 when the role is ready, 1 with the reason otherwise: the reason is what `docker inspect`
shows an operator. Only the standard library and the settings, so it starts fast.

    python -m wirewatch.runtime.observe.ready
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request

from wirewatch.core.errors import WirewatchError
from wirewatch.core.settings import MetricsSettings, load_settings

TIMEOUT_S = 5.0
ANY_ADDRESS = {"", "0.0.0.0", "::"}  # noqa: S104 (recognised, not bound)


def readiness_url(metrics: MetricsSettings) -> str:
    """Where the role listens, as seen from inside its container (a wildcard → loopback)."""
    host = "127.0.0.1" if metrics.host in ANY_ADDRESS else metrics.host
    return f"http://{f'[{host}]' if ':' in host else host}:{metrics.port}/readyz"


def _reasons(body: bytes) -> str:
    """The checks that are not ok, from `/readyz`'s JSON body (the raw body otherwise)."""
    try:
        checks = json.loads(body)["checks"]
        return "; ".join(f"{name}: {reason}" for name, reason in checks.items() if reason != "ok")
    except (ValueError, KeyError, TypeError, AttributeError):
        return body.decode("utf-8", "replace")[:300]


def check(metrics: MetricsSettings) -> str | None:
    """None when the role answers ready, else why not (one line)."""
    if not metrics.enabled:
        return (
            "metrics.enabled is false, so the role serves no /readyz "
            "(set WIREWATCH_METRICS__ENABLED=true)"
        )
    if metrics.port == 0:
        return "metrics.port is 0 (any free port): give the role a fixed port to check"
    url = readiness_url(metrics)
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_S):  # noqa: S310 (always http)
            return None
    except urllib.error.HTTPError as e:
        return f"{url} answered {e.code}: {_reasons(e.read())}"
    except (urllib.error.URLError, OSError) as e:
        reason = getattr(e, "reason", e)
        return f"nothing answers at {url} ({reason}): is the role running, on that port?"


def main() -> int:
    try:
        problem = check(load_settings().settings.metrics)
    except WirewatchError as e:
        problem = f"the settings do not load: {e}"
    print("ready" if problem is None else f"not ready: {problem}")
    return 0 if problem is None else 1


if __name__ == "__main__":
    sys.exit(main())
