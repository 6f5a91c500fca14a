"""One alert per rule per story: is a new hit sent, folded, an update, or nothing?

A pure decision over what the hit log already holds for the rule:

- the article already alerted the rule (or an earlier version of it did): an **update**
  of that alert when this version changed materially since the *last alerted* version —
  its headline (folded words) differs, or at least `threshold` of its distinct words
  changed (1 − Jaccard of the two word sets) — else nothing. Comparing with the last
  alerted version means each material change fires once and small edits never add up
  to an alert on their own;
- a version alerted before, seen again (a replay of older messages): nothing;
- the article was folded into its story's first alert before: nothing (copies joining
  a story never re-fire, even when edited);
- another article of the same story alerted the rule: **fold** the hit into that first
  alert (recorded and counted, not sent);
- else a **new** alert.

It lives in the kernel, not in `processors.matching`, because the hit log (`sinks`)
applies it inside its transaction and the layers keep `sinks` and `processors` apart.
A version is kept as the folded headline and a set of 64-bit word hashes (8 bytes a
distinct word), enough to compare versions without storing the text again.
"""

from __future__ import annotations

import hashlib
from array import array
from dataclasses import dataclass
from enum import StrEnum

from wirewatch.core.models import Article
from wirewatch.core.query.fields import body_text
from wirewatch.core.query.text import words

__all__ = ["Action", "ArticleVersion", "Decision", "Prior", "decide", "materially_changed"]


def _word_hash(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")


@dataclass(frozen=True)
class ArticleVersion:
    """What an update is judged on: the folded headline and the distinct folded words."""

    headline: str
    words: frozenset[int]

    @classmethod
    def of(cls, article: Article) -> ArticleVersion:
        title = words(article.title)
        return cls(" ".join(title), frozenset(map(_word_hash, title + words(body_text(article)))))

    def words_blob(self) -> bytes:
        return array("Q", sorted(self.words)).tobytes()

    @classmethod
    def from_stored(cls, headline: str, blob: bytes) -> ArticleVersion:
        hashes = array("Q")
        hashes.frombytes(blob)
        return cls(headline, frozenset(hashes))

    def digest(self) -> str:
        """Stable per version: makes an update hit's id, so a replay records it once."""
        h = hashlib.blake2b(self.headline.encode(), digest_size=8)
        h.update(self.words_blob())
        return h.hexdigest()


def materially_changed(old: ArticleVersion, new: ArticleVersion, threshold: float) -> bool:
    """The headline changed, or at least `threshold` of the distinct words did."""
    if old.headline != new.headline:
        return True
    union = old.words | new.words
    if not union:
        return False
    return 1 - len(old.words & new.words) / len(union) >= threshold


class Action(StrEnum):
    NEW = "new"
    FOLD = "fold"
    UPDATE = "update"
    IGNORE = "ignore"


@dataclass(frozen=True)
class Prior:
    """What the hit log holds for this rule and article: the alert it belongs to, whether
    it was folded into it (a copy), and the last version alerted (None if unknown)."""

    alert_id: str
    folded: bool
    version: ArticleVersion | None
    alerted: frozenset[str] = frozenset()  # digests of every version alerted so far


@dataclass(frozen=True)
class Decision:
    action: Action
    into: str | None = None  # the alert folded into, or updated


def decide(
    version: ArticleVersion | None,
    prior: Prior | None,
    story_first: str | None,
    threshold: float,
) -> Decision:
    """The fate of a new hit; `story_first` is the rule's first alert of the article's story.

    A hit without a version (its article text not at hand) can start an alert or fold,
    never be an update: there is nothing to compare.
    """
    if prior is not None:
        if prior.folded or version is None or prior.version is None:
            return Decision(Action.IGNORE, prior.alert_id)
        if version.digest() in prior.alerted:  # an older version replayed (Kafka, a backfill)
            return Decision(Action.IGNORE, prior.alert_id)
        if materially_changed(prior.version, version, threshold):
            return Decision(Action.UPDATE, prior.alert_id)
        return Decision(Action.IGNORE, prior.alert_id)
    if story_first is not None:
        return Decision(Action.FOLD, story_first)
    return Decision(Action.NEW)
