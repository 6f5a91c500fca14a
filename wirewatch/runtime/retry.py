"""Retrying a stage's call with bounded backoff, so a passing failure costs a pause, not a run."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from wirewatch.runtime.aio import wait_event

log = logging.getLogger("wirewatch.runtime")

T = TypeVar("T")


async def retry(
    call: Callable[[], Awaitable[T]],
    *,
    delays: Sequence[float],
    stop: asyncio.Event,
    what: str,
) -> T:
    """Await `call()`; after a failure wait the next delay and call again, once per delay.

    Each failure is logged. The last failure is raised, and so is a failure once `stop` is
    set: a stopping runtime does not wait out the backoff.
    """
    for attempt, delay in enumerate(delays, start=1):
        try:
            return await call()
        except Exception as e:
            if stop.is_set():
                raise
            log.warning("%s failed (attempt %d): %r; retrying in %.0f s", what, attempt, e, delay)
            await wait_event(stop, delay)
    return await call()
