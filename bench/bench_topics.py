"""Topic tagging quality on AG News (test) and BBC News, side by side with the baseline.

Two measures. *Argmax accuracy*: the prediction is the highest-scoring of the IPTC
top-level topics that the gold classes map to (MAPPING below; AG's World maps to
several). *Emitted tags* (issue 18), what a user actually sees: each article's tags,
taken up to their IPTC top level once each, are right (in its gold class's set),
wrong (in another gold class's set) or unmapped (in none: health on an AG article);
precision = right / (right + wrong), unmapped = its share of all tags, recall =
articles with at least one right tag / all articles. Nothing is trained on these
sets; the tagger is built from the IPTC vocabulary alone. `--stage-share` also
reports the share of the whole enrichment stage's time spent in topic tagging.

    .venv/bin/python bench/bench_topics.py [--split all|dev|test] [--limit N] [--stage-share]

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
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from topic_baseline import KeywordScorer

from processors.enrich.pipeline import Enricher
from processors.enrich.topics import TopicTagger, load_tagger
from wirewatch.core.models import TopicTag
from wirewatch.core.settings import EnrichSettings

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


@dataclass
class Emitted:
    """The emitted tags of a set of articles, counted as the issue defines them."""

    right: int = 0
    wrong: int = 0
    unmapped: int = 0
    recalled: int = 0  # articles with at least one right tag
    articles: int = 0

    @property
    def precision(self) -> float:
        return 100 * self.right / (self.right + self.wrong) if self.right + self.wrong else 0.0

    @property
    def unmapped_share(self) -> float:
        tags = self.right + self.wrong + self.unmapped
        return 100 * self.unmapped / tags if tags else 0.0

    @property
    def recall(self) -> float:
        return 100 * self.recalled / self.articles if self.articles else 0.0


def top_level_of() -> dict[str, str]:
    """Every IPTC topic id → its top-level topic id (the first of its path)."""
    data = json.loads(
        resources.files("processors.enrich").joinpath("data/iptc_taxonomy.json").read_text("utf-8")
    )
    return {t["id"]: t["path"][0] for t in data["topics"]}


def emitted(
    tagger: TopicTagger, rows: list[tuple[str, str, str]], mapping: dict[str, list[str]]
) -> Emitted:
    top_of = top_level_of()
    owner = {topic: gold for gold, topics in mapping.items() for topic in topics}
    out = Emitted(articles=len(rows))
    for gold, title, text in rows:
        tops = {top_of.get(t.id, t.id) for t in tagger.tag(title, text)}
        verdicts = [owner.get(top) for top in tops]
        right = sum(v == gold for v in verdicts)
        out.right += right
        out.unmapped += sum(v is None for v in verdicts)
        out.wrong += len(verdicts) - right - sum(v is None for v in verdicts)
        out.recalled += right > 0
    return out


def stage_share(docs: int) -> tuple[float, float]:
    """Seconds of the whole enrichment stage over bench_enrich_speed's BBC workload, with
    NER in the stage's own process (so one clock sees all of it), and the seconds of
    them spent in topic tagging. A warm-up batch (models loaded) is not counted."""
    from bench_enrich_speed import workload

    spent = [0.0]

    class TimedTagger(TopicTagger):
        def tag(self, *args: Any, **kwargs: Any) -> list[TopicTag]:
            t0 = time.perf_counter()
            try:
                return super().tag(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - t0

    plain = load_tagger()
    settings = EnrichSettings(ner_processes=1)
    enricher = Enricher(settings, tagger=TimedTagger(plain.topics, plain.version))
    articles = workload(docs)
    size = settings.batch_size
    try:
        enricher.enrich_batch([a.model_copy(update={"id": f"w{a.id}"}) for a in articles[:size]])
        spent[0] = 0.0
        t0 = time.perf_counter()
        for i in range(0, len(articles), size):
            enricher.enrich_batch(articles[i : i + size])
        seconds = time.perf_counter() - t0
    finally:
        enricher.close()
    return seconds, spent[0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--split", choices=("all", "dev", "test"), default="all")
    ap.add_argument(
        "--stage-share", action="store_true", help="also time tagging within the whole stage"
    )
    args = ap.parse_args()
    tagger = load_tagger()
    systems = {"baseline (IPTC labels as keywords)": KeywordScorer(), "wirewatch": tagger}
    for name in ("ag", "bbc"):
        rows = split_rows(name, load(name, args.limit), args.split)
        for system, scorer in systems.items():
            t0 = time.perf_counter()
            acc, macro = evaluate(scorer, rows, MAPPING[name])
            print(
                f"{name.upper():4s} {system:36s} accuracy {acc:5.1f}  macro-F1 {macro:5.1f}"
                f"  ({len(rows)} items, {time.perf_counter() - t0:.1f} s)"
            )
        em = emitted(tagger, rows, MAPPING[name])
        print(
            f"{name.upper():4s} {'wirewatch emitted tags':36s} precision {em.precision:5.1f}"
            f"  unmapped {em.unmapped_share:5.1f}  recall {em.recall:5.1f}"
            f"  ({em.right} right, {em.wrong} wrong, {em.unmapped} unmapped)"
        )
    if args.stage_share:
        seconds, tagging = stage_share(300)
        print(
            f"stage (NER in-process) {seconds:.2f} s over 300 BBC articles, topic tagging"
            f" {tagging:.2f} s = {100 * tagging / seconds:.1f} % of it (target <= 10 %)"
        )


if __name__ == "__main__":
    main()
