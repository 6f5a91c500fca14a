"""Parse-only speed: Wirewatch's parse_feed vs feedparser.parse(bytes) with its defaults.

All rows read the 150 real feeds of the corpus from memory, side by side in one run.
Wirewatch turns feedparser's sanitiser and URI rewriting off and produces clean
text itself, with the same items (tests/corpus/test_real_feeds.py pins that); its
lxml fast path gives the same articles as its feedparser path wherever it takes a
feed (tests/corpus/test_fast_path.py). fastfeedparser is a reference row only: it
maps fields its own way.

    .venv/bin/python bench/bench_parse.py [--repeat 2]
"""

from __future__ import annotations

import argparse
import time
from datetime import UTC, datetime
from pathlib import Path

import fastfeedparser
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

    def ours_feedparser_only() -> int:
        return sum(
            len(parse_feed(b, feed=feed, fetched_at=now, fast_path=False).articles) for b in bodies
        )

    def theirs() -> int:
        return sum(len(feedparser.parse(b).entries) for b in bodies)

    def theirs_unsanitised() -> int:
        return sum(
            len(feedparser.parse(b, sanitize_html=False, resolve_relative_uris=False).entries)
            for b in bodies
        )

    def fastfeedparser_defaults() -> int:
        return sum(len(fastfeedparser.parse(b).entries) for b in bodies)

    rows = []
    for name, fn in (
        ("feedparser defaults", theirs),
        ("wirewatch parse_feed (lxml fast path)", ours),
        ("wirewatch parse_feed, feedparser only", ours_feedparser_only),
        ("feedparser, sanitiser off (its floor)", theirs_unsanitised),
        ("fastfeedparser (reference, other fields)", fastfeedparser_defaults),
    ):
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.process_time()
            items = fn()
            best = min(best, time.process_time() - t0)
        rows.append((name, best, items))
        print(
            f"{name:42s} {len(bodies) / best:7.1f} feeds/s {items / best:9.0f} entries/s "
            f"({items} entries, {best:.2f} s CPU)"
        )
    base = rows[0][1]
    fast = sum(parse_feed(b, feed=feed, fetched_at=now).parser == "lxml" for b in bodies)
    print(
        f"RESULT wirewatch {base / rows[1][1]:.2f}× feedparser defaults "
        f"({fast} of {len(bodies)} feeds on the fast path; feedparser path alone "
        f"{base / rows[2][1]:.2f}×, its ceiling {base / rows[3][1]:.2f}×)"
    )


if __name__ == "__main__":
    main()
