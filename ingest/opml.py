"""OPML import and export: how feed lists move between readers.

Parsed with expat, with DOCTYPE and entity declarations refused outright (an OPML
file never needs them; they are how XML bombs and external entities get in).
A malformed file is one `FeedError` naming the file, line and column. So is a
file over `limits.opml_bytes` or with more outlines than `limits.opml_outlines`:
a 200,000-outline file would otherwise take minutes to subscribe to, and no
reader's export of a person's subscriptions comes near either limit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import quoteattr

from wirewatch.core.errors import FeedError
from wirewatch.core.models import Feed
from wirewatch.core.settings import LimitsSettings


@dataclass(frozen=True)
class OpmlFeed:
    url: str
    title: str | None = None
    html_url: str | None = None
    categories: tuple[str, ...] = field(default_factory=tuple)


class _Refused(Exception):
    pass


class _TooManyOutlines(Exception):
    pass


_BARE_AMP = re.compile(rb"&(?!#\d+;|#x[0-9a-fA-F]+;|[A-Za-z][A-Za-z0-9]*;)")


def parse_opml(
    data: bytes, *, source_name: str, limits: LimitsSettings | None = None
) -> list[OpmlFeed]:
    """The feeds (outlines with an xmlUrl) of an OPML document, in order, without repeats.

    Many real exports carry raw '&' in URLs; like feed readers, we accept those
    (escaped on a second try) and refuse anything else that is not well-formed.
    """
    limits = limits or LimitsSettings()
    if len(data) > limits.opml_bytes:
        raise FeedError(
            f"{source_name} is larger than limits.opml_bytes ({limits.opml_bytes:,} bytes)",
            hint="split the file, or raise limits.opml_bytes if it really is one feed list",
        )
    try:
        return _parse(data, source_name, limits.opml_outlines)
    except FeedError:
        repaired = _BARE_AMP.sub(b"&amp;", data)
        if repaired == data:
            raise
        try:
            return _parse(repaired, source_name, limits.opml_outlines)
        except FeedError:
            pass
        return _parse(data, source_name, limits.opml_outlines)  # the original file's error


def _parse(data: bytes, source_name: str, max_outlines: int) -> list[OpmlFeed]:
    parser = expat.ParserCreate()
    stack: list[str | None] = []
    feeds: dict[str, OpmlFeed] = {}
    saw_opml = False
    outlines = 0

    def refuse(*_: Any) -> None:
        raise _Refused("DOCTYPE/entity declarations are not allowed in OPML")

    def start(name: str, attrs: dict[str, str]) -> None:
        nonlocal saw_opml, outlines
        saw_opml = saw_opml or name.lower() == "opml"
        if name.lower() != "outline":
            return
        outlines += 1
        if outlines > max_outlines:
            raise _TooManyOutlines
        lower = {k.lower(): v for k, v in attrs.items()}
        url = (lower.get("xmlurl") or "").strip()
        title = (lower.get("title") or lower.get("text") or "").strip() or None
        if url:
            cats = tuple(c for c in stack if c)
            feeds.setdefault(url, OpmlFeed(url, title, lower.get("htmlurl") or None, cats))
            stack.append(None)
        else:
            stack.append(title)

    def end(name: str) -> None:
        if name.lower() == "outline" and stack:
            stack.pop()

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    try:
        parser.Parse(data, True)
    except expat.ExpatError as e:
        raise FeedError(
            f"{source_name} is not valid OPML: line {e.lineno}, column {e.offset + 1}: "
            f"{expat.ErrorString(e.code)}",
            hint="fix the XML there (an OPML export from a feed reader is well-formed)",
        ) from None
    except _Refused as e:
        raise FeedError(
            f"{source_name}: line {parser.CurrentLineNumber}: {e}",
            hint="remove the <!DOCTYPE …> declaration",
        ) from None
    except _TooManyOutlines:
        raise FeedError(
            f"{source_name} has more than limits.opml_outlines ({max_outlines:,}) outlines",
            hint="split the file, or raise limits.opml_outlines",
        ) from None
    if not saw_opml:
        raise FeedError(
            f"{source_name} is XML but not OPML (no <opml> element)",
            hint="export your subscriptions as OPML from your feed reader",
        )
    return list(feeds.values())


def write_opml(feeds: Sequence[Feed], title: str, *, now: datetime | None = None) -> bytes:
    """OPML 2.0 that feed readers (and `feeds import`) read back."""
    stamp = format_datetime(now or datetime.now(UTC), usegmt=True)
    lines = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<opml version="2.0">',
        f"  <head><title>{_text(title)}</title><dateCreated>{stamp}</dateCreated></head>",
        "  <body>",
    ]
    for f in feeds:
        name = f.title or f.url
        attrs = (
            f'type="rss" text={quoteattr(name)} title={quoteattr(name)} xmlUrl={quoteattr(f.url)}'
        )
        if f.site_url:
            attrs += f" htmlUrl={quoteattr(f.site_url)}"
        lines.append(f"    <outline {attrs}/>")
    lines += ["  </body>", "</opml>", ""]
    return "\n".join(lines).encode("utf-8")


def _text(value: str) -> str:
    return value.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
