"""Compile a parsed `Query` into the engines' query DSL (the same body for both).

Every leaf means what it means to the in-process matcher (`processors.matching`)
and to SQLite (`sinks.sqlite.search_sql`):
- words and phrases are `match_phrase` on analysed fields (one word is a phrase of
  one), so the engine applies the same analyzer to the query as to the documents;
- `word*` is a `prefix` on the folded word in the `.words` sub-field, which folds but
  never stems (a prefix matches words as written, like SQLite's `articles_words`);
  `cease-fi*`-style prefixes of several words and `"a b"~N` are `intervals`
  (ordered without gaps, or unordered within N words: FTS5 NEAR counts the words
  between the first and the last match, as intervals' `max_gaps` does, and the
  engine analyses each word itself);
- `lang:`, `story:`, topic ids and `source:` domains are `term` filters on values
  stored folded (see `documents`); names (source, entities, topic labels) are
  phrases on the `ww_names` fields, which fold but never stem.
"""

from __future__ import annotations

from typing import Any

from sinks.search.layout import ENTITY_KIND
from wirewatch.core.query import ENTITY_FIELDS, And, Node, Not, Or, Phrase, Term
from wirewatch.core.query.text import fold, stem, words

Dsl = dict[str, Any]

MATCH_NONE: Dsl = {"match_none": {}}


def _any(clauses: list[Dsl]) -> Dsl:
    if len(clauses) == 1:
        return clauses[0]
    return {"bool": {"should": clauses, "minimum_should_match": 1}}


def _words_on(fld: str, value: str, prefix: bool) -> Dsl:
    """The value's words consecutively in `fld`, the last one a prefix if asked."""
    ws = words(value)
    if not ws:
        return MATCH_NONE
    if not prefix:
        return {"match_phrase": {fld: {"query": value}}}
    if len(ws) == 1:
        return {"prefix": {fld: {"value": ws[0]}}}
    rules = [{"match": {"query": w}} for w in ws[:-1]] + [{"prefix": {"prefix": ws[-1]}}]
    return {"intervals": {fld: {"all_of": {"ordered": True, "max_gaps": 0, "intervals": rules}}}}


def _near(fld: str, value: str, distance: int) -> Dsl:
    """All the words within `distance` words of each other, in any order (FTS5 NEAR).

    Words with the same stem are one: FTS5 and the matcher let a single occurrence
    stand for both (`"talks talk"~0` finds "talks"), an interval would need two.
    """
    by_stem: dict[str, str] = {}
    for w in words(value):
        by_stem.setdefault(stem(w), w)
    ws = list(by_stem.values())
    if not ws:
        return MATCH_NONE
    rules = [{"match": {"query": w}} for w in ws]
    return {
        "intervals": {fld: {"all_of": {"ordered": False, "max_gaps": distance, "intervals": rules}}}
    }


def _text_leaf(node: Term | Phrase) -> Dsl:
    fields = [node.field] if node.field in {"title", "text"} else ["title", "text"]
    if isinstance(node, Phrase) and node.proximity is not None:
        distance = node.proximity
        return _any([_near(f, node.value, distance) for f in fields])
    if isinstance(node, Term) and node.prefix:
        return _any([_words_on(f"{f}.words", node.value, True) for f in fields])
    return _any([_words_on(f, node.value, False) for f in fields])


def entity_fields(query_field: str) -> list[str]:
    """The name fields a `person:`/`org:`/`place:`/`entity:` leaf searches."""
    types = ENTITY_FIELDS[query_field]
    kinds = sorted({k for t, k in ENTITY_KIND.items() if types is None or t.value in types})
    return [f"entity_names.{k}" for k in kinds]


def _field_leaf(node: Term | Phrase, fld: str) -> Dsl:
    prefix = isinstance(node, Term) and node.prefix
    value = node.value
    if fld == "lang":
        return {"term": {"language": fold(value)}}
    if fld == "story":
        return {"term": {"story_id": fold(value)}}
    if fld == "source":
        clauses = [_words_on("source", value, prefix)]
        domain = fold(value).strip(".")
        if domain:
            clauses.insert(0, {"term": {"source_domains": domain}})
        return _any(clauses)
    if fld == "topic":
        return _any(
            [{"term": {"topics.id": fold(value)}}, _words_on("topics.label", value, prefix)]
        )
    return _any([_words_on(f, value, prefix) for f in entity_fields(fld)])


def compile_node(node: Node) -> Dsl:
    """One AST node -> one query clause."""
    if isinstance(node, And):
        return {"bool": {"filter": [compile_node(i) for i in node.items]}}
    if isinstance(node, Or):
        return _any([compile_node(i) for i in node.items])
    if isinstance(node, Not):
        return {"bool": {"must_not": [compile_node(node.item)]}}
    if node.field in {None, "title", "text"}:
        return _text_leaf(node)
    return _field_leaf(node, node.field or "")
