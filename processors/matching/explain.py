"""Matched terms: which positive leaves of a rule fired on an article, for people to read.

Computed only for rules that matched, with the matcher's own `evaluate`, so what is
shown can never disagree with why the rule fired. A true AND contributes every part
that is true, an OR only its true children, a NOT nothing (an absence fired nothing).
Each leaf reads as `field:value` ("title:ceasefire", "person:yoav gallant") or the bare
value for an unfielded word or phrase ("ceasefire", "gaza*"), folded as the matcher
folds it, deduplicated in query order and capped so a huge OR stays short.
"""

from __future__ import annotations

from collections.abc import Iterator

from processors.matching import Doc, evaluate
from wirewatch.core.query import And, Node, Not, Or, Phrase, Term
from wirewatch.core.query.text import fold

__all__ = ["MAX_TERMS", "matched_terms"]

MAX_TERMS = 20


def _label(leaf: Term | Phrase) -> str:
    value = " ".join(fold(leaf.value).split())  # as written, folded: "bbc.co.uk" stays whole
    if isinstance(leaf, Term) and leaf.prefix:
        value += "*"
    return f"{leaf.field}:{value}" if leaf.field else value


def _fired(node: Node, doc: Doc) -> Iterator[str]:
    """The labels of the true positive leaves under `node`, which is itself true."""
    if isinstance(node, Not):
        return
    if isinstance(node, And | Or):
        for item in node.items:
            if not isinstance(item, Not) and evaluate(item, doc):
                yield from _fired(item, doc)
        return
    yield _label(node)


def matched_terms(root: Node, doc: Doc, *, cap: int = MAX_TERMS) -> list[str]:
    """The leaves of a matching rule that are true in `doc`, as `field:value`; [] if it
    does not match."""
    if not evaluate(root, doc):
        return []
    out: dict[str, None] = {}
    for label in _fired(root, doc):
        out.setdefault(label)
        if len(out) == cap:
            break
    return list(out)
