"""Full-text extraction quality: ingest.fulltext.extract_main_text on the
scrapinghub article-extraction benchmark (181 real pages with gold article bodies).

Token precision / recall / F1 per page (bag of lower-cased word tokens), averaged
over pages — the benchmark's own metric — side by side with a naive baseline that
keeps all visible text of the page.

    .venv/bin/python bench/bench_fulltext.py
"""

from __future__ import annotations

import gzip
import json
import re
import time
from collections import Counter
from pathlib import Path

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


def main() -> None:
    gold = json.loads((DATA / "ground-truth.json").read_text())
    scores: dict[str, list[tuple[float, float, float]]] = {"trafilatura": [], "all text": []}
    t0 = time.perf_counter()
    for key, item in sorted(gold.items()):
        html = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes())
        body = item.get("articleBody") or ""
        scores["trafilatura"].append(prf(extract_main_text(html, item.get("url")) or "", body))
        scores["all text"].append(prf(html_to_text(html.decode("utf-8", "replace")), body))
    seconds = time.perf_counter() - t0
    print(f"{len(gold)} pages, {seconds:.1f} s")
    for name, rows in scores.items():
        n = len(rows)
        p, r, f = (sum(x[i] for x in rows) / n for i in range(3))
        print(f"{name:12s} precision {p:.3f}  recall {r:.3f}  F1 {f:.3f}")


if __name__ == "__main__":
    main()
