"""Alert matching at scale: the presearcher vs the naive matcher on the shared workload.

The workload is `../shared/anchors/alert-matching` (`gen_workload.py`: 5,000 AG News/BBC
documents, N user-style rules in Lucene syntax, deterministic). For each rule count:
rule registration time and memory, articles/s of both matchers (one core, documents
folded inside the timing, as the runtime does), their ratio, and the agreement line:
how many documents get a different match set (must be 0). The naive matcher evaluates
every rule on every article, so at 10k rules it runs on the first `--naive-docs` only.

    PYTHONPATH=. .venv/bin/python bench/bench_alerts.py [--rules 1000 10000] [--naive-docs 500]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from processors.matching import Matcher
from processors.matching.presearch import PresearchMatcher
from tests.alert_workload import generate, load_articles, load_rules
from wirewatch.core.models import EnrichedArticle

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def register(
    kind: Callable[[list[tuple[str, str]]], Matcher], rules: list[tuple[str, str]]
) -> tuple[Matcher, float, float]:
    """Build a matcher; returns it, the seconds it took and the MB it holds (traced apart)."""
    t = time.perf_counter()
    matcher = kind(rules)
    seconds = time.perf_counter() - t
    tracemalloc.start()
    traced = kind(rules)
    mb = tracemalloc.get_traced_memory()[0] / 1e6
    tracemalloc.stop()
    del traced
    return matcher, seconds, mb


def run(matcher: Matcher, articles: list[EnrichedArticle]) -> tuple[list[list[str]], float]:
    """Match sets and articles/s."""
    t = time.perf_counter()
    out = [matcher.match(a) for a in articles]
    return out, len(articles) / (time.perf_counter() - t)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rules", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--docs", type=int, default=5000)
    p.add_argument("--naive-docs", type=int, default=500, help="cap for the naive matcher at 10k+")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.rules:
            docs, rules_file = generate(Path(tmp), CORPORA, docs=args.docs, rules=n)
            articles, rules = load_articles(docs), load_rules(rules_file)
            pre, pre_reg, pre_mb = register(PresearchMatcher, rules)
            naive, naive_reg, naive_mb = register(Matcher, rules)
            pre_sets, pre_rate = run(pre, articles)
            capped = articles if n <= 1000 else articles[: args.naive_docs]
            naive_sets, naive_rate = run(naive, capped)
            differ = sum(a != b for a, b in zip(pre_sets, naive_sets, strict=False))
            matches = sum(map(len, pre_sets)) / len(articles)
            print(
                f"{n:>7,} rules · {len(articles)} docs · {matches:.1f} matches/doc\n"
                f"  presearch {pre_rate:8,.0f} docs/s · registration {pre_reg:.2f} s, "
                f"{pre_mb:.1f} MB\n"
                f"  naive     {naive_rate:8,.0f} docs/s ({len(capped)} docs) · registration "
                f"{naive_reg:.2f} s, {naive_mb:.1f} MB\n"
                f"  ratio {pre_rate / naive_rate:.0f}× · agreement: {differ} of {len(capped)} "
                f"documents differ",
                flush=True,
            )


if __name__ == "__main__":
    main()
