"""The query language: one grammar for search and alerts (see docs/query-language.md)."""

from wirewatch.core.query.ast import (
    ENTITY_FIELDS,
    FIELDS,
    TEXT_FIELDS,
    And,
    Node,
    Not,
    Or,
    Phrase,
    Query,
    Term,
)
from wirewatch.core.query.parser import parse_query

__all__ = [
    "ENTITY_FIELDS",
    "FIELDS",
    "TEXT_FIELDS",
    "And",
    "Node",
    "Not",
    "Or",
    "Phrase",
    "Query",
    "Term",
    "parse_query",
]
