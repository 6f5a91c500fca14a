"""The HTTP endpoint of a role: `/metrics`, `/healthz` and `/readyz` on one port.

It runs on the role's own event loop, so `/healthz` answering *is* the liveness check: a
loop blocked by a stuck stage leaves it unanswered and the orchestrator restarts the
process. `/readyz` asks the role's checks, each a cheap function that returns None
when its part can work or the reason it cannot; the JSON body lists every check.
The server speaks just enough HTTP/1.1 for a scraper and a health probe: GET, one
request per connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass

from wirewatch.core.errors import WirewatchError
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.settings import MetricsSettings
from wirewatch.runtime.observe.prom import CONTENT_TYPE, PrometheusMetrics

log = logging.getLogger("wirewatch.observe")

Check = Callable[[], str | None]
READ_TIMEOUT_S = 5.0
MAX_REQUEST_BYTES = 8192


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: bytes


_REASONS = {200: "OK", 404: "Not Found", 405: "Method Not Allowed", 503: "Service Unavailable"}


def respond(
    method: str, path: str, metrics: PrometheusMetrics, checks: Mapping[str, Check]
) -> Reply:
    """The reply to one request (no I/O: the tests call it directly too)."""
    path = path.split("?", 1)[0]
    if method not in ("GET", "HEAD"):
        return _json(405, {"error": f"{method} is not served; use GET"})
    if path == "/metrics":
        return Reply(200, CONTENT_TYPE, metrics.exposition())
    if path == "/healthz":
        return _json(200, {"status": "alive"})
    if path == "/readyz":
        reasons = {name: _ask(check) for name, check in checks.items()}
        ready = all(r is None for r in reasons.values())
        body = {"ready": ready, "checks": {n: r or "ok" for n, r in reasons.items()}}
        return _json(200 if ready else 503, body)
    return _json(404, {"error": f"no {path}; try /metrics, /healthz or /readyz"})


def _ask(check: Check) -> str | None:
    try:
        return check()
    except Exception as e:  # a broken check says so instead of failing the probe's server
        return f"the check failed: {e!r}"


def _json(status: int, body: object) -> Reply:
    return Reply(status, "application/json", json.dumps(body).encode())


def metrics_for(settings: MetricsSettings) -> Metrics:
    """A role's metrics: Prometheus when enabled, else the no-op recorder."""
    return PrometheusMetrics() if settings.enabled else NO_METRICS


@contextlib.asynccontextmanager
async def serving(
    settings: MetricsSettings, metrics: Metrics, checks: Mapping[str, Check]
) -> AsyncIterator[int | None]:
    """Serve while the block runs, if enabled; yields the port (the one given for port 0)."""
    if not isinstance(metrics, PrometheusMetrics):
        yield None
        return

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT_S)
            method, path, *_ = head[:MAX_REQUEST_BYTES].decode("latin-1").split(" ", 2)
            reply = respond(method, path, metrics, checks)
            body = b"" if method == "HEAD" else reply.body
            writer.write(
                f"HTTP/1.1 {reply.status} {_REASONS[reply.status]}\r\n"
                f"Content-Type: {reply.content_type}\r\n"
                f"Content-Length: {len(reply.body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            await writer.drain()
        except (
            TimeoutError,
            ValueError,
            asyncio.IncompleteReadError,
            asyncio.LimitOverrunError,
            ConnectionError,
        ):
            pass  # a probe that hung up or sent no request: nothing to answer
        finally:
            writer.close()

    try:
        server = await asyncio.start_server(
            handle, settings.host, settings.port, limit=MAX_REQUEST_BYTES
        )
    except OSError as e:
        raise WirewatchError(
            f"cannot serve metrics on {settings.host}:{settings.port}: {e.strerror or e}",
            hint="set metrics.port to a free port (or metrics.enabled: false)",
        ) from e
    port = server.sockets[0].getsockname()[1]
    log.info("metrics and health on http://%s:%d/metrics (/healthz, /readyz)", settings.host, port)
    try:
        yield port
    finally:
        server.close()
        await server.wait_closed()
