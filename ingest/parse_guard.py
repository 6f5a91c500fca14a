"""Parsing under the product's safety limits: a CPU deadline and a memory cap.

Feed bytes are hostile input. DOCTYPEs are already cut out before any XML parser
sees them, but a parser is still a large attack surface, so parsing runs in
worker processes that enforce `parse.deadline` (CPU seconds, via a virtual-time
alarm) and `parse.memory_mb` (an address-space limit above what the worker
needs at rest). A feed that breaks a limit fails alone, with a clear reason;
the worker that hit it is replaced. Workers also put parsing on every core,
off the event loop.

A large legitimate feed is not such a feed: one with more items than
`limits.items_per_feed` is read incrementally and cut to its newest items
(`parse/trim.py`), which keeps it well inside both limits.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import resource
import signal
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ingest.parse import ParsedFeed, parse_feed
from wirewatch.core.models import Feed
from wirewatch.core.settings import LimitsSettings
from wirewatch.core.workers import exit_with_parent

_deadline = 1.0


class ParseLimitExceeded(Exception):
    """The feed needed more CPU time or memory than the limits allow."""


@dataclass(frozen=True)
class _Failed:
    reason: str


def _on_alarm(signum: int, frame: Any) -> None:
    raise ParseLimitExceeded("deadline")


def _init_worker(memory_mb: int, deadline: float) -> None:
    global _deadline
    exit_with_parent()
    _deadline = deadline
    # Warm up imports before the cap, so the cap measures a parse, not the interpreter.
    parse_feed(
        b"<rss version='2.0'><channel/></rss>",
        feed=Feed(id="w", url="https://warm.example/", added_at=datetime.now().astimezone()),
        fetched_at=datetime.now().astimezone(),
    )
    with open(f"/proc/{os.getpid()}/statm") as fh:
        used = int(fh.read().split()[0]) * resource.getpagesize()
    cap = used + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    signal.signal(signal.SIGVTALRM, _on_alarm)


def _parse_limited(body: bytes, kwargs: dict[str, Any]) -> ParsedFeed | _Failed:
    signal.setitimer(signal.ITIMER_VIRTUAL, _deadline)
    try:
        return parse_feed(body, **kwargs)
    except ParseLimitExceeded:
        return _Failed(f"parsing took more than {_deadline:g} s of CPU (parse.deadline)")
    except MemoryError:
        return _Failed("parsing needed more memory than parse.memory_mb allows")
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)


class GuardedParser:
    """`await parser(body, feed=…, fetched_at=…, …)`: a ParsedFeed, or ParseLimitExceeded."""

    def __init__(
        self,
        *,
        memory_mb: int,
        deadline: float,
        limits: LimitsSettings | None = None,
        workers: int | None = None,
    ) -> None:
        self.memory_mb = memory_mb
        self.deadline = deadline
        self.limits = limits or LimitsSettings()
        self.workers = workers or max(1, min(4, os.cpu_count() or 1))
        self._pool: ProcessPoolExecutor | None = None

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init_worker,
                initargs=(self.memory_mb, self.deadline),
            )
        return self._pool

    async def __call__(self, body: bytes, **kwargs: Any) -> ParsedFeed:
        loop = asyncio.get_running_loop()
        kwargs = {"limits": self.limits, **kwargs}
        try:
            result = await loop.run_in_executor(self._executor(), _parse_limited, body, kwargs)
        except BrokenProcessPool:
            # A worker died (e.g. killed by the memory limit outside Python's allocator).
            self.close()
            raise ParseLimitExceeded(
                "the parser process died (parse.memory_mb exceeded?)"
            ) from None
        if isinstance(result, _Failed):
            raise ParseLimitExceeded(result.reason)
        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    async def aclose(self) -> None:
        self.close()
