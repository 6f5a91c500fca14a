"""feed-rs's fixtures: each feed ships with the model feed-rs expects (`*.serde.json`,
its `Feed` struct as JSON). We compare the fields Wirewatch exposes. Where the two
parsers differ on purpose, the case is counted under a reason in `BY_DESIGN` instead
of being checked, and the test bounds how many such cases there may be."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from ingest.normalise import html_to_text, parse_date
from ingest.parse import ParsedFeed
from tests.conftest import CORPORA
from tests.corpus.gold import Tally, compare_all, date_eq, text_eq, url_eq
from wirewatch.core.models import Article

pytestmark = pytest.mark.corpus

ROOT = CORPORA / "feeds" / "feed-rs" / "feed-rs" / "fixture"

BY_DESIGN = {
    "made-up id": "feed-rs invents an id (a hash) for an item without a guid; we keep no "
    "guid, and the DESIGN id contract gives the article its id",
    "rdf:about": "an RSS 1.0 item's rdf:about is its identifier and becomes our guid "
    "(feedparser's reading); feed-rs ignores it and invents an id",
    "published from updated": "an Atom entry without <published> gets its <updated> as "
    "published_at (we need a date to order and filter on); feed-rs leaves published empty",
    "one date, two fields": "the source gives one date: feed-rs copies an RSS pubDate into "
    "`updated`, feedparser reads dc:date as the update date; the date itself agrees",
    "media:keywords": "media:keywords are among our categories (feedparser's tags); feed-rs "
    "keeps them in its media object",
    "itunes:summary": "an item with both <description> and a later <itunes:summary> gets the "
    "latter as summary (feedparser's reading); feed-rs keeps the description",
    "bare enclosure": "an <enclosure> with a URL but no type or length is kept; feed-rs drops it",
    "JSON Feed author": "JSON Feed 1.1 `authors` supersede the deprecated `author`; feed-rs "
    "lists both",
    "zone '+00:0'": "a date whose zone lacks a digit ('+00:0') is read as UTC; feed-rs refuses it",
}
MAX_BY_DESIGN = 80  # 77 when written (76 through the lxml fast path)


def pairs() -> list[tuple[Path, Path]]:
    if not ROOT.is_dir():
        return []
    out = []
    for gold in sorted(ROOT.rglob("*.serde.json")):
        stem = gold.name.removesuffix(".serde.json")
        for ext in (".xml", ".json"):
            src = gold.with_name(stem + ext)
            if src.exists():
                out.append((src, gold))
                break
    return out


def _content(value: dict[str, Any] | None) -> str | None:
    return value.get("content") if value else None


def _alternate(links: list[dict[str, Any]]) -> str | None:
    return next((lk["href"] for lk in links if lk.get("rel") in (None, "alternate")), None)


def _in_source(value: str, raw: bytes) -> bool:
    return value.encode() in raw or html.escape(value).encode() in raw


def compare(name: str, raw: bytes, parsed: ParsedFeed, gold: dict[str, Any], tally: Tally) -> None:
    tally.files += 1
    if gold.get("title"):
        tally.check(text_eq(parsed.title or "", gold["title"]["content"]), f"{name}: feed title")
    site = _alternate(gold.get("links") or [])
    if site:
        tally.check(url_eq(parsed.site_url, site), f"{name}: site {parsed.site_url!r} {site!r}")
    if gold.get("language"):
        tally.check(
            _same_tag(parsed.language, gold["language"]), f"{name}: language {parsed.language!r}"
        )
    entries = gold.get("entries") or []
    if len(entries) != len(parsed.articles):
        tally.check(False, f"{name}: {len(parsed.articles)} items, expected {len(entries)}")
        return
    for i, (e, a) in enumerate(zip(entries, parsed.articles, strict=True)):
        where = f"{name} item {i}"
        compare_id(where, raw, e["id"], a, tally)
        compare_text(where, raw, e, a, tally)
        compare_people(where, raw, e, a, tally)
        compare_dates(where, raw, e, a, tally)
        compare_enclosures(where, e, a, tally)
        if e.get("language"):
            tally.check(_same_tag(a.language, e["language"]), f"{where}: language {a.language!r}")
        link = _alternate(e.get("links") or [])
        if link:
            tally.check(
                url_eq(a.canonical_url, link, parsed.site_url),
                f"{where}: link {a.canonical_url!r} {link!r}",
            )


def _same_tag(ours: str | None, theirs: str) -> bool:
    """feed-rs lower-cases an RSS language tag; tags are case-insensitive (BCP 47)."""
    return (ours or "").lower() == theirs.lower()


def compare_id(where: str, raw: bytes, gold_id: str, a: Article, tally: Tally) -> None:
    if a.guid == gold_id or _in_source(gold_id, raw):
        tally.check(a.guid == gold_id, f"{where}: guid {a.guid!r} {gold_id!r}")
    elif a.guid is None:
        tally.differ("made-up id")
    elif f'rdf:about="{a.guid}"'.encode() in raw:
        tally.differ("rdf:about")
    else:
        tally.check(False, f"{where}: guid {a.guid!r}, feed-rs made up {gold_id!r}")


def compare_text(where: str, raw: bytes, e: dict[str, Any], a: Article, tally: Tally) -> None:
    if e.get("title"):
        tally.check(text_eq(a.title, e["title"]["content"]), f"{where}: title {a.title!r}")
    summary = _content(e.get("summary"))
    if summary and not text_eq(a.summary, summary) and b"<itunes:summary>" in raw:
        tally.differ("itunes:summary")
    elif summary:
        tally.check(text_eq(a.summary, summary), f"{where}: summary {a.summary[:80]!r}")
    body = (e.get("content") or {}).get("body")
    if body:
        tally.check(text_eq(a.text, body), f"{where}: text {a.text[:80]!r}")


def compare_people(where: str, raw: bytes, e: dict[str, Any], a: Article, tally: Tally) -> None:
    people = e.get("authors") or []
    if people and all(p["name"] == "author" and p.get("email") for p in people):
        # feed-rs keeps an RSS <author>, "address (Name)", whole as the e-mail address
        tally.check(
            len(a.authors) == len(people)
            and all(f"({ours})" in p["email"] for ours, p in zip(a.authors, people, strict=True)),
            f"{where}: authors {a.authors!r} {people!r}",
        )
    elif people:
        want = [html_to_text(p["name"]) for p in people if p.get("name")]
        if a.authors != want and set(a.authors) < set(want) and b'"authors"' in raw:
            tally.differ("JSON Feed author")
        else:
            tally.check(
                len(a.authors) == len(want) and all(map(_same_person, a.authors, want)),
                f"{where}: authors {a.authors!r} {want!r}",
            )
    if e.get("categories"):
        want = list(dict.fromkeys(html_to_text(c["term"]) for c in e["categories"]))
        if a.categories[: len(want)] == want != a.categories and b"<media:keywords>" in raw:
            tally.differ("media:keywords")
        else:
            tally.check(a.categories == want, f"{where}: categories {a.categories!r} {want!r}")


def _same_person(ours: str, theirs: str) -> bool:
    """feed-rs keeps a dc:creator "Name (mailto:address)" whole; we keep the name."""
    if "@" in theirs:
        return bool(ours) and "@" not in ours and ours in theirs
    return ours == theirs


def compare_dates(where: str, raw: bytes, e: dict[str, Any], a: Article, tally: Tally) -> None:
    published = None if a.published_is_fetch_time else a.published_at
    gold_published, gold_updated = parse_date(e.get("published")), parse_date(e.get("updated"))
    if gold_published is None and published is not None and b"+00:0<" in raw:
        tally.differ("zone '+00:0'")
        return
    if gold_published is None and published is not None and published == gold_updated:
        tally.differ("published from updated")
    else:
        tally.check(date_eq(published, e.get("published")), f"{where}: published {published}")
    if a.updated_at != gold_updated and _one_date(
        published, gold_published, a.updated_at, gold_updated
    ):
        tally.differ("one date, two fields")
    elif a.updated_at or gold_updated:
        tally.check(a.updated_at == gold_updated, f"{where}: updated {a.updated_at} {gold_updated}")


def _one_date(ours: datetime | None, theirs: datetime | None, *updated: datetime | None) -> bool:
    return ours is not None and ours == theirs and set(updated) <= {None, ours}


def compare_enclosures(where: str, e: dict[str, Any], a: Article, tally: Tally) -> None:
    """feed-rs files RSS enclosures and media:content together under `media` and Atom
    enclosures under links, so we check that each of ours is among them."""
    media = [
        (c["url"], c.get("content_type"))
        for m in e.get("media") or []
        for c in m.get("content") or []
        if c.get("url")
    ]
    media += [
        (lk["href"], lk.get("media_type"))
        for lk in e.get("links") or []
        if lk.get("rel") == "enclosure"
    ]
    for enc in a.enclosures:
        if not media and enc.type is None and enc.length is None:
            tally.differ("bare enclosure")
            continue
        tally.check(
            any(url_eq(enc.url, url) and enc.type in (None, kind) for url, kind in media),
            f"{where}: enclosure {enc.url!r} not among feed-rs media",
        )


@pytest.fixture(scope="module")
def tally(corpora: Path) -> Tally:
    return compare_all(pairs(), compare, name=lambda src: str(src.relative_to(ROOT)))


def test_feedrs_fields_we_expose(tally: Tally) -> None:
    tally.assert_all_agree(min_files=60, min_checks=750)


def test_feedrs_differences_are_the_listed_ones(tally: Tally) -> None:
    tally.assert_differences_listed(BY_DESIGN, MAX_BY_DESIGN)
