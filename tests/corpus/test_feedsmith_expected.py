"""feedsmith's reference documents: one feed per spec version (RSS 0.90–2.0, RDF
0.9/1.0, Atom 0.3/1.0, and one per format full of namespaces), each with the parse
feedsmith expects next to it (`X.json`). feedsmith keeps values as written (relative
links, raw dates and `address (Name)` authors); we compare the fields Wirewatch
exposes after putting the gold through our normalisation, and count the cases where
we differ on purpose under a reason in `BY_DESIGN` instead of checking them.
The OPML references are OPML import's business, not the feed parser's."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from ingest.normalise import html_to_text
from ingest.parse import ParsedFeed
from tests.conftest import CORPORA
from tests.corpus.gold import Tally, compare_all, date_eq, text_eq, url_eq
from wirewatch.core.models import Article

pytestmark = pytest.mark.corpus

ROOT = CORPORA / "feeds" / "feedsmith" / "src" / "feeds"

BY_DESIGN = {
    "repeated item": "an entry repeated inside one feed (same id, same link, another "
    "title) is stored once, as the DESIGN id contract says; feedsmith lists it twice",
    "atom:link alternate": "an RDF channel with both <link> and a later atom:link "
    "rel=alternate gets the latter as site link (feedparser's reading); both name the site",
}
MAX_BY_DESIGN = 2
_XML_BASE = re.compile(rb'xml:base="([^"]+)"')


def pairs() -> list[tuple[Path, Path]]:
    if not ROOT.is_dir():
        return []
    return [
        (gold.with_suffix(".xml"), gold)
        for gold in sorted(ROOT.glob("*/references/*.json"))
        if gold.with_suffix(".xml").exists()
    ]


def _alternate(links: list[dict[str, Any]] | None) -> str | None:
    return next((lk["href"] for lk in links or [] if lk.get("rel") in (None, "alternate")), None)


def compare(name: str, raw: bytes, parsed: ParsedFeed, gold: dict[str, Any], tally: Tally) -> None:
    tally.files += 1
    m = _XML_BASE.search(raw)
    base = m[1].decode() if m else None
    if gold.get("title"):
        tally.check(text_eq(parsed.title or "", gold["title"]), f"{name}: title {parsed.title!r}")
    site = gold.get("link") or _alternate(gold.get("links"))
    alternates = [
        lk["href"] for lk in (gold.get("atom") or {}).get("links") or [] if lk["rel"] == "alternate"
    ]
    if (
        site
        and not url_eq(parsed.site_url, site, base)
        and any(url_eq(parsed.site_url, h) for h in alternates)
    ):
        tally.differ("atom:link alternate")
    elif site:
        tally.check(url_eq(parsed.site_url, site, base), f"{name}: site {parsed.site_url!r}")
    if gold.get("language"):
        tally.check(parsed.language == gold["language"], f"{name}: language {parsed.language!r}")
    if gold.get("ttl"):
        tally.check(parsed.ttl_minutes == gold["ttl"], f"{name}: ttl {parsed.ttl_minutes!r}")
    if gold.get("skipHours"):
        want_hours = {h % 24 for h in gold["skipHours"]}
        tally.check(parsed.skip_hours == want_hours, f"{name}: skipHours {parsed.skip_hours}")
    if gold.get("skipDays"):
        want_days = {d.lower() for d in gold["skipDays"]}
        tally.check(parsed.skip_days == want_days, f"{name}: skipDays {parsed.skip_days}")
    items, seen = [], set()
    for e in gold.get("items") or gold.get("entries") or []:
        key = (e.get("id"), _alternate(e.get("links")))
        if e.get("id") and key in seen:
            tally.differ("repeated item")
        else:
            seen.add(key)
            items.append(e)
    if len(items) != len(parsed.articles):
        tally.check(False, f"{name}: {len(parsed.articles)} items, expected {len(items)}")
        return
    for i, (e, a) in enumerate(zip(items, parsed.articles, strict=True)):
        compare_item(f"{name} item {i}", e, a, base or parsed.site_url, tally)


def compare_item(where: str, e: dict[str, Any], a: Article, base: str | None, tally: Tally) -> None:
    if e.get("title"):
        tally.check(text_eq(a.title, e["title"]), f"{where}: title {a.title!r}")
    link = e.get("link") or _alternate(e.get("links"))
    if link:
        tally.check(url_eq(a.canonical_url, link, base), f"{where}: link {a.canonical_url!r}")
    guid = (e.get("guid") or {}).get("value") or e.get("id") or (e.get("rdf") or {}).get("about")
    if guid:
        tally.check(a.guid == guid, f"{where}: guid {a.guid!r} {guid!r}")
    summary = e.get("description") or e.get("summary")
    if summary:
        tally.check(text_eq(a.summary, summary), f"{where}: summary {a.summary[:80]!r}")
    content = (e.get("content") or {}).get("encoded") if "guid" in e else e.get("content")
    if isinstance(content, str):
        tally.check(text_eq(a.text, content), f"{where}: text {a.text[:80]!r}")
    compare_people(where, e, a, tally)
    compare_dates(where, e, a, tally)
    compare_enclosures(where, e, a, base, tally)


def compare_people(where: str, e: dict[str, Any], a: Article, tally: Tally) -> None:
    """RSS authors are kept as written ("mark@example.org (Mark Pilgrim)"): our name is
    the name inside; Atom authors are objects with a name. feedsmith files dc:creator
    and itunes:author under their namespaces; for us they are authors too."""
    dc, itunes = e.get("dc") or {}, e.get("itunes") or {}
    names = [x["name"] if isinstance(x, dict) else html_to_text(x) for x in e.get("authors") or []]
    names += dc.get("creators") or ([dc["creator"]] if dc.get("creator") else [])
    names += [itunes["author"]] if itunes.get("author") else []
    names = list(dict.fromkeys(names))
    if names:
        tally.check(
            len(a.authors) == len(names)
            and all(
                ours == n or f"({ours})" in n for ours, n in zip(a.authors, names, strict=True)
            ),
            f"{where}: authors {a.authors!r} {names!r}",
        )
    if e.get("categories"):
        want = list(dict.fromkeys(c.get("name") or c.get("term") for c in e["categories"]))
        tally.check(a.categories == want, f"{where}: categories {a.categories!r} {want!r}")


def compare_dates(where: str, e: dict[str, Any], a: Article, tally: Tally) -> None:
    published = None if a.published_is_fetch_time else a.published_at
    gold = e.get("pubDate") or e.get("published") or (e.get("dc") or {}).get("date")
    if gold:
        tally.check(date_eq(published, gold), f"{where}: published {published} {gold!r}")
    if e.get("updated"):
        tally.check(date_eq(a.updated_at, e["updated"]), f"{where}: updated {a.updated_at}")


def compare_enclosures(
    where: str, e: dict[str, Any], a: Article, base: str | None, tally: Tally
) -> None:
    want = [(x["url"], x.get("type"), x.get("length")) for x in e.get("enclosures") or []]
    want += [
        (lk["href"], lk.get("type"), lk.get("length"))
        for lk in e.get("links") or []
        if lk.get("rel") == "enclosure"
    ]
    if want:
        got = [(x.url, x.type, x.length) for x in a.enclosures]
        tally.check(
            len(got) == len(want)
            and all(
                url_eq(g[0], w[0], base) and g[1:] == w[1:] for g, w in zip(got, want, strict=True)
            ),
            f"{where}: enclosures {got!r} {want!r}",
        )


@pytest.fixture(scope="module")
def tally(corpora: Path) -> Tally:
    return compare_all(pairs(), compare, name=lambda src: str(src.relative_to(ROOT)))


def test_feedsmith_fields_we_expose(tally: Tally) -> None:
    tally.assert_all_agree(min_files=13, min_checks=180)


def test_feedsmith_differences_are_the_listed_ones(tally: Tally) -> None:
    tally.assert_differences_listed(BY_DESIGN, MAX_BY_DESIGN)
