"""Story signatures: the per-article half of story assignment, which any worker runs.

Story assignment is two stages (docs/distributed.md, "Stories across partitions"):
this one turns an article into a `StoryCandidate` (its folded headline and the MinHash
signature of its word 3-shingles), the other (`processors.enrich.stories`) resolves
candidates into story ids against the state of the story window. Signing is the costly,
stateless part, so every enrich worker does it for its own partitions; the candidate is
small (about 1 KB however long the article) and is all the resolver needs.

Candidates are comparable across processes: the permutations come from a fixed seed and
shingles are hashed with SHA-1 (datasketch's default), never with Python's per-process
`hash()`.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import datetime

import numpy as np
from datasketch import MinHash

from wirewatch.core.messages import StoryCandidateMessage
from wirewatch.core.models import Article, EnrichedArticle
from wirewatch.core.query.text import words

NUM_PERM = 128
SEED = 1
# Named, not defaulted: datasketch changed its default scheme in 2.0, and signatures
# restored from storage must be compared with ones made the same way.
HASH_SCHEME = "affine32"
SHINGLE = 3


@dataclass(frozen=True)
class StoryCandidate:
    """One article as the story resolver sees it: the message between the two stages."""

    article_id: str
    published_at: datetime
    signature: bytes  # NUM_PERM MinHash values, uint64 in native byte order
    title_key: str  # the headline folded to words ("" when it has none)
    shingle_count: int  # how much text the signature stands for


def candidate_message(enriched: EnrichedArticle, c: StoryCandidate) -> StoryCandidateMessage:
    """The candidate as it travels to the resolver, with the article it stands for."""
    return StoryCandidateMessage(
        enriched=enriched,
        signature_b64=base64.b64encode(c.signature).decode("ascii"),
        title_key=c.title_key,
        shingle_count=c.shingle_count,
    )


def candidate_of(m: StoryCandidateMessage) -> StoryCandidate:
    """The candidate a message carries, exactly as its worker signed it."""
    a = m.enriched.article
    return StoryCandidate(
        a.id, a.published_at, base64.b64decode(m.signature_b64), m.title_key, m.shingle_count
    )


def shingles(article: Article) -> set[bytes]:
    tokens = words(f"{article.title}\n{article.text or article.summary}")
    if len(tokens) < SHINGLE:
        return {" ".join(tokens).encode()} if tokens else set()
    windows = zip(*(tokens[i:] for i in range(SHINGLE)), strict=False)
    return {" ".join(w).encode() for w in windows}


class StorySigner:
    """Makes candidates; holds only the seeded permutations, made once, not per article."""

    def __init__(self, num_perm: int = NUM_PERM) -> None:
        self.num_perm = num_perm
        self._permutations = MinHash(num_perm=num_perm, seed=SEED, scheme=HASH_SCHEME).permutations

    def candidate(self, article: Article) -> StoryCandidate:
        sh = shingles(article)
        m = MinHash(
            num_perm=self.num_perm, seed=SEED, permutations=self._permutations, scheme=HASH_SCHEME
        )
        m.update_batch(list(sh))
        return StoryCandidate(
            article.id,
            article.published_at,
            m.hashvalues.astype(np.uint64).tobytes(),
            " ".join(words(article.title)),
            len(sh),
        )
