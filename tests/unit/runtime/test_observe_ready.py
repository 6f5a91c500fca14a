"""The image's health check asks the role beside it, and says why it is not ready."""

from __future__ import annotations

import asyncio
import socket

from wirewatch.core.settings import MetricsSettings
from wirewatch.runtime.observe.ready import check
from wirewatch.runtime.observe.server import Check, metrics_for, serving


async def _check_against(checks: dict[str, Check]) -> str | None:
    served = MetricsSettings(enabled=True, port=0)
    async with serving(served, metrics_for(served), checks) as port:
        assert port
        # the role listens on every address in a container; the check asks loopback
        asked = MetricsSettings(enabled=True, host="0.0.0.0", port=port)
        return await asyncio.to_thread(check, asked)


async def test_a_ready_role_passes() -> None:
    assert await _check_against({"kafka": lambda: None, "engine": lambda: None}) is None


async def test_a_role_that_is_not_ready_fails_with_the_reasons_of_its_failing_checks() -> None:
    problem = await _check_against(
        {"kafka": lambda: None, "engine": lambda: "cannot reach opensearch at http://es:9200"}
    )
    assert problem is not None
    assert "answered 503: engine: cannot reach opensearch at http://es:9200" in problem
    assert "kafka" not in problem


def test_nothing_listening_fails_naming_the_address() -> None:
    with socket.socket() as s:  # a port nothing listens on once closed
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    problem = check(MetricsSettings(enabled=True, port=port))
    assert problem is not None and f"nothing answers at http://127.0.0.1:{port}/readyz" in problem


def test_metrics_off_means_nothing_to_ask_and_says_how_to_turn_them_on() -> None:
    problem = check(MetricsSettings(enabled=False))
    assert problem is not None and "WIREWATCH_METRICS__ENABLED=true" in problem
