"""Full-text extraction quality: ingest.fulltext.extract_main_text on the
scrapinghub article-extraction benchmark (181 real pages with gold article bodies).

Token precision / recall / F1 per page (bag of lower-cased word tokens), averaged
over pages — the benchmark's own metric — for trafilatura's precision mode alone,
its default mode alone, and what the product does (precision, else the default
mode), side by side with a naive baseline that keeps all visible text of the page.
"empty" counts the pages a mode returned nothing for, though every page has a body.

    .venv/bin/python bench/bench_fulltext.py
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import trafilatura

from ingest.fulltext import extract_main_text
from ingest.normalise import html_to_text

DATA = (
    Path(__file__).resolve().parents[2] / "shared" / "corpora" / "news_articles" / "scrapinghub-aeb"
)
WORD = re.compile(r"\w+")


def prf(pred: str, gold: str) -> tuple[float, float, float]:
    p, g = Counter(WORD.findall(pred.lower())), Counter(WORD.findall(gold.lower()))
    common = sum((p & g).values())
    if not p or not g:
        return (1.0 if not p and not g else 0.0,) * 3  # type: ignore[return-value]
    precision, recall = common / sum(p.values()), common / sum(g.values())
    f1 = 2 * precision * recall / (precision + recall) if common else 0.0
    return precision, recall, f1


def default_mode(html: bytes, url: str | None) -> str | None:
    text = trafilatura.extract(html, url=url, include_comments=False, include_tables=False)
    return str(text) if text else None


MODES: dict[str, Callable[[bytes, str | None], str | None]] = {
    "precision only": lambda html, url: extract_main_text(html, url, fallback=False),
    "default only": default_mode,
    "product": extract_main_text,
    "all text": lambda html, url: html_to_text(html.decode("utf-8", "replace")),
}


def main() -> None:
    gold = json.loads((DATA / "ground-truth.json").read_text())
    scores: dict[str, list[tuple[float, float, float]]] = {name: [] for name in MODES}
    empty: Counter[str] = Counter()
    t0 = time.perf_counter()
    for key, item in sorted(gold.items()):
        html = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes())
        body = item.get("articleBody") or ""
        for name, extract in MODES.items():
            text = extract(html, item.get("url")) or ""
            empty[name] += not text
            scores[name].append(prf(text, body))
    seconds = time.perf_counter() - t0
    print(f"{len(gold)} pages, {seconds:.1f} s")
    for name, rows in scores.items():
        n = len(rows)
        p, r, f = (sum(x[i] for x in rows) / n for i in range(3))
        print(f"{name:15s} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}  empty {empty[name]}")


if __name__ == "__main__":
    main()
