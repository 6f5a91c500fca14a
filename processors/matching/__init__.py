"""The in-process alert matcher: every rule against every new article.

Each article is folded and stemmed once into a `Doc`; each rule is a compiled
tree evaluated against it. Semantics equal SQLite search (FTS5 porter +
unicode61, and the shared field functions), which tests pin with a consistency
check, so an alert fires exactly when `wirewatch search` would find the article.

`Matcher` evaluates every rule and is the reference; the runtime uses
`presearch.PresearchMatcher`, which gives the same results evaluating only candidates.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from wirewatch.core.models import EnrichedArticle, EntityType
from wirewatch.core.query import ENTITY_FIELDS, And, Node, Not, Or, Phrase, Query, Term, parse_query
from wirewatch.core.query.fields import body_text, domain_matches, exact_matches
from wirewatch.core.query.text import contains_phrase, fold, stem, words

__all__ = ["CompiledRule", "Doc", "Matcher", "compile_rule", "doc_for", "evaluate"]


@dataclass
class Doc:
    """An article folded once for matching: text columns stemmed and as written, folded names.

    The words as written (`title_words`, `text_words`) serve `word*`, which means a word
    the article wrote starting with `word`, as in SQLite's `articles_words` index.
    """

    title: list[str]
    text: list[str]
    title_set: frozenset[str]
    text_set: frozenset[str]
    title_words: list[str]
    text_words: list[str]
    source: list[str]
    domain: str | None
    lang: str | None
    story: str | None
    topics: list[tuple[str, list[str]]] = field(default_factory=list)
    entities: list[tuple[EntityType, list[list[str]]]] = field(default_factory=list)


def doc_for(e: EnrichedArticle) -> Doc:
    title_words, text_words = words(e.article.title), words(body_text(e.article))
    title, text = [stem(w) for w in title_words], [stem(w) for w in text_words]
    return Doc(
        title=title,
        text=text,
        title_set=frozenset(title),
        text_set=frozenset(text),
        title_words=title_words,
        text_words=text_words,
        source=words(e.article.source),
        domain=e.article.source_domain,
        lang=e.language,
        story=e.story_id,
        topics=[(fold(t.id), words(t.label)) for t in e.topics],
        entities=[(en.type, [words(n) for n in (en.name, *en.aliases)]) for en in e.entities],
    )


@lru_cache(maxsize=65536)
def _written(value: str) -> tuple[str, ...]:
    """A rule value's folded words, once per distinct value rather than on every evaluation."""
    return tuple(words(value))


@lru_cache(maxsize=65536)
def _stems(value: str) -> tuple[str, ...]:
    """A rule value's stems, once per distinct value rather than on every evaluation."""
    return tuple(stem(w) for w in _written(value))


def _near(columns: list[list[str]], needles: Sequence[str], distance: int) -> bool:
    """All needles within `distance` words of each other (FTS5 NEAR), in any order."""
    for col in columns:
        positions = [[i for i, w in enumerate(col) if w == n] for n in needles]
        if not all(positions):
            continue
        merged = sorted((p, k) for k, ps in enumerate(positions) for p in ps)
        need = len(needles)
        counts: dict[int, int] = {}
        lo = 0
        for hi in range(len(merged)):
            counts[merged[hi][1]] = counts.get(merged[hi][1], 0) + 1
            while len(counts) == need:
                if merged[hi][0] - merged[lo][0] - (need - 1) <= distance:
                    return True
                k = merged[lo][1]
                counts[k] -= 1
                if not counts[k]:
                    del counts[k]
                lo += 1
    return False


def _text_columns(doc: Doc, fld: str | None, *, as_written: bool = False) -> list[list[str]]:
    title, text = (doc.title_words, doc.text_words) if as_written else (doc.title, doc.text)
    if fld == "title":
        return [title]
    if fld == "text":
        return [text]
    return [title, text]


def _match_text(node: Term | Phrase, doc: Doc) -> bool:
    if isinstance(node, Term) and node.prefix:  # words as written, the last a prefix: no stems
        cols = _text_columns(doc, node.field, as_written=True)
        return any(contains_phrase(c, _written(node.value), prefix_last=True) for c in cols)
    needle = _stems(node.value)
    cols = _text_columns(doc, node.field)
    if isinstance(node, Phrase) and node.proximity is not None:
        return _near(cols, needle, node.proximity)
    if len(needle) == 1:
        sets = {"title": [doc.title_set], "text": [doc.text_set]}.get(
            node.field or "", [doc.title_set, doc.text_set]
        )
        return any(needle[0] in s for s in sets)
    return any(contains_phrase(c, needle) for c in cols)


def _match_field(node: Term | Phrase, doc: Doc) -> bool:
    fld = node.field
    prefix = isinstance(node, Term) and node.prefix
    needle = _written(node.value)
    if fld == "lang":
        return exact_matches(doc.lang, node.value)
    if fld == "story":
        return exact_matches(doc.story, node.value)
    if fld == "source":
        return domain_matches(doc.domain, node.value) or contains_phrase(
            doc.source, needle, prefix_last=prefix
        )
    if fld == "topic":
        value = fold(node.value)
        return any(
            tid == value or contains_phrase(label, needle, prefix_last=prefix)
            for tid, label in doc.topics
        )
    types = ENTITY_FIELDS[fld or "entity"]
    return any(
        (types is None or t.value in types)
        and any(contains_phrase(n, needle, prefix_last=prefix) for n in names)
        for t, names in doc.entities
    )


def evaluate(node: Node, doc: Doc) -> bool:
    if isinstance(node, And):
        return all(evaluate(i, doc) for i in node.items)
    if isinstance(node, Or):
        return any(evaluate(i, doc) for i in node.items)
    if isinstance(node, Not):
        return not evaluate(node.item, doc)
    if node.field in {None, "title", "text"}:
        return _match_text(node, doc)
    return _match_field(node, doc)


@dataclass(frozen=True)
class CompiledRule:
    query: Query

    def matches(self, doc: Doc) -> bool:
        return evaluate(self.query.root, doc)


def compile_rule(query: str) -> CompiledRule:
    """Parse a rule's query (QueryError if it does not parse)."""
    return CompiledRule(parse_query(query))


class Matcher:
    """Rules by id; `match` folds the article once and returns the ids of rules it fires."""

    def __init__(self, rules: Iterable[tuple[str, str]] = ()) -> None:
        self._rules: dict[str, CompiledRule] = {}
        for rule_id, query in rules:
            self.add(rule_id, query)

    def add(self, rule_id: str, query: str) -> None:
        self._rules[rule_id] = compile_rule(query)

    def remove(self, rule_id: str) -> None:
        self._rules.pop(rule_id, None)

    def __len__(self) -> int:
        return len(self._rules)

    def compiled(self, rule_id: str) -> CompiledRule:
        """A rule as compiled when added, to explain a match without parsing it again."""
        return self._rules[rule_id]

    def match(self, article: EnrichedArticle) -> list[str]:
        if not self._rules:
            return []
        return self.match_doc(doc_for(article))

    def match_doc(self, doc: Doc) -> list[str]:
        """The rules an article already folded into `doc` fires, for a caller that needs
        the doc again (to explain the matches) and should fold it only once."""
        return [rid for rid, rule in self._rules.items() if rule.matches(doc)]
