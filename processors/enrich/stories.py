"""Story clustering: syndicated copies and close rewrites share a story id.

MinHash signatures over word 3-shingles of title + text, indexed with LSH
(datasketch) to find candidates; a candidate joins only if its estimated Jaccard
similarity passes the threshold, so boilerplate-sharing different stories stay
apart; an identical headline joins at a lower text overlap. A story's id is derived
from its first article's id, so a restart that restores the records and
re-enriches the same input gives the same ids. Records
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
from wirewatch.core.records import StoryRecord

NUM_PERM = 128
# Named, not defaulted: datasketch changed its default scheme in 2.0, and signatures
# restored from storage must be compared with ones made the same way.
HASH_SCHEME = "affine32"
SHINGLE = 3
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


def story_id_for(article_id: str) -> str:
    return "s" + article_id[:23]


def shingles(article: Article) -> set[bytes]:
    tokens = words(f"{article.title}\n{article.text or article.summary}")
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    windows = zip(*(tokens[i:] for i in range(SHINGLE)), strict=False)
    return {" ".join(w).encode() for w in windows}


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
        self._titles: dict[str, str] = {}  # folded headline → article id
        # Every signature uses the same seeded permutations: made once, not per article.
        self._permutations = MinHash(num_perm=num_perm, scheme=HASH_SCHEME).permutations

    def __len__(self) -> int:
        return len(self._entries)

    def _minhash(self, values: np.ndarray | None = None, sh: set[bytes] | None = None) -> MinHash:
        if values is not None:
            return MinHash(hashvalues=values, permutations=self._permutations, scheme=HASH_SCHEME)
        m = MinHash(num_perm=self.num_perm, permutations=self._permutations, scheme=HASH_SCHEME)
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
        title_key = " ".join(words(article.title))
        if article.id in self._entries:  # re-enrichment of the same article keeps its story
            best = (1.0, self._entries[article.id][1])
        elif len(sh) >= MIN_SHINGLES:
            for key in self._lsh.query(m):
                other, story, _ = self._entries[key]
                sim = m.jaccard(other)
                if sim >= self.threshold and (best is None or sim > best[0]):
                    best = (sim, story)
        if best is None and title_key and title_key in self._titles:
            same = self._entries.get(self._titles[title_key])
            if same is not None and m.jaccard(same[0]) >= SAME_TITLE_MIN_JACCARD:
                best = (m.jaccard(same[0]), same[1])
        story_id = best[1] if best else story_id_for(article.id)
        self._insert(article.id, m, story_id, article.published_at)
        if title_key:
            self._titles.setdefault(title_key, article.id)
        record = StoryRecord(
            article.id,
            story_id,
            article.published_at,
            m.hashvalues.astype(np.uint64).tobytes() + title_key.encode("utf-8"),
        )
        return StoryAssignment(story_id, record, joined=best is not None)

    def restore(self, records: Iterable[StoryRecord]) -> None:
        size = self.num_perm * 8
        for r in records:
            if len(r.payload) < size:
                continue  # written by a different configuration: skip, it expires anyway
            values = np.frombuffer(r.payload[:size], dtype=np.uint64)
            self._insert(
                r.article_id, self._minhash(values=values.copy()), r.story_id, r.published_at
            )
            title_key = r.payload[size:].decode("utf-8", "replace")
            if title_key:
                self._titles.setdefault(title_key, r.article_id)

    def expire(self, now: datetime) -> int:
        """Forget articles published before the window; returns how many."""
        cutoff = now - self.window
        old = [k for k, (_, _, when) in self._entries.items() if when < cutoff]
        for k in old:
            self._lsh.remove(k)
            del self._entries[k]
        if old:
            self._titles = {t: a for t, a in self._titles.items() if a in self._entries}
        return len(old)
