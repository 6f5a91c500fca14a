"""Alert matching at scale: the presearcher vs the naive matcher and the anchors, one run.

The workload is `../shared/anchors/alert-matching` (`gen_workload.py`: 5,000 AG News/BBC
documents, N user-style rules in Lucene syntax, deterministic). For each rule count:
rule registration time and memory (also per 10k rules), articles/s of the presearcher
(one core, documents folded inside the timing, as the runtime does) and of the naive
matcher, and their agreement: documents whose match sets differ (must be 0). The naive
matcher evaluates every rule on every article, so above 1k rules it runs on the first
`--naive-docs` only. At 100k rules every system uses the first 2,000 documents, as the
anchors' `run.sh` does.

With `--anchors`, the shared `run.sh N` runs Lucene Monitor (term and multipass
presearchers) and the OpenSearch percolator on the same workload in the same invocation
(Temurin 25, Maven and a few minutes per rule count; its cache is `$ANCHOR_WORK`), the
ratio to Lucene Monitor multipass (its better mode) is printed, and `compare.py` checks
our match sets (written as `presearch-N.tsv` in `--out`) against theirs.

`--load-rules` times what the runtime does at start-up with that many rules: read the
SQLite rules table and `compile_rules` them.

    PYTHONPATH=. .venv/bin/python bench/bench_alerts.py [--rules 1000 10000 100000] \\
        [--anchors] [--naive-docs 500] [--load-rules 100000] [--out DIR]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from processors.matching import Matcher
from processors.matching.presearch import PresearchMatcher
from processors.matching.rules import compile_rules
from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from tests.alert_workload import ANCHORS, generate, load_articles, load_rules, store_rules
from wirewatch.core.models import EnrichedArticle

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
MULTIPASS = "lucene-monitor-multipass"


def anchor_work() -> Path:
    """Where `run.sh` keeps its builds and results: the same default as the script's."""
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(os.environ.get("ANCHOR_WORK") or Path(cache) / "alert-anchor")


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


def run_anchors(n: int) -> dict[str, float]:
    """docs/s per anchor system (`system N docs/s matches` lines of `run.sh`)."""
    done = subprocess.run(
        ["bash", str(ANCHORS / "run.sh"), str(n)], capture_output=True, text=True, check=False
    )
    if done.returncode:
        sys.exit(
            f"anchors: run.sh {n} failed ({done.stderr.strip()}); see its log in {anchor_work()}"
        )
    rates = {}
    for line in done.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[1] == str(n):
            rates[parts[0]] = float(parts[2])
        print(f"  {line}")
    return rates


def write_sets(path: Path, articles: list[EnrichedArticle], sets: list[list[str]]) -> None:
    """Per-document match sets in the `doc_id<TAB>rule,rule` form `compare.py` reads."""
    lines = (f"{a.article.id}\t{','.join(s)}\n" for a, s in zip(articles, sets, strict=True))
    path.write_text("".join(lines), encoding="utf-8")


def compare(rules_file: Path, ours: Path, n: int) -> None:
    """`compare.py` with the percolator as the reference, against us and Monitor multipass."""
    res = anchor_work() / "res" / str(n)
    ref, monitor = res / "perc-batch.tsv", res / "mon-multipass-batch.tsv"
    cmd = [sys.executable, str(ANCHORS / "compare.py"), *map(str, (rules_file, ref, ours, monitor))]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    print("".join(f"  {line}\n" for line in out.splitlines()), end="")


def load_time(count: int, rules: list[tuple[str, str]], tmp: Path) -> None:
    """Seconds to read `count` rules from SQLite and compile them, as the runtime starts up."""
    store_rules(tmp / "load", rules[:count])
    store = AlertStore(Database.open(tmp / "load"))
    t = time.perf_counter()
    stored = store.rules()
    read = time.perf_counter() - t
    rule_set = compile_rules(stored)
    total = time.perf_counter() - t
    print(
        f"start-up load of {len(stored):,} rules: {total:.1f} s (SQLite read {read:.1f} s, "
        f"compile {total - read:.1f} s), {len(rule_set.refused)} refused",
        flush=True,
    )


def bench(n: int, args: argparse.Namespace, tmp: Path) -> None:
    docs, rules_file = generate(tmp, CORPORA, docs=5000, rules=n)
    articles = load_articles(docs, 2000 if n >= 100_000 else None)
    rules = load_rules(rules_file)
    pre, pre_reg, pre_mb = register(PresearchMatcher, rules)
    pre_sets, pre_rate = run(pre, articles)
    capped = articles if n <= 1000 else articles[: args.naive_docs]
    naive, naive_reg, naive_mb = register(Matcher, rules)
    naive_sets, naive_rate = run(naive, capped)
    differ = sum(a != b for a, b in zip(pre_sets, naive_sets, strict=False))
    per10k = 10_000 / n
    print(
        f"{n:>7,} rules · {len(articles)} docs · {sum(map(len, pre_sets)) / len(articles):.1f} "
        f"matches/doc\n"
        f"  presearch {pre_rate:8,.0f} docs/s · registration {pre_reg:.2f} s "
        f"({pre_reg * per10k:.2f} s per 10k rules), {pre_mb:.1f} MB ({pre_mb * per10k:.1f} MB "
        f"per 10k rules)\n"
        f"  naive     {naive_rate:8,.0f} docs/s ({len(capped)} docs) · registration "
        f"{naive_reg:.2f} s, {naive_mb:.1f} MB\n"
        f"  presearch/naive {pre_rate / naive_rate:.0f}× · agreement with naive: {differ} of "
        f"{len(capped)} documents differ",
        flush=True,
    )
    if not args.anchors:
        return
    ours = args.out / f"presearch-{n}.tsv"
    write_sets(ours, articles, pre_sets)
    rates = run_anchors(n)
    monitor = max(v for k, v in rates.items() if k.startswith(MULTIPASS))
    print(f"  presearch / Lucene Monitor multipass: {pre_rate / monitor:.2f}×", flush=True)
    compare(rules_file, ours, n)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rules", type=int, nargs="+", default=[1000, 10000])
    p.add_argument("--naive-docs", type=int, default=500, help="cap for the naive matcher >1k")
    p.add_argument("--anchors", action="store_true", help="also run Lucene Monitor, percolator")
    p.add_argument("--load-rules", type=int, default=0, help="time a start-up with this many")
    p.add_argument("--out", type=Path, help="folder for our match sets (default: temporary)")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        args.out = args.out or Path(tmp)
        args.out.mkdir(parents=True, exist_ok=True)
        for n in args.rules:
            bench(n, args, Path(tmp))
        if args.load_rules:
            _, rules_file = generate(Path(tmp), CORPORA, docs=5000, rules=args.load_rules)
            load_time(args.load_rules, load_rules(rules_file), Path(tmp))


if __name__ == "__main__":
    main()
