"""Story resolution: syndicated copies and close rewrites share a story id.

The stateful half of story assignment; `processors.enrich.story_signature` makes the
candidates it resolves. Both runtimes run this same code: the embedded enricher calls it
in-process, and in the distributed mode one resolver consumes every worker's candidates
(docs/distributed.md, "Stories across partitions": why one owner, and why the result is
the embedded one).

Candidates are indexed with MinHash LSH (datasketch); a candidate joins only if its
estimated Jaccard similarity passes the threshold, so boilerplate-sharing different
stories stay apart; an identical headline joins at a lower text overlap. Among several
stories close enough, the most similar earlier article wins, then the earliest
published, then the smallest article id: the choice never depends on the order a set
iterates in, which differs between processes. A story's id is derived from its first
article's id, so a restart that restores the records and re-resolves the same input gives
the same ids. Records older than the window are expired, which bounds memory.
`StoryIndex` never touches storage: the runtime persists the `StoryRecord`s it returns
(SQLite in the embedded mode, a changelog in the distributed one) and restores them.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from processors.enrich.story_signature import (
    HASH_SCHEME,
    NUM_PERM,
    SEED,
    SHINGLE,
    StoryCandidate,
)
from wirewatch.core.records import StoryRecord

THRESHOLD = 0.4
MIN_SHINGLES = 8  # fewer than this (a bare headline) can only join on an exact match
# Same headline: a copy with boilerplate around a short text can fall under THRESHOLD;
# an identical headline joins when the texts still overlap this much (generic headlines
# such as "Live updates" with different texts stay apart).
SAME_TITLE_MIN_JACCARD = 0.15


@dataclass(frozen=True)
class StoryAssignment:
    story_id: str
    record: StoryRecord
    joined: bool


@dataclass(frozen=True)
class _Entry:
    minhash: LeanMinHash
    story_id: str
    published_at: datetime


def story_id_for(article_id: str) -> str:
    return "s" + article_id[:23]


class StoryIndex:
    """The story window's state and the rule that resolves a candidate against it."""

    def __init__(
        self, window: timedelta, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM
    ) -> None:
        self.window = window
        self.threshold = threshold
        self.num_perm = num_perm
        self.method = f"minhash-lsh shingle={SHINGLE} perm={num_perm} threshold={threshold}"
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._titles: dict[str, str] = {}  # folded headline → article id

    def __len__(self) -> int:
        return len(self._entries)

    def _insert(self, article_id: str, entry: _Entry) -> None:
        if article_id in self._entries:
            self._lsh.remove(article_id)
        self._lsh.insert(article_id, entry.minhash)
        self._entries[article_id] = entry

    def _most_similar(self, m: LeanMinHash) -> tuple[float, str] | None:
        """(similarity, story) of the best earlier article at or above the threshold."""
        best: tuple[tuple[float, datetime, str], str] | None = None
        for key in self._lsh.query(m):
            other = self._entries[key]
            rank = (-m.jaccard(other.minhash), other.published_at, key)
            if -rank[0] >= self.threshold and (best is None or rank < best[0]):
                best = (rank, other.story_id)
        return (-best[0][0], best[1]) if best else None

    def resolve(self, candidate: StoryCandidate) -> StoryAssignment:
        """The story of this article (joining the most similar earlier one, if close enough)."""
        m = _minhash(candidate.signature)
        best: tuple[float, str] | None = None
        title_key = candidate.title_key
        if candidate.article_id in self._entries:  # a re-delivered article keeps its story
            best = (1.0, self._entries[candidate.article_id].story_id)
        elif candidate.shingle_count >= MIN_SHINGLES:
            best = self._most_similar(m)
        if best is None and title_key and title_key in self._titles:
            same = self._entries.get(self._titles[title_key])
            if same is not None and m.jaccard(same.minhash) >= SAME_TITLE_MIN_JACCARD:
                best = (m.jaccard(same.minhash), same.story_id)
        story_id = best[1] if best else story_id_for(candidate.article_id)
        self._insert(candidate.article_id, _Entry(m, story_id, candidate.published_at))
        if title_key:
            self._titles.setdefault(title_key, candidate.article_id)
        record = StoryRecord(
            candidate.article_id,
            story_id,
            candidate.published_at,
            candidate.signature + title_key.encode("utf-8"),
        )
        return StoryAssignment(story_id, record, joined=best is not None)

    def restore(self, records: Iterable[StoryRecord]) -> None:
        """Rebuild the state from the records `resolve` returned, in the order it returned them."""
        size = self.num_perm * 8
        for r in records:
            if len(r.payload) < size:
                continue  # written by a different configuration: skip, it expires anyway
            self._insert(
                r.article_id, _Entry(_minhash(r.payload[:size]), r.story_id, r.published_at)
            )
            title_key = r.payload[size:].decode("utf-8", "replace")
            if title_key:
                self._titles.setdefault(title_key, r.article_id)

    def expire(self, now: datetime) -> int:
        """Forget articles published before the window; returns how many."""
        cutoff = now - self.window
        old = [k for k, e in self._entries.items() if e.published_at < cutoff]
        for k in old:
            self._lsh.remove(k)
            del self._entries[k]
        if old:
            self._titles = {t: a for t, a in self._titles.items() if a in self._entries}
        return len(old)


def _minhash(signature: bytes) -> LeanMinHash:
    values = np.frombuffer(signature, dtype=np.uint64)
    return LeanMinHash(seed=SEED, hashvalues=values, scheme=HASH_SCHEME)
