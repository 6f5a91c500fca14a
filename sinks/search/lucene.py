"""Compile a parsed `Query` into Lucene query syntax, for a Kibana or Dashboards saved search.

Lucene syntax (Kibana's `query_string`) rather than KQL: the engine itself parses it,
so a test can run the very string Discover will send and compare its documents with
the rule's matcher; KQL is compiled inside Kibana, which cannot run here.

Each leaf means what `sinks.search.dsl` makes of it: a quoted phrase on an analysed
field is the `match_phrase` the DSL sends (the engine analyses both the same way),
`word*` is a prefix on the folded `.words` sub-field, and keyword filters are quoted
terms on the values stored folded. What query syntax cannot say the same way is
refused with a `QueryNotExpressible`: proximity (`"a b"~N` is a sloppy phrase there,
which counts differently from FTS5's NEAR) and a prefix after several words
(`cease-fi*`, which the DSL sends as `intervals`).
"""

from __future__ import annotations

from sinks.search.dsl import entity_fields
from wirewatch.core.errors import WirewatchError
from wirewatch.core.query import And, Node, Not, Or, Phrase, Query, Term
from wirewatch.core.query.text import fold, words


class QueryNotExpressible(WirewatchError):
    """A rule whose meaning Lucene query syntax cannot carry exactly."""


def _quoted(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _any(clauses: list[str]) -> str:
    return clauses[0] if len(clauses) == 1 else "(" + " OR ".join(clauses) + ")"


def _words_on(fld: str, node: Term | Phrase) -> str:
    """The value's words in order on `fld` (on `fld.words` as a prefix for `word*`)."""
    ws = words(node.value)
    if not ws:
        raise QueryNotExpressible(
            f"{node.to_text()!r} has no words to search for", hint="remove it from the rule"
        )
    if isinstance(node, Phrase) and node.proximity is not None:
        raise QueryNotExpressible(
            f"{node.to_text()!r}: Lucene's sloppy phrases count distance differently "
            "from the rule's NEAR",
            hint="use a phrase or AND in the rule, or search it with `wirewatch search`",
        )
    if isinstance(node, Term) and node.prefix:
        if len(ws) > 1:
            raise QueryNotExpressible(
                f"{node.to_text()!r}: a prefix after several words has no Lucene form",
                hint="use the prefix of one word",
            )
        return f"{fld}:{ws[0]}*"
    return f"{fld}:{_quoted(node.value)}"


def _leaf(node: Term | Phrase) -> str:
    fld = node.field
    if fld in {None, "title", "text"}:
        fields = [fld] if fld else ["title", "text"]
        prefix = isinstance(node, Term) and node.prefix
        return _any([_words_on(f"{f}.words" if prefix else f, node) for f in fields])
    if fld == "lang":
        return f"language:{_quoted(fold(node.value))}"
    if fld == "story":
        return f"story_id:{_quoted(fold(node.value))}"
    if fld == "source":
        domain = fold(node.value).strip(".")
        names = _words_on("source", node)
        return _any([f"source_domains:{_quoted(domain)}", names] if domain else [names])
    if fld == "topic":
        return _any([f"topics.id:{_quoted(fold(node.value))}", _words_on("topics.label", node)])
    return _any([_words_on(f, node) for f in entity_fields(fld or "")])


def _group(node: Node) -> str:
    """`node` as one operand: parenthesised unless it is a single clause."""
    text = compile_node(node)
    return f"({text})" if isinstance(node, And | Not) else text


def compile_node(node: Node) -> str:
    """One AST node -> query syntax; a negation inside AND reads `a AND NOT b`.

    The parser refuses a rule that is only negative, so every negation stands beside
    something positive; a group of negations alone (`gaza (NOT a NOT b)`) means
    "everything but" in the engines' `query_string`, as in the rule.
    """
    if isinstance(node, And):
        return " AND ".join(
            compile_node(i) if isinstance(i, Not) else _group(i) for i in node.items
        )
    if isinstance(node, Or):
        return "(" + " OR ".join(_group(i) for i in node.items) + ")"
    if isinstance(node, Not):
        return f"NOT {_group(node.item)}"
    return _leaf(node)


def to_lucene(query: Query) -> str:
    """The rule's query in Lucene syntax, or `QueryNotExpressible` saying why not."""
    return compile_node(query.root)
