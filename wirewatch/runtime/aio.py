"""Small asyncio helpers shared by the runtimes."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Sequence
from typing import Protocol, runtime_checkable


@runtime_checkable
class Closable(Protocol):
    """A part a runtime owns and closes when it stops: a network client, worker processes.

    Checkable at run time because some parts are plain functions (a test's parser, say)
    that hold nothing to close.
    """

    async def aclose(self) -> None: ...


async def close_all(parts: Sequence[object]) -> None:
    """Close, in order, those of `parts` that hold something to close."""
    for part in parts:
        if isinstance(part, Closable):
            await part.aclose()


async def wait_event(event: asyncio.Event, timeout: float) -> None:
    """Wait for `event` at most `timeout` seconds.

    Not `asyncio.wait_for`: on Python 3.11 it can swallow a cancellation that
    arrives as the event fires, which left a stopping runtime waiting forever.
    """
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(timeout):
            await event.wait()
