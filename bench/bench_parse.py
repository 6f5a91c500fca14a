"""Parse-only speed: Wirewatch's parse_feed vs feedparser.parse(bytes) with its defaults.

Both read the 150 real feeds of the corpus from memory, side by side in one run.
Wirewatch turns feedparser's sanitiser and URI rewriting off and produces clean
text itself, with the same items (tests/corpus/test_real_feeds.py pins that).

    .venv/bin/python bench/bench_parse.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import feedparser

from ingest.parse import parse_feed
from wirewatch.core.models import Feed

CORPUS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpora"
    / "feeds"
    / "fastfeedparser"
    / "benchmark_data"
)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=2)
    args = ap.parse_args()
    bodies = [p.read_bytes() for p in sorted(CORPUS.iterdir()) if "." not in p.name]
    now = datetime.now(UTC)
    feed = Feed(id="bench", url="https://bench.example/feed", added_at=now)

    def ours() -> int:
        return sum(len(parse_feed(b, feed=feed, fetched_at=now).articles) for b in bodies)

    def theirs() -> int:
        return sum(len(feedparser.parse(b).entries) for b in bodies)

    def theirs_unsanitised() -> int:
        return sum(
            len(feedparser.parse(b, sanitize_html=False, resolve_relative_uris=False).entries)
            for b in bodies
        )

    rows = []
    for name, fn in (
        ("feedparser defaults", theirs),
        ("wirewatch parse_feed", ours),
        ("feedparser, sanitiser off (its floor)", theirs_unsanitised),
    ):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            items = fn()
            best = min(best, time.process_time() - t0)
        rows.append((name, best, items))
        print(
            f"{name:40s} {len(bodies) / best:7.1f} feeds/s {items / best:9.0f} entries/s "
            f"({items} entries, {best:.2f} s CPU)"
        )
    base = rows[0][1]
    print(
        f"RESULT wirewatch {base / rows[1][1]:.2f}× feedparser defaults "
        f"(ceiling with feedparser underneath: {base / rows[2][1]:.2f}×)"
    )


if __name__ == "__main__":
    main()
