"""A readiness check that asks something slow — a broker, a search engine — in the
background, so `/readyz` answers at once from the last answer.

A check of `/readyz` runs on the role's event loop and must not wait on the network:
a probe asks in a worker thread every `every` seconds while the endpoint is served
(`serving` runs the probes it is given), and the check returns what it last heard.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

PROBE_EVERY_S = 5.0


class Probe:
    """Call it as a check: None when `ask` last answered None, else the reason it gave."""

    def __init__(self, ask: Callable[[], str | None], every: float = PROBE_EVERY_S) -> None:
        self.ask, self.every = ask, every
        self.reason: str | None = "not checked yet"

    def __call__(self) -> str | None:
        return self.reason

    async def run(self) -> None:
        """Ask now and every `every` seconds, until cancelled."""
        while True:
            try:
                self.reason = await asyncio.to_thread(self.ask)
            except Exception as e:  # a broken probe says so instead of ending the loop
                self.reason = f"the check failed: {e!r}"
            await asyncio.sleep(self.every)
