"""The parsed form of a query: small immutable nodes every engine compiles.

`field` is None for the default (title or text). Text fields are stemmed;
the others (source, lang, topic, story and the entity fields) match folded words.
"""

from __future__ import annotations

import dataclasses as dc
from dataclasses import dataclass
from typing import Union

TEXT_FIELDS = frozenset({"title", "text"})
ENTITY_FIELDS = {
    "entity": None,
    "person": ("PERSON",),
    "org": ("ORG",),
    "place": ("GPE", "LOC", "FAC"),
}
EXACT_FIELDS = frozenset({"lang", "story"})
FIELDS = frozenset({*TEXT_FIELDS, "source", "lang", "topic", "story", *ENTITY_FIELDS})


def _quote(value: str) -> str:
    return '"' + value.replace('"', "") + '"'


@dataclass(frozen=True)
class Term:
    """A word (or words, e.g. 'cease-fire'); `prefix` for `word*`."""

    value: str
    field: str | None = None
    prefix: bool = False
    column: int = dc.field(default=0, compare=False)

    def to_text(self) -> str:
        body = self.value + ("*" if self.prefix else "")  # a WORD token never needs quotes
        return f"{self.field}:{body}" if self.field else body


@dataclass(frozen=True)
class Phrase:
    """Words in order; with `proximity`, all within that many words, in any order."""

    value: str
    field: str | None = None
    proximity: int | None = None
    column: int = dc.field(default=0, compare=False)

    def to_text(self) -> str:
        body = _quote(self.value) + (f"~{self.proximity}" if self.proximity is not None else "")
        return f"{self.field}:{body}" if self.field else body


@dataclass(frozen=True)
class And:
    items: tuple[Node, ...]

    def to_text(self) -> str:
        return " AND ".join(_wrap(i, Or) for i in self.items)


@dataclass(frozen=True)
class Or:
    items: tuple[Node, ...]

    def to_text(self) -> str:
        return " OR ".join(i.to_text() for i in self.items)


@dataclass(frozen=True)
class Not:
    item: Node
    column: int = dc.field(default=0, compare=False)

    def to_text(self) -> str:
        return "NOT " + _wrap(self.item, And, Or)


Node = Union[Term, Phrase, And, Or, Not]  # noqa: UP007 - a runtime alias, read by isinstance


def _wrap(node: Node, *kinds: type) -> str:
    text = node.to_text()
    return f"({text})" if isinstance(node, kinds) else text


@dataclass(frozen=True)
class Query:
    """A parsed query and the text it came from."""

    root: Node
    source: str

    def to_text(self) -> str:
        """Canonical form: explicit operators, quoted phrases; parses back to the same tree."""
        return self.root.to_text()
