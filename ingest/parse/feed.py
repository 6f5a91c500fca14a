"""Feed bytes → `ParsedFeed` of normalised `Article`s.

XML feeds (RSS 0.9x/1.0/2.0, Atom 0.3/1.0, RDF, CDF) go through feedparser from
an in-memory stream — handed raw bytes, feedparser would try to open them as a
file name, and handed a URL it would fetch it; it never gets either. Its own
sanitiser is off: we keep no HTML at all, only clean text (`normalise/html.py`),
which is faster and at least as safe. Markup declarations (DOCTYPE, entities) are
cut out first (`xmlsafety.py`). Well-formed RSS 2.0, Atom 1.0 and RDF feeds take a
fast path (`fastpath.py`) that reads the items with lxml exactly as feedparser
would, and hands anything it cannot reproduce with certainty back to feedparser.
JSON Feed 1.0/1.1, which feedparser cannot read, has its own reader. A bozo feed
still yields what it can, with the reason kept.
"""

from __future__ import annotations

import io
import json
import re
import xml.sax
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import feedparser
from feedparser.exceptions import UndeclaredNamespace

from ingest.normalise import canonical_url, entry_links, host_of, html_to_text, parse_date
from ingest.parse.fastpath import parse_fast
from ingest.parse.item import FeedItem
from ingest.parse.limits import cap_item, cap_url, keep_newest
from ingest.parse.trim import trim_to_newest
from ingest.parse.xmlsafety import UnsafeXml, strip_doctype
from wirewatch.core.ids import (
    article_id_fallback,
    article_id_from_guid,
    article_id_from_url,
    content_hash,
)
from wirewatch.core.models import Article, Enclosure, Feed
from wirewatch.core.settings import LimitsSettings
from wirewatch.core.truncate import truncate

_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_SKIP_HOURS = re.compile(rb"<skipHours>(.*?)</skipHours>", re.S | re.I)
_SKIP_DAYS = re.compile(rb"<skipDays>(.*?)</skipDays>", re.S | re.I)
_HOUR = re.compile(rb"<hour>\s*(\d{1,2})\s*</hour>", re.I)
_DAY = re.compile(rb"<day>\s*([A-Za-z]+)\s*</day>", re.I)
# feedparser's own split of "jonas@insanity.industries (Jonas)" stops the address at a
# four-letter top-level domain and leaves "stries (Jonas" as the name, and it keeps
# "(mailto:" of "Simon (mailto:simon@example.com)"; we read the one raw author ourselves.
_EMAIL = r"(?:mailto:)?[^\s@()<>]+@[^\s@()<>]+"
_EMAIL_THEN_NAME = re.compile(rf"^{_EMAIL}\s*\((.+)\)$")
_NAME_THEN_EMAIL = re.compile(rf"^(.+?)\s*[(<]\s*{_EMAIL}\s*[)>]$")
# feedparser's strict parser failed (it then reads on with its loose parser)
_FATAL_XML = (xml.sax.SAXException, UndeclaredNamespace)


@dataclass
class ParsedFeed:
    format: str
    title: str | None
    site_url: str | None
    language: str | None
    ttl_minutes: int | None = None
    skip_hours: frozenset[int] = frozenset()
    skip_days: frozenset[str] = frozenset()
    bozo_reason: str | None = None
    # Why nothing could be read (not a feed, XML too broken to yield an item, invalid
    # JSON, refused as unsafe): a feed with this and no articles has failed, not "ok".
    error: str | None = None
    articles: list[Article] = field(default_factory=list)
    parser: str = "feedparser"  # or "lxml" (the fast path) or "json"
    items_dropped: int = 0  # older items beyond limits.items_per_feed


def _unreadable(reason: str, *, fmt: str = "unknown", parser: str = "feedparser") -> ParsedFeed:
    """A document nothing could be read from: the reason is its bozo note and its error."""
    return ParsedFeed(
        format=fmt,
        title=None,
        site_url=None,
        language=None,
        bozo_reason=reason,
        error=reason,
        parser=parser,
    )


def looks_like_json(body: bytes, content_type: str | None) -> bool:
    if content_type and "json" in content_type.lower():
        return True
    return body.lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{"


def parse_feed(
    body: bytes,
    *,
    feed: Feed,
    fetched_at: datetime,
    content_type: str | None = None,
    base_url: str | None = None,
    content_language: str | None = None,
    fast_path: bool = True,
    limits: LimitsSettings | None = None,
) -> ParsedFeed:
    """Parse and normalise one fetched feed. Never does I/O; never raises for bad input.

    `content_type`, `base_url` and `content_language` come from the HTTP response
    (Content-Type, the final URL or Content-Location, Content-Language).
    `fast_path=False` sends XML through feedparser only, for cross-checks.
    `limits` bound the items kept and every field (`limits.py`); defaults if None.
    """
    limits = limits or LimitsSettings()
    base = base_url or (feed.url if feed.url.startswith("http") else None)
    if looks_like_json(body, content_type):
        meta, items = _read_json_feed(body, base, limits.items_per_feed)
    else:
        meta, items = _read_xml_feed(body, content_type, base, fast_path, limits.items_per_feed)
    items, dropped = keep_newest(items, limits.items_per_feed, lambda it: it.published)
    meta.items_dropped += dropped
    if not meta.language and content_language:
        meta.language = content_language.split(",")[0].strip() or None
    meta.title = truncate(meta.title, limits.title_chars) if meta.title else None
    meta.site_url = cap_url(meta.site_url, limits)
    source = meta.title or host_of(meta.site_url) or host_of(feed.url) or feed.url
    meta.articles = _to_articles(
        [cap_item(it, limits) for it in items],
        feed,
        source,
        host_of(meta.site_url or base),
        fetched_at,
        meta.language,
    )
    return meta


# --- XML through feedparser -----------------------------------------------------------------


def _text(value: Any) -> str:
    return html_to_text(value) if isinstance(value, str) else ""


def _read_xml_feed(
    body: bytes, content_type: str | None, base: str | None, fast_path: bool, item_limit: int
) -> tuple[ParsedFeed, list[FeedItem]]:
    headers = {"content-type": content_type or "application/xml"}
    if base:
        headers["content-location"] = base
    try:
        safe, doctype_reason = strip_doctype(body, headers)
    except UnsafeXml as e:
        return _unreadable(str(e)), []
    trimmed = trim_to_newest(safe, item_limit)
    if trimmed is not None:
        safe = trimmed[0]
    d = parse_fast(safe, headers) if fast_path else None
    parser = "feedparser" if d is None else "lxml"
    if d is None:
        d = feedparser.parse(
            io.BytesIO(safe),
            response_headers=headers,
            sanitize_html=False,
            resolve_relative_uris=False,
        )
    f = d.get("feed", {})
    bozo = _bozo_text(d)
    reasons = [r for r in (doctype_reason, bozo) if r]
    error = None
    if not d.get("version") and not d.entries:
        error = "not a feed: no RSS, Atom, RDF or JSON Feed content found"
        reasons.append(error)
    elif not d.entries and isinstance(d.get("bozo_exception"), _FATAL_XML):
        error = f"{bozo}; no item could be read"
    ttl = f.get("ttl")
    meta = ParsedFeed(
        format=d.get("version") or "unknown",
        title=_text(f.get("title")) or None,
        site_url=canonical_url(f.get("link"), base) if f.get("link") else None,
        language=(f.get("language") or None),
        ttl_minutes=int(ttl) if isinstance(ttl, str) and ttl.strip().isdigit() else None,
        skip_hours=_skip_hours(safe),
        skip_days=_skip_days(safe),
        bozo_reason="; ".join(reasons) or None,
        error=error,
        parser=parser,
        items_dropped=trimmed[1] if trimmed is not None else 0,
    )
    item_base = meta.site_url or base
    return meta, [_xml_item(e, item_base, meta.language) for e in d.entries]


def _bozo_text(d: Mapping[str, Any]) -> str | None:
    if not d.get("bozo"):
        return None
    exc = d.get("bozo_exception")
    name = type(exc).__name__ if exc is not None else "error"
    if name == "CharacterEncodingOverride":
        return None  # a wrong charset declaration that feedparser corrected: not a problem
    return f"malformed feed ({name}: {exc})"[:500]


def _skip_hours(raw: bytes) -> frozenset[int]:
    m = _SKIP_HOURS.search(raw[:1_000_000])
    if not m:
        return frozenset()
    return frozenset(int(h) % 24 for h in _HOUR.findall(m.group(1)) if int(h) <= 24)


def _skip_days(raw: bytes) -> frozenset[str]:
    m = _SKIP_DAYS.search(raw[:1_000_000])
    if not m:
        return frozenset()
    days = {d.decode("ascii", "ignore").lower() for d in _DAY.findall(m.group(1))}
    return frozenset(d for d in days if d in _DAYS)


def _xml_item(e: dict[str, Any], base: str | None, language: str | None) -> FeedItem:
    contents = [c for c in e.get("content", []) if isinstance(c.get("value"), str)]
    text = max((_text(c["value"]) for c in contents), key=len, default="")
    summary = _text(e.get("summary"))
    if not summary and text:
        summary = text[:500]
    authors = [a.get("name") or a.get("email") for a in e.get("authors", []) if a]
    if len(authors) <= 1 and isinstance(e.get("author"), str) and e["author"].strip():
        authors = [_author_name(e["author"])]
    # dict.get: feedparser's own get() maps a missing 'updated' to 'published', with a warning
    updated_raw = dict.get(e, "updated")
    date_raw = e.get("published") or updated_raw or e.get("created") or ""
    link = e.get("link")
    if not link:
        links = [lk.get("href") for lk in e.get("links", []) if lk.get("href")]
        link = links[0] if links else None
    return FeedItem(
        link=canonical_url(link, base, keep_fragment=True) if link else None,
        guid=(e.get("id") or e.get("guid") or None),
        title=_text(e.get("title")),
        summary=summary,
        text=text,
        authors=_dedup(_text(a) for a in authors if a),
        date_raw=date_raw,
        published=parse_date(e.get("published") or e.get("created")) or parse_date(updated_raw),
        updated=parse_date(updated_raw),
        categories=_dedup(_text(t.get("term") or t.get("label")) for t in e.get("tags", [])),
        enclosures=_enclosures(e.get("enclosures", []), base),
        # xml:lang on an entry's content or summary says more than the channel's language
        language=next(
            (d["language"] for d in (*contents, e.get("summary_detail", {})) if d.get("language")),
            language,
        ),
    )


def _author_name(raw: str) -> str:
    raw = raw.strip()
    for pattern in (_EMAIL_THEN_NAME, _NAME_THEN_EMAIL):
        if m := pattern.match(raw):
            return m[1].strip()
    return raw


def _enclosures(raw: Iterable[Mapping[str, Any]], base: str | None) -> list[Enclosure]:
    out = []
    for enc in raw:
        href = canonical_url(enc.get("href") or enc.get("url"), base)
        if not href:
            continue
        length = enc.get("length") or enc.get("size_in_bytes")
        try:
            size = int(length) if length not in (None, "") else None
        except (TypeError, ValueError):
            size = None
        out.append(
            Enclosure(
                url=href,
                type=enc.get("type") or enc.get("mime_type"),
                length=size if size is None or size >= 0 else None,
            )
        )
    return out


def _dedup(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for v in values:
        if v and v not in seen:
            seen[v] = None
    return list(seen)


# --- JSON Feed ------------------------------------------------------------------------------


def _read_json_feed(
    body: bytes, base: str | None, item_limit: int
) -> tuple[ParsedFeed, list[FeedItem]]:
    try:
        doc = json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        return _unreadable(f"invalid JSON Feed: {e}", fmt="json", parser="json"), []
    if not isinstance(doc, dict):
        not_object = "invalid JSON Feed: the top level is not an object"
        return _unreadable(not_object, fmt="json", parser="json"), []
    version = str(doc.get("version", ""))
    fmt = "json11" if version.endswith("/1.1") else "json10" if version.endswith("/1") else "json"
    reason = (
        None
        if "jsonfeed.org/version" in version
        else "JSON document without a JSON Feed version; read as JSON Feed anyway"
    )
    site = doc.get("home_page_url") if isinstance(doc.get("home_page_url"), str) else None
    item_base = canonical_url(site, base) if site else base
    meta = ParsedFeed(
        format=fmt,
        parser="json",
        title=_text(doc.get("title")) or None,
        site_url=canonical_url(site, base) if site else None,
        language=doc.get("language") if isinstance(doc.get("language"), str) else None,
        bozo_reason=reason,
    )
    raw: list[Any] = doc["items"] if isinstance(doc.get("items"), list) else []
    # cut before reading: reading an item costs far more than dating it
    items, meta.items_dropped = keep_newest(
        [i for i in raw if isinstance(i, dict)], item_limit, _json_published
    )
    feed_authors = _json_authors(doc)
    return meta, [_json_item(i, item_base, meta.language, feed_authors) for i in items]


def _json_date(i: Mapping[str, Any], key: str) -> datetime | None:
    value = i.get(key)
    return parse_date(value) if isinstance(value, str) else None


def _json_published(i: Mapping[str, Any]) -> datetime | None:
    return _json_date(i, "date_published") or _json_date(i, "date_modified")


def _json_authors(obj: Mapping[str, Any]) -> list[str]:
    authors = obj.get("authors")
    if not isinstance(authors, list):
        authors = [obj["author"]] if isinstance(obj.get("author"), dict) else []
    return [str(a.get("name")) for a in authors if isinstance(a, dict) and a.get("name")]


def _json_item(
    i: Mapping[str, Any], base: str | None, language: str | None, feed_authors: list[str]
) -> FeedItem:
    html = i.get("content_html") if isinstance(i.get("content_html"), str) else None
    plain = i.get("content_text") if isinstance(i.get("content_text"), str) else None
    text = _text(html) if html else html_to_text(plain or "")
    summary = _text(i.get("summary")) or text[:500]
    date_raw = str(i.get("date_published") or i.get("date_modified") or "")
    tags: list[Any] = i["tags"] if isinstance(i.get("tags"), list) else []
    link = i.get("url") or i.get("external_url")
    guid = i.get("id")
    return FeedItem(
        link=canonical_url(link, base, keep_fragment=True) if isinstance(link, str) else None,
        guid=str(guid) if guid not in (None, "") else None,
        title=_text(i.get("title")),
        summary=summary,
        text=text,
        authors=_json_authors(i) or feed_authors,
        date_raw=date_raw,
        published=_json_published(i),
        updated=_json_date(i, "date_modified"),
        categories=_dedup(str(t) for t in tags if isinstance(t, str | int)),
        enclosures=_enclosures(
            [a for a in (i.get("attachments") or []) if isinstance(a, dict)], base
        ),
        language=i.get("language") if isinstance(i.get("language"), str) else language,
    )


# --- ids and articles -------------------------------------------------------------------------


def _to_articles(
    capped: list[tuple[FeedItem, list[str]]],
    feed: Feed,
    source: str,
    domain: str | None,
    fetched_at: datetime,
    language: str | None,
) -> list[Article]:
    """Apply the article id contract (DESIGN.md) and keep the first of repeated items.

    `capped` pairs each item with the fields the limits cut (`limits.cap_item`).
    """
    for (it, _), link in zip(
        capped, entry_links([(it.link, it.guid) for it, _ in capped]), strict=True
    ):
        it.link = link
    guids_per_link: dict[str, set[str | None]] = {}
    for it, _ in capped:
        if it.link:
            guids_per_link.setdefault(it.link, set()).add(it.guid)
    shared = {link for link, guids in guids_per_link.items() if len(guids) > 1}

    out: list[Article] = []
    seen: set[str] = set()
    for it, cut in capped:
        body_hash = content_hash(it.title, it.summary, it.text)
        if it.link and (it.link not in shared or not it.guid):
            aid = article_id_from_url(it.link)
        elif it.guid:
            aid = article_id_from_guid(feed.id, it.guid)
        else:
            aid = article_id_fallback(feed.id, it.title, it.date_raw, body_hash)
        if aid in seen:
            continue
        seen.add(aid)
        out.append(
            Article(
                id=aid,
                url=it.link,
                canonical_url=it.link,
                guid=it.guid,
                feed_id=feed.id,
                feed_url=feed.url,
                source=source,
                source_domain=host_of(it.link) or domain,
                title=it.title,
                summary=it.summary,
                text=it.text,
                authors=it.authors,
                published_at=it.published or fetched_at,
                published_is_fetch_time=it.published is None,
                updated_at=it.updated,
                fetched_at=fetched_at,
                language=it.language or language,
                categories=it.categories,
                enclosures=it.enclosures,
                content_hash=body_hash,
                truncated=cut,
            )
        )
    return out
