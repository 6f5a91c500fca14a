"""Neutralise XML that could make a parser expand entities or fetch a DTD.

Entity-expansion bombs (billion laughs, quadratic blow-up) and external entities
(XXE) live in markup declarations: a DOCTYPE's internal subset or SYSTEM
identifier, or a stray `<!ENTITY …>`. No real news feed needs any of them, so
every markup declaration before the root element is cut out before an XML
parser sees the document (as defusedxml refuses them).

Where to look is decided by what the parsers will read, not by guessing at raw
bytes: feedparser and the fast path both first transcode the document to UTF-8
with feedparser's `convert_to_utf8` (BOM, UTF-16/32 and EBCDIC sniffing, the
XML declaration's encoding, the HTTP charset, RFC 3023's rules), so we run that
same function and scan its output — whatever the encoding and however long the
prolog. A declaration found there is cut from the text in the encoding the
parsers chose, re-encoded in it, and the result is scanned again; a document that
still holds a declaration is refused (`UnsafeXml`). The memory cap and CPU
deadline of `parse_guard.py` remain the second line of defence.

The scan is deliberately wider than XML's own prolog, because feedparser reads
declarations with regular expressions that ignore comments: everything before
the root element (the first `<` + letter outside comments, processing
instructions and declarations) is searched, comments included, and an
unterminated comment or processing instruction does not end the search.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Mapping

from feedparser.encodings import convert_to_utf8

_DECLARATION = re.compile(rb"<![A-Za-z]")
_ROOT_START = re.compile(rb"[A-Za-z_]")
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_SKIPPED = ((b"<!--", b"-->"), (b"<?", b"?>"))
# Rounds of cut-and-rescan before a document is refused: a cut that exposes a new
# declaration needs adversarial input, and a second round removes it.
_ROUNDS = 3


class UnsafeXml(ValueError):
    """A markup declaration could not be removed with certainty; the feed is refused."""


def _declaration_end(data: bytes, start: int) -> int:
    """Index after the declaration's closing '>', skipping quoted literals and, inside an
    internal subset [ … ], comments and processing instructions; len(data) if unclosed."""
    depth = 0
    i = start + 2
    n = len(data)
    while i < n:
        c = data[i]
        if c in (0x22, 0x27):  # " '
            close = data.find(bytes((c,)), i + 1)
            i = n if close < 0 else close + 1
            continue
        if depth and c == 0x3C:  # '<' inside the subset
            markup = next(((op, cl) for op, cl in _SKIPPED if data.startswith(op, i)), None)
            if markup is not None:
                opener, closer = markup
                close = data.find(closer, i + len(opener))
                i = n if close < 0 else close + len(closer)
                continue
        if c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif c == 0x3E and depth == 0:  # >
            return i + 1
        i += 1
    return n


def _in_markup(data: bytes, start: int, end: int) -> list[tuple[int, int]]:
    """Declarations inside a comment or processing instruction, as feedparser's regular
    expressions see them: each up to its first '>' (and never past the comment's end)."""
    spans = []
    pos = start
    while (m := _DECLARATION.search(data, pos, end)) is not None:
        close = data.find(b">", m.start(), end)
        spans.append((m.start(), end if close < 0 else close + 1))
        pos = spans[-1][1]
    return spans


def _declarations(data: bytes) -> list[tuple[int, int]]:
    """Spans of every markup declaration before the root element of UTF-8 (or ASCII) `data`,
    in order, comments and processing instructions included."""
    spans: list[tuple[int, int]] = []
    unclosed: set[bytes] = set()
    pos = 0
    while (lt := data.find(b"<", pos)) >= 0:
        if _ROOT_START.match(data, lt + 1):
            break
        pos = lt + 1
        if _DECLARATION.match(data, lt):
            pos = _declaration_end(data, lt)
            spans.append((lt, pos))
            continue
        for opener, closer in _SKIPPED:
            if data.startswith(opener, lt):
                body = lt + len(opener)
                close = -1 if closer in unclosed else data.find(closer, body)
                if close < 0:  # not a comment to every reader, so read on inside it
                    unclosed.add(closer)  # nor will a later one close: keep the scan linear
                    pos = body
                else:
                    spans += _in_markup(data, body, close)
                    pos = close + len(closer)
                break
    return spans


def _cut(data: bytes, spans: list[tuple[int, int]]) -> bytes:
    """`data` without the spans. A span that is not at the start leaves one space, so the
    text on either side cannot join into a new declaration ('<!' + 'ENTITY …')."""
    out, pos = [], 0
    for start, end in spans:
        out.append(data[pos:start])
        if start:
            out.append(b" ")
        pos = end
    out.append(data[pos:])
    return b"".join(out)


def _bom_length(data: bytes) -> int:
    """The byte-order mark that `convert_to_utf8` strips before decoding (same tests)."""
    if data[:4] in (codecs.BOM_UTF32_BE, codecs.BOM_UTF32_LE):
        return 4
    if data[:2] in (codecs.BOM_UTF16_BE, codecs.BOM_UTF16_LE) and data[2:4] != b"\0\0":
        return 2
    return 3 if data[:3] == codecs.BOM_UTF8 else 0


def _as_parsed(data: bytes, headers: Mapping[str, str]) -> tuple[bytes, str]:
    """The UTF-8 text every parser of ours will read, and the encoding it came from
    ('' when feedparser found none and parses the raw bytes)."""
    result: dict[str, object] = {}
    utf8 = convert_to_utf8(dict(headers), data, result)
    return utf8, str(result.get("encoding") or "")


def _cut_in_encoding(data: bytes, encoding: str) -> tuple[bytes, bool]:
    """Cut every declaration from `data` read in `encoding`; (new bytes, entities were cut)."""
    if not encoding:
        spans = _declarations(data)
        return _cut(data, spans), any(_ENTITY.search(data, s, e) for s, e in spans)
    bom = _bom_length(data)
    text = data[bom:].decode(encoding).encode("utf-8")
    spans = _declarations(text)
    clean = _cut(text, spans).decode("utf-8").encode(encoding)
    return data[:bom] + clean, any(_ENTITY.search(text, s, e) for s, e in spans)


def strip_doctype(data: bytes, headers: Mapping[str, str]) -> tuple[bytes, str | None]:
    """`data` without markup declarations before its root element, and the reason if any
    were removed. `headers` are the response headers the parsers get (Content-Type).
    Raises UnsafeXml if a declaration cannot be removed."""
    utf8, encoding = _as_parsed(data, headers)
    if not _declarations(utf8):
        return data, None
    had_entities = False
    for _ in range(_ROUNDS):
        try:
            data, cut_entities = _cut_in_encoding(data, encoding)
        except (UnicodeError, LookupError):
            break
        had_entities |= cut_entities
        utf8, encoding = _as_parsed(data, headers)
        if not _declarations(utf8):
            if had_entities:
                return data, (
                    "DOCTYPE with entity declarations removed before parsing "
                    "(entity expansion and external entities are refused)"
                )
            return data, (
                "DOCTYPE removed before parsing (DTDs and entity declarations are never processed)"
            )
    raise UnsafeXml(
        "feed refused: its DOCTYPE or entity declarations could not be removed safely "
        f"(encoding {encoding or 'unknown'})"
    )
