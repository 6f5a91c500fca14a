"""gofeed's translator fixtures: each feed ships with the parse gofeed expects; we
compare the fields Wirewatch exposes (titles, links, guids, text, authors, categories,
enclosures, dates), with text fields compared as clean text and links as canonical URLs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from ingest.normalise import canonical_url, html_to_text, parse_date
from ingest.parse import ParsedFeed, parse_feed
from tests.conftest import CORPORA
from tests.corpus.gold import NOW, text_eq
from wirewatch.core.models import Article, Feed

ROOT = CORPORA / "feeds" / "gofeed" / "testdata" / "translator"


def pairs() -> list[tuple[Path, Path]]:
    if not ROOT.is_dir():
        return []
    out = []
    for expected in sorted(ROOT.rglob("*.json")):
        stem = expected.name.removesuffix("_expected.json").removesuffix(".json")
        for ext in (".xml", ".json"):
            src = expected.with_name(stem + ext)
            if src.exists() and src != expected:
                out.append((src, expected))
                break
    return out


def compare(parsed: ParsedFeed, exp: dict[str, Any]) -> tuple[int, list[str]]:
    checks, problems = 0, []

    def check(ok: bool, what: str) -> None:
        nonlocal checks
        checks += 1
        if not ok:
            problems.append(what)

    if "title" in exp:
        check(text_eq(parsed.title or "", exp["title"]), f"feed title {parsed.title!r}")
    if exp.get("link"):
        check(parsed.site_url == canonical_url(exp["link"]), f"feed link {parsed.site_url!r}")
    if "language" in exp:
        check(parsed.language == exp["language"], f"language {parsed.language!r}")
    items = exp.get("items") or []
    if len(items) != len(parsed.articles):
        check(False, f"{len(parsed.articles)} items, expected {len(items)}")
        return checks, problems
    for i, (e, a) in enumerate(zip(items, parsed.articles, strict=True)):
        checks_item(check, i, e, a)
    return checks, problems


def checks_item(check: Any, i: int, e: dict[str, Any], a: Article) -> None:
    if "title" in e:
        check(text_eq(a.title, e["title"]), f"item {i} title {a.title!r}")
    if e.get("link"):
        check(a.canonical_url == canonical_url(e["link"]), f"item {i} link {a.canonical_url!r}")
    if "guid" in e:
        check(a.guid == e["guid"], f"item {i} guid {a.guid!r}")
    if "description" in e and "content" not in e:
        check(text_eq(a.summary, e["description"]), f"item {i} summary {a.summary!r}")
    if "content" in e:
        check(text_eq(a.text, e["content"]), f"item {i} text {a.text!r}")
    if "categories" in e:
        want = [html_to_text(c) for c in e["categories"]]
        check(
            a.categories == list(dict.fromkeys(w for w in want if w)),
            f"item {i} categories {a.categories!r}",
        )
    if "enclosures" in e:
        got = [(x.url, x.type, x.length) for x in a.enclosures]
        want = [
            (
                canonical_url(x.get("url")),
                x.get("type"),
                int(x["length"]) if str(x.get("length", "")).isdigit() else None,
            )
            for x in e["enclosures"]
            if canonical_url(x.get("url"))
        ]
        check(got == want, f"item {i} enclosures {got!r}")
    if e.get("authors"):
        names = [x.get("name") or x.get("email") for x in e["authors"]]
        check(a.authors == [html_to_text(n) for n in names if n], f"item {i} authors {a.authors!r}")
    for field, ours in (
        ("publishedParsed", None if a.published_is_fetch_time else a.published_at),
        ("updatedParsed", a.updated_at),
    ):
        if field in e and not (field == "publishedParsed" and "published" not in e):
            check(ours == parse_date(e[field]), f"item {i} {field} {ours!r}")


@pytest.fixture(scope="module")
def results(corpora: Path) -> dict[str, tuple[int, list[str]]]:
    out = {}
    feed = Feed(id="gofeed", url="file:///gofeed.xml", added_at=NOW)
    for src, exp in pairs():
        parsed = parse_feed(
            src.read_bytes(),
            feed=feed,
            fetched_at=NOW,
            content_type="application/json" if src.suffix == ".json" else None,
        )
        out[str(src.relative_to(ROOT))] = compare(parsed, json.loads(exp.read_text()))
    return out


def test_gofeed_fields_we_expose(results: dict[str, tuple[int, list[str]]]) -> None:
    checks = sum(c for c, _ in results.values())
    problems = [(name, p) for name, (_, ps) in results.items() for p in ps]
    assert len(results) >= 90 and checks >= 90
    rate = 1 - len(problems) / checks
    listing = "\n".join(f"{n}: {p}" for n, p in problems[:60])
    assert rate >= 0.9, f"{len(problems)} of {checks} checks differ:\n{listing}"
