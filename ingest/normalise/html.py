"""HTML from feeds turned into clean text.

Feed HTML is hostile input. Wirewatch never shows or sends it as HTML: every
title, summary and content becomes plain text here (scripts, styles and every tag
dropped, entities decoded), which is what enrichment, search and every output
use. No markup survives, so there is nothing left to sanitise.
"""

from __future__ import annotations

import html as htmllib
import re

_BLOCK = re.compile(
    r"<\s*(/?)(p|div|br|li|ul|ol|h[1-6]|tr|table|blockquote|section|article|pre|hr|dd|dt|"
    r"figcaption|header|footer)\b[^>]*>",
    re.I,
)
_DROP = re.compile(r"<(script|style|noscript|template|iframe|object)\b.*?(</\1\s*>|$)", re.I | re.S)
_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"[ \t\r\f\v\u00a0\u200b]+")
_BLANKS = re.compile(r"\n\s*\n+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def looks_like_html(text: str) -> bool:
    return ("<" in text and ">" in text) or "&" in text


def html_to_text(fragment: str | None) -> str:
    """Readable text: block elements become line breaks, entities decoded, whitespace tidy."""
    if not fragment:
        return ""
    text = _CONTROL.sub("", fragment)
    if looks_like_html(text):
        text = _DROP.sub(" ", text)
        text = _BLOCK.sub("\n", text)
        text = _TAG.sub("", text)
        if "&" in text:  # only entities can bring control characters back
            text = _CONTROL.sub("", htmllib.unescape(text))
        text = _TAG.sub("", text)  # tags that were entity-escaped in the feed
    # one pass over the whole text: _SPACES never matches a line break
    lines = [line.strip() for line in _SPACES.sub(" ", text).split("\n")]
    return _BLANKS.sub("\n\n", "\n".join(lines)).strip()
