"""Search latency: the embedded SQLite FTS5 index vs OpenSearch, side by side.

Ten typical queries (words, a phrase, entity, topic and source filters, a
proximity, a prefix, a boolean mix, a date-bounded query) over the same generated
articles (`news_corpus`: gold news texts, gazetteer entities, a year of dates),
first page of 20, newest first — what `wirewatch search` asks. Each side is called
through its index as the product calls it (SQLite: `ArticleStore.search`, the
`ArticleIndex` port; OpenSearch: `EngineArticleIndex.search`), so a latency
includes compiling the query and decoding the 20 articles. Rounds alternate which
engine goes first; the figures are p50/p95 per query and the SQLite/OpenSearch
ratio of the medians. The machine's load average is printed before and after,
because on a shared 2-core machine it moves the figures more than anything else.
The "same" column says whether both returned the same first page (ids, in order).

    WWDEV_SERVICES_DIR=/tmp/wwbench WWDEV_OPENSEARCH_PORT=19310 \\
        deploy/dev/services up opensearch
    .venv/bin/python bench/bench_search.py --url http://127.0.0.1:19310 \\
        [--docs 100000] [--runs 30]
    WWDEV_SERVICES_DIR=/tmp/wwbench WWDEV_OPENSEARCH_PORT=19310 \\
        deploy/dev/services down opensearch

It needs `../shared/corpora` next to the clone. Both indexes are built afresh in
each run (a temporary SQLite file, indices under a fresh prefix, deleted at the
end); building is timed too and printed as a side figure.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path

from news_corpus import articles
from opensearchpy import OpenSearch

from sinks.search.index import EngineArticleIndex
from sinks.search.layout import Layout
from sinks.search.opensearch_client import OpenSearchTransport
from sinks.search.setup import install
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from wirewatch.core.models import EnrichedArticle
from wirewatch.core.ports import ArticleIndex, SearchRequest
from wirewatch.core.query import parse_query

OCTOBER = (datetime(2026, 10, 1, tzinfo=UTC), datetime(2026, 11, 1, tzinfo=UTC))
QUERIES: list[tuple[str, str, tuple[datetime, datetime] | None]] = [
    ("word", "election", None),
    ("phrase", '"prime minister"', None),
    ("person", 'person:"tony blair"', None),
    ("place + word", "place:iraq troops", None),
    ("topic", "topic:medtop:16000000", None),
    ("source + word", "source:reuters.com oil", None),
    ("proximity", '"oil prices"~5', None),
    ("prefix", "terror*", None),
    ("boolean mix", "(iraq OR afghanistan) AND (troops OR soldiers) -bush", None),
    ("date-bounded", "google OR microsoft", OCTOBER),
]
PAGE = 20
Search = Callable[[SearchRequest], list[str]]


def _request(text: str, span: tuple[datetime, datetime] | None) -> SearchRequest:
    since, until = span or (None, None)
    return SearchRequest(parse_query(text), since=since, until=until, limit=PAGE)


def _batches(n: int, size: int = 1000) -> Iterator[list[EnrichedArticle]]:
    stream = articles(n)
    while batch := list(islice(stream, size)):
        yield batch


def _build(n: int, store: ArticleStore, engine: EngineArticleIndex) -> tuple[float, float]:
    """Index the same articles into both; seconds spent in each."""
    spent = [0.0, 0.0]
    for batch in _batches(n):
        for side, index in enumerate((store.index, engine.index)):
            t0 = time.perf_counter()
            index(batch)
            spent[side] += time.perf_counter() - t0
    t0 = time.perf_counter()
    engine.refresh()
    spent[1] += time.perf_counter() - t0
    assert store.count() == engine.count() == n, (store.count(), engine.count())
    return spent[0], spent[1]


def _port_search(index: ArticleIndex) -> Search:
    """Both sides through the same port, as `wirewatch search` calls them."""
    return lambda r: [a.id for a in index.search(r).articles]


def _measure(
    sides: tuple[Search, Search], requests: list[SearchRequest], runs: int
) -> tuple[list[list[list[float]]], list[tuple[int, bool]]]:
    """Milliseconds per side, per query, per run; and page size and agreement per query."""
    pages = [(sides[0](r), sides[1](r)) for r in requests]  # also the warm-up
    times: list[list[list[float]]] = [[[] for _ in requests] for _ in sides]
    for run in range(runs):
        order = (0, 1) if run % 2 == 0 else (1, 0)
        for q, request in enumerate(requests):
            for side in order:
                t0 = time.perf_counter()
                sides[side](request)
                times[side][q].append((time.perf_counter() - t0) * 1000)
    return times, [(len(a), a == b) for a, b in pages]


def _p(values: list[float], pct: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f} on {os.cpu_count()} cores"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True, help="the OpenSearch node, e.g. http://127.0.0.1:19310")
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()

    print(f"load average (1/5/15 min) before: {_load()}")
    client = OpenSearch(args.url, timeout=120)
    transport = OpenSearchTransport(client)
    layout = Layout(prefix=f"benchsearch{uuid.uuid4().hex[:6]}", replicas=0)
    install(transport, layout, "ism")
    engine = EngineArticleIndex(transport, layout)
    with tempfile.TemporaryDirectory(prefix="wwbench-") as tmp:
        db = Database.open(Path(tmp))
        store = ArticleStore(db)
        try:
            build = _build(args.docs, store, engine)
            requests = [_request(q, span) for _, q, span in QUERIES]
            sides = (_port_search(store), _port_search(engine))
            times, pages = _measure(sides, requests, args.runs)
        finally:
            db.close()
            indices = transport.request("GET", f"/_alias/{layout.articles_alias}").body
            transport.request("DELETE", "/" + ",".join(sorted(indices)))
            client.close()
    print(f"{args.docs} articles, first page of {PAGE}, {args.runs} runs per query")
    print(
        f"indexing: SQLite {args.docs / build[0]:.0f} docs/s, OpenSearch {args.docs / build[1]:.0f}"
    )
    print(
        f"{'query':14} {'page':>4} {'SQLite p50':>10} {'p95':>7} "
        f"{'OpenSearch p50':>14} {'p95':>7} {'ratio':>6}  same"
    )
    for q, (label, _, _) in enumerate(QUERIES):
        lite, eng = times[0][q], times[1][q]
        hits, same = pages[q]
        print(
            f"{label:14} {hits:4d} {_p(lite, 50):8.1f}ms {_p(lite, 95):5.1f}ms "
            f"{_p(eng, 50):12.1f}ms {_p(eng, 95):5.1f}ms {_p(lite, 50) / _p(eng, 50):6.2f}  "
            f"{'yes' if same else 'NO'}"
        )
    lite_all, eng_all = ([sum(q[r] for q in side) for r in range(args.runs)] for side in times)
    print(
        f"{'all ten':14} {'':4} {_p(lite_all, 50):8.1f}ms {_p(lite_all, 95):5.1f}ms "
        f"{_p(eng_all, 50):12.1f}ms {_p(eng_all, 95):5.1f}ms "
        f"{_p(lite_all, 50) / _p(eng_all, 50):6.2f}  (one run of the ten queries)"
    )
    print("ratio = SQLite p50 / OpenSearch p50 (above 1: OpenSearch is faster)")
    print(f"load average (1/5/15 min) after: {_load()}")


if __name__ == "__main__":
    main()
