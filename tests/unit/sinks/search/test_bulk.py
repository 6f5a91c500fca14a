"""The bulk sink loses nothing: it bounds batches, waits out outages and dead-letters refusals.

The engine here is a small in-memory one behind the `Transport` seam: it stores
documents by index and id as the real ones do, and can be told to be down, to
answer 429/503, or to refuse some documents.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import pytest

from sinks.search.bulk import Backoff, BulkSink, IndexOp
from sinks.search.transport import EngineRefused, EngineUnavailable, Reply
from wirewatch.core.ports import IndexStopped


@dataclass
class MemoryEngine:
    docs: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    requests: list[int] = field(default_factory=list)  # documents per bulk request
    script: list[str] = field(default_factory=list)  # "down", "429", "503", "401" per request
    refuse: set[str] = field(default_factory=set)  # ids refused with a mapping error
    busy_items: dict[str, int] = field(default_factory=dict)  # id -> item 429s still to give

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        assert (method, path) == ("POST", "/_bulk")
        lines = body.splitlines()
        self.requests.append(len(lines) // 2)
        if self.script:
            fault = self.script.pop(0)
            if fault == "down":
                raise EngineUnavailable("connection refused")
            return Reply(int(fault), {"error": {"type": "fault", "reason": fault}})
        items = []
        for action, source in zip(lines[::2], lines[1::2], strict=True):
            meta = json.loads(action)["index"]
            doc_id = meta["_id"]
            if doc_id in self.refuse:
                error = {"type": "mapper_parsing_exception", "reason": "failed to parse [when]"}
                items.append({"index": {"_id": doc_id, "status": 400, "error": error}})
            elif self.busy_items.get(doc_id, 0) > 0:
                self.busy_items[doc_id] -= 1
                error = {"type": "es_rejected_execution_exception", "reason": "queue full"}
                items.append({"index": {"_id": doc_id, "status": 429, "error": error}})
            else:
                self.docs[(meta["_index"], doc_id)] = json.loads(source)
                items.append({"index": {"_id": doc_id, "status": 201}})
        return Reply(200, {"errors": False, "items": items})


@dataclass
class Harness:
    engine: MemoryEngine = field(default_factory=MemoryEngine)
    dead: list[tuple[str, str]] = field(default_factory=list)
    slept: list[float] = field(default_factory=list)
    now: float = 0.0

    def sink(self, **kw: Any) -> BulkSink:
        return BulkSink(
            self.engine,
            lambda op, reason: self.dead.append((op.doc_id, reason)),
            clock=lambda: self.now,
            sleep=self.slept.append,
            **kw,
        )


def op(i: int, size: int = 10) -> IndexOp:
    return IndexOp("news-articles-2026.03", f"a{i}", {"title": "x" * size})


def test_batches_are_bounded_by_count():
    h = Harness()
    sink = h.sink(max_docs=3)
    for i in range(7):
        sink.add(op(i))
    sink.flush()
    assert h.engine.requests == [3, 3, 1]
    assert len(h.engine.docs) == 7


def test_batches_are_bounded_by_bytes_and_a_big_document_still_goes_alone():
    h = Harness()
    line = len(op(0, 100).encode().encode())
    sink = h.sink(max_bytes=2 * line + 1)
    for i in range(5):
        sink.add(op(i, 100))
    sink.add(op(9, 10 * line))
    sink.flush()
    assert h.engine.requests == [2, 2, 1, 1]
    assert len(h.engine.docs) == 6


def test_a_partial_batch_is_flushed_once_its_oldest_document_waited_long_enough():
    h = Harness()
    sink = h.sink(flush_after=2.0)
    sink.add(op(1))
    h.now = 1.9
    assert sink.flush_if_due().indexed == 0
    h.now = 2.0
    assert sink.flush_if_due().indexed == 1
    assert sink.queued == 0


def test_an_outage_and_overload_are_waited_out_with_growing_backoff_and_nothing_is_lost():
    h = Harness()
    h.engine.script = ["down", "down", "503", "429", "down"]
    sink = h.sink(backoff=Backoff(first=1, factor=2, cap=5))
    for i in range(4):
        sink.add(op(i))
    result = sink.flush()
    assert (result.indexed, result.dead, result.retries) == (4, 0, 5)
    assert h.slept == [1, 2, 4, 5, 5]
    assert len(h.engine.docs) == 4


def test_items_the_engine_is_too_busy_for_are_sent_again_alone():
    h = Harness()
    h.engine.busy_items = {"a2": 2}
    sink = h.sink()
    for i in range(4):
        sink.add(op(i))
    result = sink.flush()
    assert result.indexed == 4
    assert h.engine.requests == [4, 1, 1]


def test_a_refused_document_is_dead_lettered_with_the_reason_and_the_rest_are_indexed():
    h = Harness()
    h.engine.refuse = {"a1"}
    sink = h.sink()
    for i in range(3):
        sink.add(op(i))
    result = sink.flush()
    assert (result.indexed, result.dead) == (2, 1)
    assert h.dead == [("a1", "mapper_parsing_exception: failed to parse [when]")]
    assert {doc_id for _, doc_id in h.engine.docs} == {"a0", "a2"}


def test_a_replay_replaces_documents_instead_of_duplicating_them():
    h = Harness()
    sink = h.sink()
    for _ in range(2):
        for i in range(3):
            sink.add(op(i))
        sink.flush()
    assert len(h.engine.docs) == 3


def test_bad_credentials_stop_the_sink_with_a_reason_instead_of_retrying_forever():
    h = Harness()
    h.engine.script = ["401"]
    sink = h.sink()
    sink.add(op(1))
    with pytest.raises(EngineRefused, match=r"refused the credentials \(HTTP 401\).*`search:`"):
        sink.flush()
    assert h.slept == []


def test_a_stopped_sink_gives_up_on_an_engine_that_is_down_instead_of_waiting():
    h = Harness()
    stop = threading.Event()
    sink = h.sink(stop=stop)
    h.engine.script = ["down", "down"]
    stop.set()
    with pytest.raises(IndexStopped, match="2 documents not indexed"):
        sink.add(op(1))
        sink.add(op(2))
        sink.flush()
    assert h.engine.docs == {} and h.engine.requests == [2]  # one try, no second round
    assert sink.queued == 0  # nothing stale goes out with a later batch
    sink.add(op(3))
    h.engine.script = []
    assert sink.flush().indexed == 1  # an engine that answers still takes batches


def test_stopping_cuts_a_backoff_short():
    stop = threading.Event()
    engine = MemoryEngine(script=["down"] * 3)
    sink = BulkSink(engine, lambda op, reason: None, backoff=Backoff(first=60.0), stop=stop)
    sink.add(op(1))
    threading.Timer(0.2, stop.set).start()
    with pytest.raises(IndexStopped):
        sink.flush()  # would sleep a minute without the stop
    assert len(engine.requests) == 1
