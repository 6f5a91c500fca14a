"""The fast path: items of well-formed RSS 2.0, Atom 1.0 and RDF feeds read with lxml.

feedparser spends most of its time in Python callbacks for every XML event;
libxml2 builds the same document as a tree in C about a hundred times faster.
This module reads the entries from that tree *as feedparser 6.0.14 would* for
the entry keys `feed.py` reads — the same text transformations (strip, the
latin-1/UTF-8 repair, cp1252 code points), the same first- or last-wins rules
and depths, the same URI resolution and xml:base/xml:lang scoping, feedparser's
state that leaks from the feed into the first item — using feedparser's own
helpers where it has them. It declines (returns None, so the caller uses
feedparser) whenever it cannot be certain: malformed XML, a format other than
the three above, an encoding or content type feedparser would flag, an element
whose feedparser handler writes an exposed field and is not reproduced here,
or a reproduced one in an unusual shape (child elements, base64 or XHTML
content, nested where feedparser reads it with other state). Feed-level fields
come from feedparser itself, run on the document with its items cut out.
`tests/corpus/test_fast_path.py` checks that every corpus feed it accepts
gives the same articles as feedparser.

fastfeedparser was the other candidate: faster still, but it returns dates it
has already parsed with its own rules and maps elements its own way, so it
cannot tell us when its reading differs from feedparser's.

Safety is that of the slow path: the caller has already cut out any DOCTYPE,
and the parser resolves no entities, loads no DTD, touches no network and
keeps libxml2's size and depth limits (no `huge_tree`).
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from functools import lru_cache
from typing import Any

import feedparser
from feedparser.encodings import convert_to_utf8
from feedparser.exceptions import CharacterEncodingOverride
from feedparser.html import _cp1252
from feedparser.mixin import _FeedParserMixin
from feedparser.urls import _urljoin, make_safe_absolute_uri
from feedparser.util import FeedParserDict
from lxml import etree

_PARSER = etree.XMLParser(
    resolve_entities=False,
    no_network=True,
    load_dtd=False,
    huge_tree=False,
    recover=False,
    remove_comments=True,
    remove_pis=True,
    collect_ids=False,
)
# feedparser version -> the root element it must come from
_VERSIONS = {"rss20": "rss", "atom10": "feed", "rss10": "rdf_rdf"}
_NAMESPACES = {k.lower(): v for k, v in _FeedParserMixin.namespaces.items()}
_CANONICAL_PREFIXES = frozenset(v for v in _NAMESPACES.values() if v)
_XMLNS_DECL = re.compile(rb"xmlns:([^\s=/>]+)\s*=\s*[\"']([^\"']*)[\"']")
_BASE_ATTR = re.compile(rb"base\s*=")
_C1 = re.compile("[\x80-\x9f]")
_ENTITY_IN_LINK = re.compile("&([A-Za-z0-9_]+);")
_HTML_TYPES = frozenset({"application/xhtml+xml", "text/html"})
_EMAIL = re.compile(
    r"""(([a-zA-Z0-9\_\-\.\+]+)@((\[[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.)|"""
    r"""(([a-zA-Z0-9\-]+\.)+))([a-zA-Z]{2,4}|[0-9]{1,3})(\]?))(\?subject=\S+)?"""
)
# Entry keys that `feed.py` reads, after FeedParserDict's key aliases.
_EXPOSED = frozenset(
    {"title", "link", "links", "id", "summary", "content", "author", "authors"}
    | {"published", "updated", "created", "tags", "enclosures", "category"}
)
# Elements inside items that have a feedparser handler, checked to write none of
# the exposed entry keys and to leave the state the reproduced handlers use alone.
_HARMLESS = frozenset(
    {
        "media_content",
        "media_thumbnail",
        "media_group",
        "media_credit",
        "media_rating",
        "media_restriction",
        "media_license",
        "media_player",
        "itunes_image",
        "itunes_explicit",
        "itunes_block",
        "itunes_subtitle",
        "subtitle",
        "rights",
        "copyright",
        "dc_rights",
        "dc_publisher",
        "webmaster",
        "language",
        "dc_language",
        "georss_point",
        "georss_box",
        "georss_line",
        "georss_polygon",
    }
)


class _Decline(Exception):
    """The fast path cannot reproduce feedparser's reading of this feed."""


# What sends a feed back to feedparser: a decline, malformed XML, or any slip of this
# module on odd input. Not `Exception`: the parse guard's CPU deadline arrives as an
# exception raised from a signal handler, and must not be swallowed here; nor is
# MemoryError, which the guard reports as the memory cap.
_UNEXPECTED = (
    _Decline,
    etree.LxmlError,
    ValueError,
    UnicodeError,
    LookupError,
    TypeError,
    AttributeError,
    RecursionError,
)


def parse_fast(data: bytes, headers: dict[str, str]) -> FeedParserDict | None:
    """feedparser's result for these bytes and response headers, or None to use feedparser.

    `data` must already have had its DOCTYPE removed.
    """
    try:
        return _parse(data, headers)
    except _UNEXPECTED:
        return None


def _parse(data: bytes, headers: dict[str, str]) -> FeedParserDict:
    probe = FeedParserDict(bozo=False)
    utf8 = convert_to_utf8(headers, data, probe)
    if probe.get("bozo") and not isinstance(probe.get("bozo_exception"), CharacterEncodingOverride):
        raise _Decline("encoding or content type that feedparser flags")
    if _prefix_remapped(utf8):
        raise _Decline("namespace prefixes that feedparser remaps")
    location = headers.get("content-location", "")
    if not location and _has_base_attribute(utf8):
        raise _Decline("xml:base without a document address (feedparser leaks it to siblings)")
    root = etree.fromstring(utf8, _PARSER)
    items = _items(root)
    entries = [
        _Entry(_base_at(item, location), has_content).read(item)
        for item, has_content in zip(items, _content_seen_before(root, items), strict=True)
    ]
    for item in items:
        _remove_keeping_tail(item)
    head = etree.tostring(root, encoding="utf-8", xml_declaration=True)
    d = feedparser.parse(
        io.BytesIO(head),
        response_headers={"content-type": "application/xml", "content-location": location},
        sanitize_html=False,
        resolve_relative_uris=False,
    )
    if d.get("bozo") or _VERSIONS.get(d.get("version")) != _key(root):
        raise _Decline("not well-formed RSS 2.0, Atom 1.0 or RDF")
    d["entries"] = entries
    return d


def _has_base_attribute(utf8: bytes) -> bool:
    """`xml:base=` or `base=` as an attribute (or anything that looks like one)."""
    return any(utf8[m.start() - 1 : m.start()] in b" \t\r\n:" for m in _BASE_ATTR.finditer(utf8))


def _prefix_remapped(utf8: bytes) -> bool:
    """A document prefix that feedparser would map onto another one (its `namespacemap`)."""
    bound: dict[str, str] = {}
    for raw_prefix, raw_uri in _XMLNS_DECL.findall(utf8):
        prefix = raw_prefix.decode("utf-8", "replace").lower()
        uri = raw_uri.decode("utf-8", "replace")
        if bound.setdefault(prefix, uri) != uri:
            return True
        known = _fp_prefix(uri)
        if known is not None and known != prefix and prefix in _CANONICAL_PREFIXES:
            return True
    return False


def _next_base(base: str, attrs: dict[str, str]) -> str:
    """feedparser's base URI inside an element, from its parent's and the element's xml:base."""
    if not base:
        return base  # no xml:base anywhere (checked), and _urljoin('', '') is ''
    return _join_base(base, attrs.get("xml:base", attrs.get("base")) or base)


@lru_cache(maxsize=256)
def _join_base(base: str, given: str) -> str:
    return make_safe_absolute_uri(base, given) or base


def _base_at(el: Any, location: str) -> str:
    base = location  # what make_safe_absolute_uri('', location) gives
    for node in (*reversed(list(el.iterancestors())), el):
        base = _next_base(base, _attrs(node))
    return base


def _fp_prefix(uri: str | None) -> str | None:
    if uri is None:
        return None
    low = uri.lower()
    if "backend.userland.com/rss" in low:
        return ""
    return _NAMESPACES.get(low)


def _key(el: Any) -> str:
    """The name feedparser dispatches this element on: `prefix_local` or `local`."""
    tag: str = el.tag
    if tag[0] == "{":
        uri, local = tag[1:].split("}", 1)
        prefix = _fp_prefix(uri)
        if prefix is None:
            prefix = (el.prefix or "").lower()
    else:
        local, prefix = tag, ""
    return f"{prefix}_{local.lower()}" if prefix else local.lower()


def _attrs(el: Any) -> dict[str, str]:
    """Attributes as feedparser's strict parser hands them over."""
    out: dict[str, str] = {}
    for name, value in el.attrib.items():
        if name[0] == "{":
            uri, local = name[1:].split("}", 1)
            prefix = _fp_prefix(uri) or ""
            name = f"{prefix}:{local}" if prefix else local
        k = name.lower()
        if k in out:
            raise _Decline("attributes that collide once namespaces are mapped")
        out[k] = value.lower() if k in ("rel", "type") else value
    return out


def _items(root: Any) -> list[Any]:
    """The feed's items, which must be the only elements feedparser would read as items."""
    container = root.find("channel") if _key(root) == "rss" else root
    if container is None:
        raise _Decline("RSS without a channel")
    items = [el for el in container if _key(el) in ("item", "entry")]
    expected = {id(el) for el in items}
    for el in root.iter():
        local = el.tag.rpartition("}")[2].lower()
        if local in ("item", "entry") and id(el) not in expected and _key(el) in ("item", "entry"):
            raise _Decline("an item outside the usual place")
    return items


_SUMMARY_KEYS = frozenset({"summary", "itunes_summary"})
_DESCRIPTION_KEYS = frozenset({"description", "dc_description", "media_description"})
_CONTENT_KEYS = frozenset({"content", "content_encoded", "fullitem"})
_BODY_KEYS = frozenset({"body", "xhtml_body"})


def _content_seen_before(root: Any, items: list[Any]) -> list[bool]:
    """feedparser's `hasContent` as each item starts.

    Feed-level elements set it (a feed-level content, or a description or summary
    read as content because the feed already has a summary) and only the end of an
    item clears it, so it leaks into the next item. Followed where feedparser keeps
    these elements in the feed itself (children of the channel or feed element) and
    for descriptions of an image or text input before any feed summary, which leave
    it alone; anywhere else, the fast path declines.
    """
    item_ids = {id(item) for item in items}
    states: list[bool] = []
    has_content = has_summary = False

    def walk(el: Any, parent_key: str) -> None:
        nonlocal has_content, has_summary
        for child in el:
            if id(child) in item_ids:
                states.append(has_content)
                has_content = False
                continue
            key = _key(child)
            if key in _SUMMARY_KEYS | _DESCRIPTION_KEYS | _CONTENT_KEYS | _BODY_KEYS:
                if parent_key in ("image", "textinput"):
                    if key not in _DESCRIPTION_KEYS or has_summary:
                        raise _Decline("a summary or content inside an image or text input")
                elif parent_key not in ("channel", "feed"):
                    raise _Decline("a summary or content outside the feed's own elements")
                elif key in _CONTENT_KEYS:
                    has_content = has_summary = True
                elif key in _BODY_KEYS:
                    has_summary = True
                elif has_summary and not has_content:
                    has_content = True
                elif key in _SUMMARY_KEYS:
                    has_summary = True
            walk(child, key)

    walk(root, _key(root))
    return states


def _remove_keeping_tail(el: Any) -> None:
    parent = el.getparent()
    if el.tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent.remove(el)


def _has_lang(attrs: dict[str, str]) -> bool:
    return "xml:lang" in attrs or "lang" in attrs


def _own_lang(attrs: dict[str, str], inherited: str | None) -> str | None:
    lang = attrs.get("xml:lang", attrs.get("lang"))
    if lang is None:
        return inherited
    return lang or None


def _lang_in_scope(el: Any) -> str | None:
    """The xml:lang feedparser tracks at this element (nearest declaration; '' clears it)."""
    for node in (el, *el.iterancestors()):
        if node.attrib:
            attrs = _attrs(node)
            if _has_lang(attrs):
                return _own_lang(attrs, None)
    return None


def _leaf_text(el: Any) -> str:
    if len(el):
        raise _Decline("markup inside a text element")
    return el.text or ""


def _map_content_type(content_type: str) -> str:
    return _FeedParserMixin.map_content_type(content_type)


def _content_type(attrs: dict[str, str], default: str) -> str:
    """feedparser's content type for an element, declining the kinds it would transform."""
    ctype = _map_content_type(attrs.get("type", default))
    base64 = attrs.get("mode", "") == "base64" or not (
        ctype.startswith("text/") or ctype.endswith("+xml") or ctype.endswith("/xml")
    )
    if base64 or ctype == "application/xhtml+xml":
        raise _Decline("base64 or XHTML content")
    return ctype


def _enforce_href(attrs: dict[str, str]) -> dict[str, str]:
    href = attrs.get("url", attrs.get("uri", attrs.get("href")))
    if href:
        attrs.pop("url", None)
        attrs.pop("uri", None)
        attrs["href"] = href
    return attrs


class _Entry:
    """One item, read the way feedparser's handlers would fill its entry dict.

    `depth` is an element's depth below the item (1 for its children): feedparser
    lets a value read deeper (inside media:group, say) never replace one read higher.
    """

    def __init__(self, base: str, has_content: bool) -> None:
        self.base = base
        self.e: dict[str, Any] = {}
        self.depths: dict[str, int] = {}
        self.has_content = has_content
        self.title_depth: int | None = None
        self.guidislink = False

    def text(self, raw: str, *, resolve_against: str | None = None) -> str:
        """feedparser's `pop()` for a text element (its sanitiser and URI rewriting off)."""
        out = raw.strip()
        if resolve_against is not None and out:
            out = _urljoin(resolve_against, out)
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            out = out.encode("iso-8859-1").decode("utf-8")  # UTF-8 read as latin-1
        return out.translate(_cp1252) if _C1.search(out) else out

    def store(self, key: str, value: str, depth: int) -> None:
        old = self.depths.get(key)
        if old is None or depth <= old:
            self.depths[key] = depth
            self.e[key] = value

    def read(self, item: Any) -> dict[str, Any]:
        attrs = _attrs(item)
        if "lastmod" in attrs or "href" in attrs:
            raise _Decline("CDF item attributes")
        if attrs.get("rdf:about"):
            self.e["id"] = attrs["rdf:about"]
        for child in item:
            self.element(child, _key(child), 1)
        links = self.e.get("links")
        if links is not None:
            self.e["enclosures"] = [
                {k: v for k, v in link.items() if k != "rel"}
                for link in links
                if link["rel"] == "enclosure"
            ]
        return self.e

    def element(self, el: Any, key: str, depth: int) -> None:
        handler = _HANDLERS.get(key) if depth == 1 else _NESTED_HANDLERS.get(key)
        if handler is not None:
            handler(self, el, _attrs(el), depth)
            return
        if key in _HANDLERS or key in _AUTHOR_PARTS:
            raise _Decline(f"{key} nested where feedparser reads it with other state")
        if hasattr(_FeedParserMixin, "_start_" + key) or hasattr(_FeedParserMixin, "_end_" + key):
            if key not in _HARMLESS:
                raise _Decline(f"element {key} whose feedparser handler is not reproduced")
        else:
            alias = FeedParserDict.keymap.get(key, key)
            if (alias[0] if isinstance(alias, list) else alias) in _EXPOSED:
                raise _Decline(f"element {key} that feedparser stores as an exposed field")
        for child in el:
            self.element(child, _key(child), depth + 1)

    def title(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        _content_type(attrs, "text/plain")
        value = self.text(_leaf_text(el))
        if self.title_depth is None or self.title_depth > depth:
            self.store("title", value, depth)
        if value:
            self.title_depth = depth

    def media_title(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        kept = self.title_depth
        self.title(el, attrs, depth)
        self.title_depth = kept

    def link(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        attrs.setdefault("rel", "alternate")
        attrs.setdefault("type", "application/atom+xml" if attrs["rel"] == "self" else "text/html")
        attrs = _enforce_href(attrs)
        base = _next_base(self.base, attrs)
        if "href" in attrs:
            attrs["href"] = _urljoin(base, attrs["href"])
        links = self.e.setdefault("links", [])
        links.append(attrs)
        if "href" in attrs:
            if len(el):
                raise _Decline("markup inside a link")
            if attrs["rel"] == "alternate" and _map_content_type(attrs["type"]) in _HTML_TYPES:
                self.e["link"] = attrs["href"]
            return
        value = self.text(_leaf_text(el), resolve_against=base).replace("&amp;", "&")
        value = _ENTITY_IN_LINK.sub(r"&\g<1>", value)
        self.e["link"] = value
        if value:
            links[-1]["href"] = value

    def guid(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        self.guidislink = attrs.get("ispermalink", "true") == "true"
        base = _next_base(self.base, attrs) if self.guidislink else None
        value = self.text(_leaf_text(el), resolve_against=base)
        self.store("id", value, depth)
        if self.guidislink:
            self.e.setdefault("link", value)

    def description(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        self.summary(el, attrs, depth, "text/html")

    def summary(
        self, el: Any, attrs: dict[str, str], depth: int, default_type: str = "text/plain"
    ) -> None:
        """A summary, or content when the entry already has a summary but no content."""
        if "summary" in self.e and not self.has_content:
            self.content(el, attrs, depth)
            return
        ctype = _content_type(attrs, default_type)
        value = self.text(_leaf_text(el))
        self.store("summary", value, depth)
        self.e["summary_detail"] = _detail(el, attrs, ctype, value)

    def content(
        self, el: Any, attrs: dict[str, str], depth: int, default_type: str = "text/plain"
    ) -> None:
        self.has_content = True
        ctype = _content_type(attrs, default_type)
        value = self.text(_leaf_text(el))
        self.e.setdefault("content", []).append(_detail(el, attrs, ctype, value))
        if ctype in ("text/plain", "text/html"):
            self.e.setdefault("summary", value)

    def content_encoded(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        self.content(el, attrs, depth, "text/html")

    def category(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        scheme = attrs.get("scheme", attrs.get("domain"))
        self.add_tag(attrs.get("term"), scheme, attrs.get("label"))
        value = self.text(_leaf_text(el))
        if not value:
            return
        tags = self.e["tags"]
        if tags and not tags[-1]["term"]:
            tags[-1]["term"] = value
        else:
            self.add_tag(value, None, None)

    def add_tag(self, term: str | None, scheme: str | None, label: str | None) -> None:
        tags = self.e.setdefault("tags", [])
        if not term and not scheme and not label:
            return
        value = {"term": term, "scheme": scheme, "label": label}
        if value not in tags:
            tags.append(value)

    def author(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        self.e.setdefault("authors", []).append({})
        base = _next_base(self.base, attrs)
        own = [el.text or ""]
        for child in el:
            own.append(child.tail or "")
            key = _key(child)
            if key in ("name", "email"):
                self.save_author(key, _leaf_text(child).strip())
            elif key in ("uri", "url", "homepage"):
                child_base = _next_base(base, _attrs(child))
                value = self.text(_leaf_text(child), resolve_against=child_base)
                self.save_author("href", value)
            elif len(child) or (child.attrib and child.text):
                # an element with attributes keeps no text of its own: it would join the author's
                raise _Decline("markup inside an author")
            else:
                self.element(child, key, depth + 1)
        self.store("author", self.text("".join(own)), depth)
        self.sync_author()

    def save_author(self, key: str, value: str) -> None:
        self.sync_author()
        self.e.setdefault("authors", [{}])
        self.e["authors"][-1][key] = value

    def sync_author(self) -> None:
        """feedparser's `_sync_author_detail`, for the fields read from it."""
        e = self.e
        detail = e.get("authors", [{}])[-1]
        if detail:
            name, email = detail.get("name"), detail.get("email")
            if name and email:
                e["author"] = f"{name} ({email})"
            elif name:
                e["author"] = name
            elif email:
                e["author"] = email
            return
        author = e.get("author")
        if not author:
            return
        found = _EMAIL.search(author)
        email = None
        if found:
            email = found.group(0)
            author = author.replace(email, "").replace("()", "").replace("<>", "")
            author = author.replace("&lt;&gt;", "").strip()
            if author and author[0] == "(":
                author = author[1:]
            if author and author[-1] == ")":
                author = author[:-1]
            author = author.strip()
        if author:
            detail["name"] = author
        if email:
            detail["email"] = email

    def enclosure(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        if len(el):
            raise _Decline("markup inside an enclosure")
        attrs = _enforce_href(attrs)
        attrs["rel"] = "enclosure"
        self.e.setdefault("links", []).append(attrs)

    def source(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        if len(el):
            raise _Decline("an Atom source inside an entry")
        self.title_depth = None

    def contributor(self, el: Any, attrs: dict[str, str], depth: int) -> None:
        for child in el:
            if _key(child) not in _AUTHOR_PARTS or len(child):
                raise _Decline("unexpected element inside a contributor")


def _detail(el: Any, attrs: dict[str, str], ctype: str, value: str) -> dict[str, Any]:
    """feedparser's content parameters of an element (the ones read from it), with its value."""
    lang = _own_lang(attrs, None) if _has_lang(attrs) else _lang_in_scope(el.getparent())
    return {"type": ctype, "language": lang.replace("_", "-") if lang else lang, "value": value}


def _date_handler(field: str) -> Callable[[_Entry, Any, dict[str, str], int], None]:
    def handle(entry: _Entry, el: Any, attrs: dict[str, str], depth: int) -> None:
        entry.store(field, entry.text(_leaf_text(el)), depth)

    return handle


_AUTHOR_PARTS = frozenset({"name", "email", "uri", "url", "homepage"})
_Handler = Callable[[_Entry, Any, dict[str, str], int], None]
# Elements that can appear anywhere in an item, at any depth.
_NESTED_HANDLERS: dict[str, _Handler] = {
    "media_title": _Entry.media_title,
    "media_description": _Entry.description,
}
# Elements read as direct children of the item.
_HANDLERS: dict[str, _Handler] = {
    **_NESTED_HANDLERS,
    "title": _Entry.title,
    "dc_title": _Entry.title,
    "link": _Entry.link,
    "guid": _Entry.guid,
    "id": _Entry.guid,
    "description": _Entry.description,
    "dc_description": _Entry.description,
    "summary": _Entry.summary,
    "itunes_summary": _Entry.summary,
    "content": _Entry.content,
    "content_encoded": _Entry.content_encoded,
    "fullitem": _Entry.content_encoded,
    "category": _Entry.category,
    "keywords": _Entry.category,
    "dc_subject": _Entry.category,
    "author": _Entry.author,
    "managingeditor": _Entry.author,
    "dc_author": _Entry.author,
    "dc_creator": _Entry.author,
    "itunes_author": _Entry.author,
    "enclosure": _Entry.enclosure,
    "source": _Entry.source,
    "contributor": _Entry.contributor,
}
for _field, _keys in (
    ("published", ("published", "issued", "pubdate", "dcterms_issued")),
    ("updated", ("updated", "modified", "lastbuilddate", "dc_date", "dcterms_modified")),
    ("created", ("created", "dcterms_created")),
):
    for _k in _keys:
        _HANDLERS[_k] = _date_handler(_field)
