"""A presearcher: evaluate only the rules an article could possibly match (the Luwak idea).

Every rule is indexed once, when added, by keys an article must carry for the rule to
match: for `a AND (b OR c)` the key of `a`, or those of `b` and `c` if they are rarer;
OR takes the union of its children's keys; NOT never indexes. An article's keys (its
distinct stems, per column, and its field words) are collected once; the rules posted
under them are the candidates, and `evaluate` — the exact semantics of the naive matcher
— decides. Keys only ever over-approximate, so the result equals the naive matcher's.

A rule without keys (a pure prefix like `econom*`: prefixes are matched unstemmed, as
written, so no stem can stand for them) sits on an always-evaluate list.
"""

from __future__ import annotations

from collections.abc import Iterable

from processors.matching import Doc, Matcher, doc_for
from wirewatch.core.models import EnrichedArticle
from wirewatch.core.query import ENTITY_FIELDS, And, Node, Not, Or, Phrase, Term
from wirewatch.core.query.text import fold, stem, words

__all__ = ["PresearchMatcher", "Presearcher", "doc_keys", "rule_keys"]

Key = tuple[str, str]
Keys = frozenset[Key] | None  # None: cannot be indexed, evaluate always

_ANY_TEXT = ""  # the key column of a bare term: title or text


def _rarity_cost(key: Key) -> float:
    """A static guess at how many articles carry `key`: short words are common, field keys rare.

    Good enough to pick which AND branch to index; a wrong guess costs speed, never results.
    """
    column, word = key
    scale = 1.0 if column in {_ANY_TEXT, "text"} else 0.3
    return scale / max(len(word), 1) ** 2


def _cost(keys: frozenset[Key]) -> float:
    return sum(_rarity_cost(k) for k in keys)


def _rarest(column: str, needle: list[str]) -> Keys:
    """One word of a phrase stands for it: every word must be there for the phrase to be."""
    if not needle:
        return None
    return frozenset({min(((column, w) for w in needle), key=_rarity_cost)})


def _leaf_keys(node: Term | Phrase) -> Keys:
    fld = node.field
    prefix = isinstance(node, Term) and node.prefix
    if fld in {None, "title", "text"}:
        if prefix:  # matched on words as written with the last a prefix: no stem stands for it
            return None
        return _rarest(fld or _ANY_TEXT, [stem(w) for w in words(node.value)])
    if fld in {"lang", "story"}:
        value = fold(node.value)
        return frozenset({(fld, value)}) if value else None
    needle = words(node.value)
    exact = needle[:-1] if prefix else needle  # a prefix's last word is no key
    if fld == "source":
        domain, phrase = fold(node.value).strip("."), _rarest("source", exact)
        if not domain or phrase is None:
            return None
        return phrase | {("domain", domain)}
    if fld == "topic":
        phrase = _rarest("topic", exact)
        return None if phrase is None else phrase | {("topic_id", fold(node.value))}
    return _rarest(fld or "entity", exact)


def rule_keys(node: Node) -> Keys:
    """Keys one of which every article matching `node` carries; None if there are none."""
    if isinstance(node, Not):
        return None
    if isinstance(node, Or):
        parts = [rule_keys(i) for i in node.items]
        if any(p is None for p in parts):
            return None
        return frozenset().union(*(p for p in parts if p is not None))
    if isinstance(node, And):
        indexed = [k for k in (rule_keys(i) for i in node.items) if k is not None]
        return min(indexed, key=_cost) if indexed else None
    return _leaf_keys(node)


def _domain_suffixes(domain: str | None) -> list[str]:
    """feeds.bbc.co.uk -> itself, bbc.co.uk, co.uk, uk: what `source:` may name."""
    if not domain:
        return []
    d = fold(domain).strip(".")
    parts = d.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def doc_keys(doc: Doc) -> set[Key]:
    """Every key the article carries, once: the probe side of `rule_keys`."""
    keys: set[Key] = {(_ANY_TEXT, w) for w in doc.title_set | doc.text_set}
    keys.update(("title", w) for w in doc.title_set)
    keys.update(("text", w) for w in doc.text_set)
    keys.update(("source", w) for w in doc.source)
    keys.update(("domain", d) for d in _domain_suffixes(doc.domain))
    if doc.lang:
        keys.add(("lang", fold(doc.lang)))
    if doc.story:
        keys.add(("story", fold(doc.story)))
    for tid, label in doc.topics:
        keys.add(("topic_id", tid))
        keys.update(("topic", w) for w in label)
    for etype, names in doc.entities:
        columns = [f for f, types in ENTITY_FIELDS.items() if types is None or etype.value in types]
        keys.update((f, w) for f in columns for name in names for w in name)
    return keys


class Presearcher:
    """Rule ids posted under their keys; `candidates` gives the ones worth evaluating, in order.

    Adding, replacing or removing a rule touches only that rule's postings.
    """

    def __init__(self) -> None:
        self._postings: dict[Key, set[str]] = {}
        self._always: set[str] = set()
        self._keys: dict[str, Keys] = {}
        self._order: dict[str, int] = {}  # insertion order, kept on replace like a dict's
        self._next = 0

    def add(self, rule_id: str, node: Node) -> None:
        self.remove(rule_id, keep_order=True)
        if rule_id not in self._order:
            self._order[rule_id] = self._next
            self._next += 1
        keys = rule_keys(node)
        self._keys[rule_id] = keys
        if keys is None:
            self._always.add(rule_id)
            return
        for k in keys:
            self._postings.setdefault(k, set()).add(rule_id)

    def remove(self, rule_id: str, *, keep_order: bool = False) -> None:
        if rule_id not in self._keys:
            return
        keys = self._keys.pop(rule_id)
        if not keep_order:
            del self._order[rule_id]
        if keys is None:
            self._always.discard(rule_id)
            return
        for k in keys:
            posted = self._postings[k]
            posted.discard(rule_id)
            if not posted:
                del self._postings[k]

    def candidates(self, keys: Iterable[Key]) -> list[str]:
        """Rules posted under any of `keys`, plus the always-evaluate ones, in insertion order."""
        found = set(self._always)
        postings = self._postings
        for k in keys:
            posted = postings.get(k)
            if posted:
                found |= posted
        return sorted(found, key=self._order.__getitem__)


class PresearchMatcher(Matcher):
    """The naive `Matcher`'s contract and results, evaluating only the presearcher's candidates."""

    def __init__(self, rules: Iterable[tuple[str, str]] = ()) -> None:
        self._index = Presearcher()
        super().__init__(rules)

    def add(self, rule_id: str, query: str) -> None:
        super().add(rule_id, query)
        self._index.add(rule_id, self._rules[rule_id].query.root)

    def remove(self, rule_id: str) -> None:
        super().remove(rule_id)
        self._index.remove(rule_id)

    def match(self, article: EnrichedArticle) -> list[str]:
        if not self._rules:
            return []
        doc = doc_for(article)
        rules = self._rules
        return [rid for rid in self._index.candidates(doc_keys(doc)) if rules[rid].matches(doc)]
