"""Story clustering: syndicated copies and close rewrites share a story id.

MinHash signatures over word 3-shingles of title + text, indexed with LSH
(datasketch) to find candidates; a candidate joins only if its estimated Jaccard
similarity passes the threshold, so boilerplate-sharing different stories stay
apart. A story's id is derived from its first article's id, so a restart that
restores the records and re-enriches the same input gives the same ids. Records
older than the window are expired, which bounds memory. `StoryIndex` never
touches storage: the runtime persists `StoryRecord`s (SQLite now, a faust Table
in the distributed mode).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from datasketch import MinHash, MinHashLSH

from wirewatch.core.models import Article, Entity
from wirewatch.core.query.text import words

NUM_PERM = 128
SHINGLE = 3
THRESHOLD = 0.4
MIN_SHINGLES = 8  # fewer than this (a bare headline) can only join on an exact match


@dataclass(frozen=True)
class StoryRecord:
    article_id: str
    story_id: str
    published_at: datetime
    payload: bytes  # the MinHash hash values, uint64


@dataclass(frozen=True)
class StoryAssignment:
    story_id: str
    record: StoryRecord
    joined: bool


def story_id_for(article_id: str) -> str:
    return "s" + article_id[:23]


def shingles(article: Article) -> set[bytes]:
    tokens = words(f"{article.title}\n{article.text or article.summary}")
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + SHINGLE]).encode() for i in range(len(tokens) - SHINGLE + 1)}


class StoryIndex:
    def __init__(
        self, window: timedelta, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM
    ) -> None:
        self.window = window
        self.threshold = threshold
        self.num_perm = num_perm
        self.method = f"minhash-lsh shingle={SHINGLE} perm={num_perm} threshold={threshold}"
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._entries: OrderedDict[str, tuple[MinHash, str, datetime]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def _minhash(self, values: np.ndarray | None = None, sh: set[bytes] | None = None) -> MinHash:
        if values is not None:
            return MinHash(num_perm=self.num_perm, hashvalues=values)
        m = MinHash(num_perm=self.num_perm)
        m.update_batch(list(sh or ()))
        return m

    def _insert(self, article_id: str, m: MinHash, story_id: str, when: datetime) -> None:
        if article_id in self._entries:
            self._lsh.remove(article_id)
        self._lsh.insert(article_id, m)
        self._entries[article_id] = (m, story_id, when)

    def assign(self, article: Article, entities: Sequence[Entity] = ()) -> StoryAssignment:
        """The story of this article (joining the most similar earlier one, if close enough)."""
        sh = shingles(article)
        m = self._minhash(sh=sh)
        best: tuple[float, str] | None = None
        if article.id in self._entries:  # re-enrichment of the same article keeps its story
            best = (1.0, self._entries[article.id][1])
        elif len(sh) >= MIN_SHINGLES:
            for key in self._lsh.query(m):
                other, story, _ = self._entries[key]
                sim = m.jaccard(other)
                if sim >= self.threshold and (best is None or sim > best[0]):
                    best = (sim, story)
        story_id = best[1] if best else story_id_for(article.id)
        self._insert(article.id, m, story_id, article.published_at)
        record = StoryRecord(
            article.id, story_id, article.published_at, m.hashvalues.astype(np.uint64).tobytes()
        )
        return StoryAssignment(story_id, record, joined=best is not None)

    def restore(self, records: Iterable[StoryRecord]) -> None:
        for r in records:
            values = np.frombuffer(r.payload, dtype=np.uint64)
            if len(values) != self.num_perm:
                continue  # written by a different configuration: skip, it expires anyway
            self._insert(
                r.article_id, self._minhash(values=values.copy()), r.story_id, r.published_at
            )

    def expire(self, now: datetime) -> int:
        """Forget articles published before the window; returns how many."""
        cutoff = now - self.window
        old = [k for k, (_, _, when) in self._entries.items() if when < cutoff]
        for k in old:
            self._lsh.remove(k)
            del self._entries[k]
        return len(old)
