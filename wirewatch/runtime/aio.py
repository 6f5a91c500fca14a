"""Small asyncio helpers shared by the runtimes."""

from __future__ import annotations

import asyncio
import contextlib


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait for `event` at most `timeout` seconds.

    Not `asyncio.wait_for`: on Python 3.11 it can swallow a cancellation that
    arrives as the event fires, which left a stopping runtime waiting forever.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()
