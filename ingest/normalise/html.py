"""HTML from feeds made safe (nh3) and turned into clean text.

Feed HTML is hostile input. `sanitize_html` keeps formatting but no script,
event handler, `javascript:` URL or style; `html_to_text` gives the readable
text that enrichment and search use.
"""

from __future__ import annotations

import html as htmllib
import re

import nh3

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

_ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "li",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "u",
    "ul",
}
_ALLOWED_ATTRS = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title"},
    "abbr": {"title"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan"},
}


def sanitize_html(fragment: str) -> str:
    """Safe HTML: a fixed allow-list, http(s)/mailto links only, no styles or handlers."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


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
