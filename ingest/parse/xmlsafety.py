"""Neutralise XML that could make a parser expand entities or fetch a DTD.

Entity-expansion bombs (billion laughs, quadratic blowup) and external entities
(XXE) live in the DOCTYPE's internal subset or its SYSTEM identifier. No real
news feed needs either, so the DOCTYPE declaration is cut out before any XML
parser sees the bytes (as defusedxml refuses them); undefined entity references
left behind are then plain text to feedparser's fallback parser. The scan is
linear and bounded, whatever the input.
"""

from __future__ import annotations

import re

# Enough to cover any prolog; a DOCTYPE after this is not a prolog DOCTYPE.
_PROLOG_SCAN = 64 * 1024
_DOCTYPE_START = re.compile(rb"<!DOCTYPE", re.I)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_FIRST_ELEMENT_16 = re.compile(rb"<\x00[A-Za-z_]")
_UTF16_DOCTYPE = re.compile(rb"<\x00!\x00D\x00O\x00C\x00T\x00Y\x00P\x00E\x00", re.I)


def _doctype_end(data: bytes, start: int, step: int) -> int:
    """Index after the DOCTYPE's closing '>', honouring an internal subset [ … ]."""
    depth = 0
    quote = 0
    i = start
    n = len(data)
    while i < n:
        c = data[i]
        if quote:
            if c == quote:
                quote = 0
        elif c in (0x22, 0x27):  # " '
            quote = c
        elif c == 0x5B:  # [
            depth += 1
        elif c == 0x5D:  # ]
            depth = max(0, depth - 1)
        elif c == 0x3E and depth == 0:  # >
            return i + step
        i += step
    return n


_COMMENT = re.compile(rb"<!--.*?-->", re.S)


def _blank_comments(head: bytes) -> bytes:
    """Comments replaced by spaces of the same length, so offsets stay valid."""
    return _COMMENT.sub(lambda m: b" " * len(m.group(0)), head)


def strip_doctype(data: bytes) -> tuple[bytes, str | None]:
    """Remove DOCTYPE declarations from the prolog; returns (bytes, reason or None)."""
    head = _blank_comments(data[:_PROLOG_SCAN])
    step = 1
    m = _DOCTYPE_START.search(head)
    root = _FIRST_ELEMENT.search(head)
    if m is None:
        step = 2
        m = _UTF16_DOCTYPE.search(head)
        root = _FIRST_ELEMENT_16.search(head)
    if m is None or (root is not None and root.start() < m.start()):
        return data, None  # no DOCTYPE in the prolog ('<!DOCTYPE' inside content is text)
    end = _doctype_end(data, m.start(), step)
    declaration = data[m.start() : end]
    reason = "DOCTYPE removed before parsing (DTDs and entity declarations are never processed)"
    if b"ENTITY" in declaration.upper() or b"E\x00N\x00T\x00I\x00T\x00Y" in declaration.upper():
        reason = (
            "DOCTYPE with entity declarations removed before parsing "
            "(entity expansion and external entities are refused)"
        )
    return data[: m.start()] + data[end:], reason
