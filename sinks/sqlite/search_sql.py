"""Compile a parsed query into SQL over the embedded store.

Text leaves become FTS5 MATCH subqueries (porter + unicode61, like the matcher;
a `word*` term against the unstemmed `articles_words`, so it matches words as written);
other fields call the shared field functions from `wirewatch.core.query.fields`,
registered as SQL functions, so search and alert matching cannot disagree. Entity and
topic leaves first look their words up in `filter_words` (the matcher's folded words of
names and topics, indexed), so they cost what they match rather than a call per stored
entity; only a leaf of several words runs the phrase function, on those articles alone.
Boolean structure maps onto SQL AND/OR/NOT, so any nesting (including NOT inside
OR) works, which a single FTS5 expression cannot express. User text is always a
bound parameter, and FTS5 strings are built from folded words only.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from sinks.sqlite.filter_words import TOPIC_ID, TOPIC_LABEL
from wirewatch.core.query import ENTITY_FIELDS, And, Node, Not, Or, Phrase, Query, Term
from wirewatch.core.query.fields import exact_matches, phrase_in, phrase_in_any, source_matches
from wirewatch.core.query.text import fold, words

_LAST_CHAR = "\U0010ffff"  # a noncharacter, never in a word


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
    prefix = _prefix(node)
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
        return _topic_leaf(node, params)
    return _entity_leaf(node, ENTITY_FIELDS[fld or "entity"], params)


def _holding_words(
    node: Term | Phrase, kinds: tuple[str, tuple[str, ...]], params: list[Any]
) -> tuple[str, bool]:
    """A SELECT of the articles whose `filter_words` of `kinds` hold the leaf's words.

    `kinds` is ("IN" or "NOT IN", kinds). The index holds exactly the folded words the
    matcher compares, so it answers a one-word leaf alone (`word*` is a range of it:
    every word starting with w sorts in [w, w + the last code point)); the bool says so.
    A leaf of several words must also find them consecutive in one name: the SELECT then
    picks the articles holding all its whole words, and the caller checks the phrase on
    just those.
    """
    ws = words(node.value)
    whole = sorted(set(ws[:-1] if _prefix(node) else ws))
    op, values = kinds
    select = f"SELECT article_id FROM filter_words WHERE kind {op} ({','.join('?' * len(values))})"
    if not whole:
        params += [*values, ws[-1], ws[-1] + _LAST_CHAR]
        return f"{select} AND word>=? AND word<?", len(ws) == 1
    for w in whole:
        params += [*values, w]
    return " INTERSECT ".join([f"{select} AND word=?"] * len(whole)), len(ws) == 1


def _topic_leaf(node: Term | Phrase, params: list[Any]) -> str:
    params += [fold(node.value), TOPIC_ID]
    by_id = "a.id IN (SELECT article_id FROM filter_words WHERE word=? AND kind=?)"
    if not words(node.value):
        return by_id
    by_label, exact = _holding_words(node, ("IN", (TOPIC_LABEL,)), params)
    if not exact:
        params += [node.value, _prefix(node)]
        by_label = (
            f"SELECT article_id FROM article_topics WHERE article_id IN ({by_label}) "
            "AND ww_phrase(label, ?, ?)"
        )
    return f"({by_id} OR a.id IN ({by_label}))"


def _entity_leaf(node: Term | Phrase, types: tuple[str, ...] | None, params: list[Any]) -> str:
    if not words(node.value):
        return "0"  # no word to look for: the matcher finds nothing either
    kinds = ("NOT IN", (TOPIC_ID, TOPIC_LABEL)) if types is None else ("IN", types)
    found, exact = _holding_words(node, kinds, params)
    if not exact:
        type_sql = ""
        if types is not None:
            type_sql = f"type IN ({','.join('?' * len(types))}) AND "
            params.extend(types)
        params += [node.value, _prefix(node)] * 2
        found = (
            f"SELECT article_id FROM article_entities WHERE article_id IN ({found}) AND "
            f"{type_sql}(ww_phrase(name, ?, ?) OR ww_phrase_any(aliases, ?, ?))"
        )
    return f"a.id IN ({found})"


def _prefix(node: Term | Phrase) -> int:
    return int(isinstance(node, Term) and node.prefix)


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
