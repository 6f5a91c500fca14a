"""Topic tagging quality on AG News (test) and BBC News, side by side with the baseline.

The prediction is the highest-scoring of the IPTC top-level topics that the gold
classes map to (MAPPING below; AG's World maps to several). Nothing is trained on
these sets; the tagger is built from the IPTC vocabulary alone.

    .venv/bin/python bench/bench_topics.py [--split all|dev|test] [--limit N]

Design choices were made on the development split only (the first half of AG's test
file, the odd-numbered BBC articles); `--split test` reports on the rest.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from topic_baseline import KeywordScorer

from processors.enrich.topics import load_tagger

DATA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "news_topics"
ARTS, CRIME, DISASTER, ECONOMY = (
    "medtop:01000000",
    "medtop:02000000",
    "medtop:03000000",
    "medtop:04000000",
)
POLITICS, SCIENCE, SOCIETY, SPORT, CONFLICT = (
    "medtop:11000000",
    "medtop:13000000",
    "medtop:14000000",
    "medtop:15000000",
    "medtop:16000000",
)
LABOUR, HEALTH, ENVIRONMENT = "medtop:09000000", "medtop:07000000", "medtop:06000000"
MAPPING = {
    "ag": {
        "1": [CONFLICT, POLITICS, DISASTER, CRIME, SOCIETY],  # World
        "2": [SPORT],
        "3": [ECONOMY, LABOUR],
        "4": [SCIENCE],
    },
    "bbc": {
        "business": [ECONOMY, LABOUR],
        "entertainment": [ARTS],
        "politics": [POLITICS],
        "sport": [SPORT],
        "tech": [SCIENCE],
    },
}


def split_rows(
    name: str, rows: list[tuple[str, str, str]], split: str
) -> list[tuple[str, str, str]]:
    """The stated development split: AG's first half, BBC's odd-numbered articles."""
    if split == "all":
        return rows
    dev = rows[: len(rows) // 2] if name == "ag" else rows[1::2]
    test = rows[len(rows) // 2 :] if name == "ag" else rows[0::2]
    return dev if split == "dev" else test


def load(name: str, limit: int | None) -> list[tuple[str, str, str]]:
    if name == "ag":
        with (DATA / "ag_news" / "test.csv").open(encoding="utf-8") as fh:
            rows = [(r[0], r[1], r[2]) for r in csv.reader(fh) if r and r[0].isdigit()]
    else:
        rows = []
        for line in (DATA / "bbc_news" / "bbc_news.jsonl").read_text("utf-8").splitlines():
            d = json.loads(line)
            rows.append((d["label"], d["title"], d["text"]))
    return rows[:limit] if limit else rows


def evaluate(
    scorer: object, rows: list[tuple[str, str, str]], mapping: dict[str, list[str]]
) -> tuple[float, float]:
    owner = {topic: gold for gold, topics in mapping.items() for topic in topics}
    allowed = set(owner)
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    correct = 0
    for gold, title, text in rows:
        scores = {
            t: s
            for t, s in scorer.top_level_scores(title, text).items()  # type: ignore[attr-defined]
            if t in allowed and s > 0
        }
        pred = owner[max(scores, key=lambda t: scores[t])] if scores else None
        if pred == gold:
            correct += 1
            tp[gold] += 1
        else:
            fn[gold] += 1
            if pred:
                fp[pred] += 1
    f1s = []
    for label in mapping:
        p = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        r = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return correct / len(rows) * 100, sum(f1s) / len(f1s) * 100


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--split", choices=("all", "dev", "test"), default="all")
    args = ap.parse_args()
    systems = {"baseline (IPTC labels as keywords)": KeywordScorer(), "wirewatch": load_tagger()}
    for name in ("ag", "bbc"):
        rows = split_rows(name, load(name, args.limit), args.split)
        for system, scorer in systems.items():
            t0 = time.perf_counter()
            acc, macro = evaluate(scorer, rows, MAPPING[name])
            print(
                f"{name.upper():4s} {system:36s} accuracy {acc:5.1f}  macro-F1 {macro:5.1f}"
                f"  ({len(rows)} items, {time.perf_counter() - t0:.1f} s)"
            )


if __name__ == "__main__":
    main()
