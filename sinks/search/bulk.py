"""The bulk sink: batches of index operations that are retried until the engine takes them.

The clients' bulk helpers retry nothing by default and report per-item failures
after the fact; this sink owns that policy instead, engine-agnostic over a
`Transport`:
- a batch is bounded by a document count and by its encoded size, and is also
  flushed when its oldest operation has waited `flush_after` seconds;
- a connection error, a 429 or a 5xx (for the request or for single items) waits
  with capped exponential backoff and sends again what is left — for as long as
  it takes, so an engine outage stalls the sink instead of losing documents;
- an item the engine refuses for good (a mapping conflict, say) goes to the
  dead letter with the engine's reason, and the rest of the batch is indexed;
- every operation is an `index` with an explicit `_id`, so a replay overwrites
  and never duplicates.
A request refused as a whole for a reason that retrying cannot fix (bad
credentials, a malformed body) raises `EngineRefused`, naming the status and reason.
Waiting has one way out: once `stop` is set (a runtime shutting down), a batch that
fails again raises `IndexStopped` instead of waiting; it was not indexed, and the
caller keeps it (the embedded runtime's outbox) for the next run.
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sinks.search.transport import (
    EngineRefused,
    EngineUnavailable,
    Reply,
    Transport,
    error_reason,
)
from wirewatch.core.ports import IndexStopped

log = logging.getLogger("sinks.search.bulk")


@dataclass(frozen=True)
class IndexOp:
    """Put `source` at `index`/`doc_id`, replacing what was there."""

    index: str
    doc_id: str
    source: dict[str, Any]

    def encode(self) -> str:
        action = json.dumps({"index": {"_index": self.index, "_id": self.doc_id}})
        return action + "\n" + json.dumps(self.source, ensure_ascii=False) + "\n"


DeadLetter = Callable[[IndexOp, str], None]


@dataclass(frozen=True)
class Backoff:
    """Capped exponential waits: first, first*factor, ... up to `cap` seconds."""

    first: float = 0.5
    factor: float = 2.0
    cap: float = 30.0

    def delay(self, attempt: int) -> float:
        return min(self.cap, self.first * self.factor**attempt)


@dataclass
class FlushResult:
    """What one flush did: documents indexed, documents dead-lettered, waits taken."""

    indexed: int = 0
    dead: int = 0
    retries: int = 0


@dataclass
class _Pending:
    ops: list[tuple[IndexOp, str]] = field(default_factory=list)
    size: int = 0
    since: float | None = None


class BulkSink:
    """Collects index operations and writes them in bounded, retried bulk requests.

    `clock` and `sleep` are injected so tests run the retry policy without waiting;
    `sleep` defaults to waiting on `stop`, so setting it cuts a backoff short.
    """

    def __init__(
        self,
        transport: Transport,
        dead_letter: DeadLetter,
        *,
        max_docs: int = 500,
        max_bytes: int = 5 * 1024 * 1024,
        flush_after: float = 1.0,
        backoff: Backoff | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], object] | None = None,
        stop: threading.Event | None = None,
    ) -> None:
        if max_docs < 1 or max_bytes < 1:
            raise ValueError("max_docs and max_bytes must be at least 1")
        self._transport = transport
        self._dead_letter = dead_letter
        self._max_docs = max_docs
        self._max_bytes = max_bytes
        self._flush_after = flush_after
        self._backoff = backoff or Backoff()
        self._clock = clock
        self._stop = stop or threading.Event()
        self._sleep = sleep or self._stop.wait
        self._pending = _Pending()

    def add(self, op: IndexOp) -> FlushResult:
        """Queue one operation; flush first if it would overflow the batch, after if full."""
        line = op.encode()
        size = len(line.encode())
        result = FlushResult()
        if self._pending.ops and self._pending.size + size > self._max_bytes:
            result = self.flush()
        if self._pending.since is None:
            self._pending.since = self._clock()
        self._pending.ops.append((op, line))
        self._pending.size += size
        if len(self._pending.ops) >= self._max_docs or self._pending.size >= self._max_bytes:
            return _sum(result, self.flush())
        return result

    def flush_if_due(self) -> FlushResult:
        """Flush when the oldest queued operation has waited `flush_after` seconds."""
        since = self._pending.since
        if since is not None and self._clock() - since >= self._flush_after:
            return self.flush()
        return FlushResult()

    def flush(self) -> FlushResult:
        """Write everything queued; returns only when each item is indexed or dead-lettered."""
        batch, self._pending = self._pending.ops, _Pending()
        return self._write(batch)

    def _write(self, batch: list[tuple[IndexOp, str]]) -> FlushResult:
        result = FlushResult()
        attempt = 0
        while batch:
            reply = self._send(batch)
            if reply is not None and reply.ok:
                batch = self._settle(batch, reply, result)
            elif reply is not None and not reply.retryable:
                raise EngineRefused("bulk request", reply)
            if batch:
                if attempt == 0 and not self._stop.is_set():
                    log.warning(
                        "the search engine did not take %d documents (%s); retrying until it does",
                        len(batch),
                        "unreachable" if reply is None else f"HTTP {reply.status}",
                    )
                self._sleep(self._backoff.delay(attempt))
                if self._stop.is_set():
                    raise IndexStopped(f"{len(batch)} documents not indexed: stopped waiting")
                attempt += 1
                result.retries += 1
        return result

    def _send(self, batch: list[tuple[IndexOp, str]]) -> Reply | None:
        try:
            return self._transport.request("POST", "/_bulk", "".join(line for _, line in batch))
        except EngineUnavailable:
            return None

    def _settle(
        self, batch: list[tuple[IndexOp, str]], reply: Reply, result: FlushResult
    ) -> list[tuple[IndexOp, str]]:
        """Count what went in, dead-letter what was refused; return what to send again."""
        items = reply.body.get("items", []) if isinstance(reply.body, dict) else []
        if len(items) != len(batch):
            return batch  # an answer that does not account for every item: send it again
        again = []
        for (op, line), item in zip(batch, items, strict=True):
            outcome = next(iter(item.values()))
            status = int(outcome.get("status", 500))
            if 200 <= status < 300:
                result.indexed += 1
            elif Reply(status, None).retryable:
                again.append((op, line))
            else:
                self._dead_letter(op, error_reason(outcome))
                result.dead += 1
        return again

    @property
    def queued(self) -> int:
        return len(self._pending.ops)


def _sum(a: FlushResult, b: FlushResult) -> FlushResult:
    return FlushResult(a.indexed + b.indexed, a.dead + b.dead, a.retries + b.retries)
