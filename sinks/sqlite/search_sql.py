"""Compile a parsed query into SQL over the embedded store.

Text leaves become FTS5 MATCH subqueries (porter + unicode61, like the matcher;
a `word*` term against the unstemmed `articles_words`, so it matches words as written);
other fields call the shared field functions from `wirewatch.core.query.fields`,
registered as SQL functions, so search and alert matching cannot disagree.
Boolean structure maps onto SQL AND/OR/NOT, so any nesting (including NOT inside
OR) works, which a single FTS5 expression cannot express. User text is always a
bound parameter, and FTS5 strings are built from folded words only.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from wirewatch.core.query import ENTITY_FIELDS, And, Node, Not, Or, Phrase, Query, Term
from wirewatch.core.query.fields import exact_matches, phrase_in, phrase_in_any, source_matches
from wirewatch.core.query.text import fold, words


def register_functions(conn: sqlite3.Connection) -> None:
    """The field functions the compiled SQL calls."""
    conn.create_function(
        "ww_phrase", 3, lambda h, n, p: int(phrase_in(h, n, bool(p))), deterministic=True
    )
    conn.create_function(
        "ww_phrase_any", 3, lambda h, n, p: int(phrase_in_any(h, n, bool(p))), deterministic=True
    )
    conn.create_function(
        "ww_source",
        4,
        lambda name, dom, v, p: int(source_matches(name, dom, v, bool(p))),
        deterministic=True,
    )
    conn.create_function("ww_exact", 2, lambda s, v: int(exact_matches(s, v)), deterministic=True)


def _fts_expression(node: Term | Phrase) -> str:
    ws = words(node.value)
    body = '"' + " ".join(ws) + '"'
    if isinstance(node, Term) and node.prefix:
        body += " *"
    if isinstance(node, Phrase) and node.proximity is not None:
        body = "NEAR(" + " ".join(f'"{w}"' for w in ws) + f", {node.proximity})"
    if node.field in {"title", "text"}:
        body = f"{node.field} : {body}"
    return body


def _leaf(node: Term | Phrase, params: list[Any]) -> str:
    fld = node.field
    prefix = int(isinstance(node, Term) and node.prefix)
    if fld in {None, "title", "text"}:
        params.append(_fts_expression(node))
        # FTS5 would stem a prefix before expanding it (`ely*` -> `eli*`): a prefix term
        # reads the index of words as written instead (migration 0004).
        table = "articles_words" if prefix else "articles_fts"
        return f"a.rowid IN (SELECT rowid FROM {table} WHERE {table} MATCH ?)"
    if fld == "lang":
        params.append(node.value)
        return "ww_exact(a.language, ?)"
    if fld == "story":
        params.append(node.value)
        return "ww_exact(a.story_id, ?)"
    if fld == "source":
        params += [node.value, prefix]
        return "ww_source(a.source, a.source_domain, ?, ?)"
    if fld == "topic":
        params += [fold(node.value), node.value, prefix]
        return (
            "a.id IN (SELECT article_id FROM article_topics t WHERE "
            "lower(t.topic_id) = ? OR ww_phrase(t.label, ?, ?))"
        )
    types = ENTITY_FIELDS[fld or "entity"]
    type_sql = ""
    if types is not None:
        type_sql = f"e.type IN ({','.join('?' * len(types))}) AND "
        params.extend(types)
    params += [node.value, prefix, node.value, prefix]
    return (
        f"a.id IN (SELECT article_id FROM article_entities e WHERE {type_sql}"
        "(ww_phrase(e.name, ?, ?) OR ww_phrase_any(e.aliases, ?, ?)))"
    )


def _compile(node: Node, params: list[Any]) -> str:
    if isinstance(node, And):
        return "(" + " AND ".join(_compile(i, params) for i in node.items) + ")"
    if isinstance(node, Or):
        return "(" + " OR ".join(_compile(i, params) for i in node.items) + ")"
    if isinstance(node, Not):
        return "NOT " + _compile(node.item, params)
    return _leaf(node, params)


def compile_where(query: Query) -> tuple[str, list[Any]]:
    """A boolean SQL expression over `articles a`, with its parameters."""
    params: list[Any] = []
    return _compile(query.root, params), params
