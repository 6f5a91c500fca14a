"""A presearcher: evaluate only the rules an article could possibly match (the Luwak idea).

Every rule is compiled once, when added, into clauses: sets of keys an article must carry
one of for the rule to match (`a AND (b OR c)` gives {a} and {b, c}; a phrase gives one
clause per word; NOT gives none). Like Lucene Monitor's multipass presearcher, the
cheapest few clauses are posted, one posting map per pass, and a rule is a candidate only
when the article meets every posted clause. A negated one-word part (`a AND NOT b`) is a
veto: an article carrying `b` drops the rule. An article's keys (its distinct stems, per
column, and its field words) are collected once.

Candidates are then decided by `evaluate`, the naive matcher's exact semantics — except
rules whose clauses and vetoes *are* their meaning (ANDs of ORs of one-word terms, some
negated): the keys alone decide those. Keys only ever over-approximate, and are exact
where they decide, so the result equals the naive matcher's.

A rule without clauses (a pure prefix like `econom*`: prefixes are matched unstemmed, as
written, so no stem can stand for them) sits on an always-evaluate list.
"""

from __future__ import annotations

from collections.abc import Iterable

from processors.matching import Doc, Matcher
from wirewatch.core.query import ENTITY_FIELDS, And, Node, Not, Or, Phrase, Term
from wirewatch.core.query.text import fold, stem, words

__all__ = ["PresearchMatcher", "Presearcher", "doc_keys", "rule_clauses"]

Key = tuple[str, str]
Clause = frozenset[Key]  # an article must carry at least one of these keys
Keys = Clause | None  # None: cannot be indexed, evaluate always

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


def _leaf_clauses(node: Term | Phrase) -> list[Clause]:
    """Every word of a text phrase must be there, each its own clause; a field gives one."""
    if node.field in {None, "title", "text"}:
        if isinstance(node, Term) and node.prefix:  # words as written, no stem stands for them
            return []
        column = node.field or _ANY_TEXT
        return [frozenset({(column, s)}) for s in dict.fromkeys(stem(w) for w in words(node.value))]
    keys = _leaf_keys(node)
    return [] if keys is None else [keys]


def rule_clauses(node: Node) -> list[Clause]:
    """Key sets such that an article matching `node` carries a key of every one (a CNF).

    AND concatenates its children's clauses; OR is one clause, the union of each child's
    cheapest; NOT gives none. An empty list: nothing can be required, evaluate always.
    """
    if isinstance(node, Not):
        return []
    if isinstance(node, Or):
        parts = [rule_clauses(i) for i in node.items]
        if not all(parts):
            return []
        return [frozenset().union(*(min(p, key=_cost) for p in parts))]
    if isinstance(node, And):
        return list(dict.fromkeys(c for i in node.items for c in rule_clauses(i)))
    return _leaf_clauses(node)


def _one_word(node: Node) -> bool:
    """A leaf that is true exactly when its one stem is in its column's word set."""
    if isinstance(node, Term):
        plain = not node.prefix
    elif isinstance(node, Phrase):
        plain = node.proximity is None
    else:
        return False
    return plain and node.field in {None, "title", "text"} and len(words(node.value)) == 1


def _a_clause(node: Node) -> bool:
    """One word, or an OR of such: exactly one clause, true exactly when a key is present."""
    if isinstance(node, Or):
        return all(_a_clause(i) for i in node.items)
    return _one_word(node)


def rule_vetoes(node: Node) -> list[Clause]:
    """Clauses any key of which rules the rule out: the `NOT a` or `NOT (a OR b)` of an AND."""
    if isinstance(node, Not):
        return rule_clauses(node.item) if _a_clause(node.item) else []
    if isinstance(node, And):
        return [c for i in node.items for c in rule_vetoes(i)]
    return []


def keys_decide(node: Node) -> bool:
    """True when clauses and vetoes are the rule's exact meaning.

    That is an AND of ORs of one-word terms, some of them negated: for those, an
    article's keys alone say whether the rule fires, with no evaluation.
    """
    if isinstance(node, And):
        return all(keys_decide(i) for i in node.items)
    if isinstance(node, Not):
        return _a_clause(node.item)
    return _a_clause(node)


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


def _post(postings: dict[Key, set[str]], clause: Clause, rule_id: str) -> None:
    for k in clause:
        postings.setdefault(k, set()).add(rule_id)


def _unpost(postings: dict[Key, set[str]], clause: Clause, rule_id: str) -> None:
    for k in clause:
        ids = postings[k]
        ids.discard(rule_id)
        if not ids:
            del postings[k]


def _posted_under(postings: dict[Key, set[str]], keys: set[Key]) -> set[str]:
    return set().union(*[postings[k] for k in keys & postings.keys()])


class Presearcher:
    """Rule ids posted under their clauses' keys, one posting map per pass (Lucene's multipass).

    A rule's clauses are sorted cheapest first and the first `passes` are posted, one per
    pass. A rule is a candidate when the article carries a key of each of its posted
    clauses and none of its vetoes: pass one finds rules, each later pass drops those it
    posted but the article lacks, the veto postings drop the ones a `NOT` rules out. Each
    step is a few set operations in C rather than a loop over candidates. Adding,
    replacing or removing a rule touches only that rule's postings.
    """

    def __init__(self, passes: int = 3) -> None:
        self._passes: list[dict[Key, set[str]]] = [{} for _ in range(passes)]
        self._posted: list[set[str]] = [set() for _ in range(passes)]  # rules with that pass
        self._vetoes: dict[Key, set[str]] = {}
        self._always: set[str] = set()
        self._decided: set[str] = set()  # fire when the presearch keeps them: no evaluation
        self._keys: dict[str, tuple[list[Clause], list[Clause]]] = {}  # posted, vetoes
        self._order: dict[str, int] = {}  # insertion order, kept on replace like a dict's
        self._next = 0

    def add(self, rule_id: str, node: Node) -> None:
        self.remove(rule_id, keep_order=True)
        if rule_id not in self._order:
            self._order[rule_id] = self._next
            self._next += 1
        clauses = sorted(rule_clauses(node), key=_cost)
        posted, vetoes = clauses[: len(self._passes)], rule_vetoes(node)
        self._keys[rule_id] = (posted, vetoes)
        if not clauses:
            self._always.add(rule_id)
        elif len(clauses) == len(posted) and keys_decide(node):
            self._decided.add(rule_id)
        for postings, ids, clause in zip(self._passes, self._posted, posted, strict=False):
            ids.add(rule_id)
            _post(postings, clause, rule_id)
        for clause in vetoes:
            _post(self._vetoes, clause, rule_id)

    def remove(self, rule_id: str, *, keep_order: bool = False) -> None:
        if rule_id not in self._keys:
            return
        posted, vetoes = self._keys.pop(rule_id)
        if not keep_order:
            del self._order[rule_id]
        self._always.discard(rule_id)
        self._decided.discard(rule_id)
        for postings, ids, clause in zip(self._passes, self._posted, posted, strict=False):
            ids.discard(rule_id)
            _unpost(postings, clause, rule_id)
        for clause in vetoes:
            _unpost(self._vetoes, clause, rule_id)

    def presearch(self, keys: set[Key]) -> tuple[set[str], set[str]]:
        """The rules the keys alone fire, and the candidates that still need evaluating."""
        found: set[str] = set()
        for i, (postings, posted) in enumerate(zip(self._passes, self._posted, strict=True)):
            hit = _posted_under(postings, keys)
            found = hit if i == 0 else (found - posted) | (found & hit)
        vetoed = _posted_under(self._vetoes, keys)
        decided = self._decided
        return (found & decided) - vetoed, ((found - decided) | self._always) - vetoed

    def in_order(self, rule_ids: Iterable[str]) -> list[str]:
        """Rule ids in the order their rules were first added."""
        return sorted(rule_ids, key=self._order.__getitem__)

    def candidates(self, keys: set[Key]) -> list[str]:
        """Every rule the presearch keeps (fired or to evaluate), in insertion order."""
        fired, unsure = self.presearch(keys)
        return self.in_order(fired | unsure)


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

    def match_doc(self, doc: Doc) -> list[str]:
        fired, unsure = self._index.presearch(doc_keys(doc))
        rules = self._rules
        fired.update(rid for rid in unsure if rules[rid].matches(doc))
        return self._index.in_order(fired)
