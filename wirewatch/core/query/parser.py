"""The query parser: one grammar for `wirewatch search` and alert rules.

    query   := or EOF
    or      := and ("OR" and)*
    and     := unary (["AND"] unary)*          implicit AND between neighbours
    unary   := ("NOT" | "-") unary | primary
    primary := "(" or ")" | [FIELD ":"] (WORD["*"] | '"' words '"' ["~" N] | "(" or ")")

Operators are upper-case (`and` is a word). Errors carry the 1-based column and
say what was expected, because a rule that silently means something else is
worse than one refused.

Every consumer of the tree (this checker, the SQL compiler, the matcher) walks
it recursively, so the tree's depth is bounded here: parentheses and negations
together nest at most MAX_DEPTH levels, and a chain of NOTs is parsed by a loop,
not by recursion, so a long one is refused with the limit instead of a
RecursionError.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from wirewatch.core.errors import QueryError
from wirewatch.core.query.ast import FIELDS, TEXT_FIELDS, And, Node, Not, Or, Phrase, Query, Term
from wirewatch.core.query.text import words

MAX_QUERY_LENGTH = 4000
MAX_DEPTH = 20
MAX_PROXIMITY = 1000


@dataclass(frozen=True)
class _Tok:
    kind: str  # WORD PHRASE LP RP AND OR NOT MINUS FIELD EOF
    value: str
    col: int
    prefix: bool = False
    proximity: int | None = None


def _err(msg: str, col: int, hint: str | None = None) -> QueryError:
    return QueryError(msg, column=col, hint=hint)


def _lex(text: str) -> list[_Tok]:
    toks: list[_Tok] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        col = i + 1
        if c.isspace():
            i += 1
        elif c == "(":
            toks.append(_Tok("LP", c, col))
            i += 1
        elif c == ")":
            toks.append(_Tok("RP", c, col))
            i += 1
        elif c == '"':
            end = text.find('"', i + 1)
            if end < 0:
                raise _err("unclosed quote", col, 'close the phrase with "')
            value = text[i + 1 : end]
            i = end + 1
            proximity = None
            if i < n and text[i] == "~":
                j = i + 1
                while j < n and text[j] in "0123456789":
                    j += 1
                if j == i + 1:
                    raise _err("expected a number after ~", i + 1, 'write "a b"~5')
                proximity = int(text[i + 1 : j])
                if proximity > MAX_PROXIMITY:
                    raise _err(
                        f"proximity ~{proximity} is too large; the limit is {MAX_PROXIMITY} words",
                        i + 1,
                        f'write "a b"~{MAX_PROXIMITY} or less',
                    )
                i = j
            toks.append(_Tok("PHRASE", value, col, proximity=proximity))
        elif (
            c == "-"
            and i + 1 < n
            and not text[i + 1].isspace()
            and (i == 0 or text[i - 1].isspace() or text[i - 1] == "(")
        ):
            toks.append(_Tok("MINUS", c, col))
            i += 1
        else:
            after_field = (
                bool(toks)
                and toks[-1].kind == "FIELD"
                and toks[-1].col + len(toks[-1].value) + 1 == col
            )
            j = i
            while j < n and not text[j].isspace() and text[j] not in '()"':
                j += 1
                if (
                    not after_field
                    and text[j - 1] == ":"
                    and j - 1 > i
                    and text[i : j - 1].isalpha()
                ):
                    break  # a field name: the value is lexed as the next token
            raw = text[i:j]
            i = j
            toks.append(_word_token(raw, col, value_only=after_field))
    toks.append(_Tok("EOF", "", len(text) + 1))
    return toks


def _word_token(raw: str, col: int, *, value_only: bool = False) -> _Tok:
    if raw in {"AND", "OR", "NOT"} and not value_only:
        return _Tok(raw, raw, col)
    if raw == "&&":
        return _Tok("AND", raw, col)
    if raw == "||":
        return _Tok("OR", raw, col)
    if raw.endswith(":") and raw[:-1].isalpha() and not value_only:
        name = raw[:-1].lower()
        if name not in FIELDS:
            close = difflib.get_close_matches(name, sorted(FIELDS), n=1)
            hint = (
                f"did you mean '{close[0]}:'?"
                if close
                else ("fields are " + ", ".join(f"{f}:" for f in sorted(FIELDS)))
            )
            raise _err(f"unknown field '{name}:'", col, hint)
        return _Tok("FIELD", name, col)
    if raw == "*":
        raise _err(
            "a bare * matches everything and is not allowed", col, "search for words, e.g. gaza*"
        )
    if raw.startswith("*"):
        raise _err(
            f"leading wildcard in '{raw}' is not supported",
            col,
            "put the * at the end of a word: mail*",
        )
    if "~" in raw:
        raise _err(
            f"fuzzy matching ('{raw}') is not supported",
            col,
            'spell the word out, use prefix*, or proximity "a b"~5',
        )
    prefix = raw.endswith("*")
    body = raw[:-1] if prefix else raw
    if "*" in body:
        raise _err(f"a wildcard may only end a word: '{raw}'", col, "write prefix*")
    if not words(body):
        raise _err(
            f"'{raw}' has no letters or digits to search for",
            col,
            "remove it or quote it with words",
        )
    return _Tok("WORD", body, col, prefix=prefix)


class _Parser:
    def __init__(self, text: str) -> None:
        self.toks = _lex(text)
        self.pos = 0
        self.depth = 0

    @property
    def cur(self) -> _Tok:
        return self.toks[self.pos]

    def take(self) -> _Tok:
        tok = self.toks[self.pos]
        self.pos += 1
        return tok

    def parse(self) -> Node:
        if self.cur.kind == "EOF":
            raise _err("empty query", 1, "write some words to look for")
        node = self.or_()
        if self.cur.kind == "RP":
            raise _err(
                "unexpected ')' without a matching '('", self.cur.col, "remove it or add the '('"
            )
        if self.cur.kind != "EOF":
            raise _err(f"unexpected {self.cur.value!r}", self.cur.col)
        return node

    def or_(self) -> Node:
        items = [self.and_()]
        while self.cur.kind == "OR":
            self.take()
            items.append(self.and_())
        return items[0] if len(items) == 1 else Or(tuple(items))

    def and_(self) -> Node:
        items = [self.unary()]
        while True:
            if self.cur.kind == "AND":
                self.take()
                items.append(self.unary())
            elif self.cur.kind in {"WORD", "PHRASE", "LP", "NOT", "MINUS", "FIELD"}:
                items.append(self.unary())
            else:
                break
        return items[0] if len(items) == 1 else And(tuple(items))

    def unary(self) -> Node:
        negations: list[_Tok] = []
        while self.cur.kind in {"NOT", "MINUS"}:
            negations.append(self.take())
            self._enter(negations[-1])
        node = self.primary(None)
        for tok in reversed(negations):
            node = Not(node, column=tok.col)
        self.depth -= len(negations)
        return node

    def _enter(self, tok: _Tok) -> None:
        """One level deeper (a '(' or a NOT); refuse beyond MAX_DEPTH."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _err(
                f"parentheses and NOTs nested more than {MAX_DEPTH} levels deep",
                tok.col,
                "simplify the query (NOT NOT a is a)",
            )

    def primary(self, field: str | None) -> Node:
        tok = self.cur
        if tok.kind == "LP":
            self.take()
            self._enter(tok)
            if self.cur.kind == "RP":
                raise _err("empty parentheses", tok.col, "put words inside ( )")
            node = _apply_field(self.or_(), field) if field else self.or_()
            if self.cur.kind != "RP":
                raise _err("expected ')' to close the '(' here", tok.col, "add the missing ')'")
            self.take()
            self.depth -= 1
            return node
        if tok.kind == "FIELD":
            self.take()
            if field is not None:
                raise _err(
                    f"field '{tok.value}:' inside '{field}:'", tok.col, "use one field per group"
                )
            if self.cur.kind not in {"WORD", "PHRASE", "LP"}:
                raise _err(f"expected a word, a \"phrase\" or ( after '{tok.value}:'", self.cur.col)
            return self.primary(tok.value)
        if tok.kind == "WORD":
            self.take()
            return Term(tok.value, field, tok.prefix, column=tok.col)
        if tok.kind == "PHRASE":
            self.take()
            if not words(tok.value):
                raise _err("empty phrase", tok.col, "put words between the quotes")
            if tok.proximity is not None and field not in {None, *TEXT_FIELDS}:
                raise _err(
                    f"proximity ~{tok.proximity} only works on text, not '{field}:'", tok.col
                )
            if tok.proximity is not None and len(words(tok.value)) < 2:
                raise _err("proximity needs at least two words", tok.col, 'write "a b"~5')
            return Phrase(tok.value, field, tok.proximity, column=tok.col)
        if tok.kind == "EOF":
            prev = self.toks[self.pos - 1] if self.pos else tok
            what = f"after {prev.value}" if prev.kind in {"AND", "OR", "NOT", "MINUS"} else "here"
            raise _err(f'expected a word, a "phrase" or ( {what}', tok.col)
        raise _err(f'expected a word, a "phrase" or (, found {tok.value!r}', tok.col)


def _apply_field(node: Node, field: str) -> Node:
    if isinstance(node, Term):
        return Term(node.value, field, node.prefix, column=node.column)
    if isinstance(node, Phrase):
        return Phrase(node.value, field, node.proximity, column=node.column)
    if isinstance(node, Not):
        return Not(_apply_field(node.item, field), column=node.column)
    if isinstance(node, And):
        return And(tuple(_apply_field(i, field) for i in node.items))
    return Or(tuple(_apply_field(i, field) for i in node.items))


def _first_column(node: Node) -> int:
    if isinstance(node, Term | Phrase | Not):
        return node.column
    return _first_column(node.items[0])


def _positive(node: Node) -> bool:
    """Can this match without matching 'everything except …'?"""
    if isinstance(node, Term | Phrase):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(i) for i in node.items)
    return all(_positive(i) for i in node.items)


def _check_negation(node: Node) -> None:
    """Refuse parts that would match everything but something ('NOT iraq', 'a OR -b')."""
    if isinstance(node, Or):
        for item in node.items:
            _check_negation(item)
    elif not _positive(node):
        raise _err(
            "a query cannot be only negative",
            _first_column(node),
            "add something to look for, e.g. 'gaza NOT iraq'",
        )


def parse_query(text: str) -> Query:
    """Parse and check a query; raises QueryError naming the column and what was expected."""
    if len(text) > MAX_QUERY_LENGTH:
        raise _err(
            f"query is {len(text)} characters; the limit is {MAX_QUERY_LENGTH}",
            MAX_QUERY_LENGTH + 1,
            "split it into several alerts",
        )
    root = _Parser(text).parse()
    _check_negation(root)
    return Query(root, text)
