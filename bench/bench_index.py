"""Indexing throughput: the bulk sink vs the client's raw `helpers.streaming_bulk`.

Both write the same prepared documents (article documents of generated enriched
articles, spread over monthly indices) into the same node, each into its own
fresh layout, in alternating rounds; the figure is the best round's docs/s and the
sink/raw ratio (target: at least 0.90 — the sink's retry bookkeeping, byte
accounting and dead-letter handling should cost little). Start a node first, e.g.
`deploy/dev/services up opensearch`.

    .venv/bin/python bench/bench_index.py --url http://127.0.0.1:19210 [--engine opensearch]
        [--docs 20000] [--rounds 2]
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sinks.search.bulk import BulkSink, IndexOp
from sinks.search.documents import article_document
from sinks.search.layout import CORE_ANALYSIS, Layout
from sinks.search.setup import install
from sinks.search.transport import Transport
from wirewatch.core.models import Article, EnrichedArticle, Entity, EntityType, Provenance

VOCAB = (
    "gaza ceasefire talks cairo hamas israel markets inflation rates federal reserve "
    "election parliament minister president economy storm flooding climate summit "
    "football league championship court ruling police protest energy prices oil"
).split()


def _articles(n: int) -> list[EnrichedArticle]:
    rnd = random.Random(7)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    out = []
    for i in range(n):
        when = start + timedelta(minutes=37 * i)
        article = Article(
            id=f"bench{i}",
            url=f"https://news.example/{i}",
            feed_id="f1",
            feed_url="https://news.example/feed",
            source="Example News",
            source_domain="news.example",
            title=" ".join(rnd.choices(VOCAB, k=8)).capitalize(),
            summary=" ".join(rnd.choices(VOCAB, k=120)),
            published_at=when,
            fetched_at=when,
        )
        entity = Entity(
            name="Example Person",
            type=EntityType.PERSON,
            mentions=2,
            first_position=0,
            salience=0.5,
        )
        out.append(
            EnrichedArticle(
                article=article,
                language="en",
                story_id=f"s{i % 500}",
                entities=[entity],
                provenance=Provenance(enrichment_version="bench"),
                enriched_at=when,
            )
        )
    return out


def _prepared(layout: Layout, articles: list[EnrichedArticle]) -> list[IndexOp]:
    return [
        IndexOp(layout.articles_index(e.article.published_at), e.id, article_document(e))
        for e in articles
    ]


def _clients(engine: str, url: str) -> tuple[Transport, Callable[[list[IndexOp]], int], Any]:
    """The adapter's transport and a raw streaming_bulk run, over one client."""
    if engine == "opensearch":
        from opensearchpy import OpenSearch, helpers

        from sinks.search.opensearch_client import OpenSearchTransport

        client: Any = OpenSearch(url, timeout=60)
        transport: Transport = OpenSearchTransport(client)
    else:
        from elasticsearch import Elasticsearch, helpers  # type: ignore[no-redef]

        from sinks.search.elasticsearch_client import ElasticsearchTransport

        client = Elasticsearch(url, request_timeout=60)
        transport = ElasticsearchTransport(client)

    def raw(ops: list[IndexOp]) -> int:
        actions = ({"_index": o.index, "_id": o.doc_id, "_source": o.source} for o in ops)
        return sum(
            ok
            for ok, _ in helpers.streaming_bulk(
                client, actions, chunk_size=500, max_chunk_bytes=5 * 1024 * 1024
            )
        )

    return transport, raw, client


def _drop(transport: Transport, layout: Layout) -> None:
    """Delete the round's indices by name (Elasticsearch refuses wildcard deletes)."""
    indices = transport.request("GET", f"/_alias/{layout.articles_alias}").body
    transport.request("DELETE", "/" + ",".join(sorted(indices)))


def _through_sink(transport: Transport, ops: list[IndexOp]) -> int:
    dead: list[str] = []
    sink = BulkSink(transport, lambda op, reason: dead.append(reason))
    indexed = sum(sink.add(op).indexed for op in ops) + sink.flush().indexed
    assert not dead, f"dead-lettered: {dead[:3]}"
    return indexed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--url", required=True)
    ap.add_argument("--engine", choices=["opensearch", "elasticsearch"], default="opensearch")
    ap.add_argument("--docs", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=2)
    args = ap.parse_args()

    analysis = CORE_ANALYSIS if args.engine == "elasticsearch" else Layout().analysis
    transport, raw, client = _clients(args.engine, args.url)
    articles = _articles(args.docs)
    best = {"raw helpers.streaming_bulk": 0.0, "BulkSink": 0.0}
    for _ in range(args.rounds):
        for name in best:
            layout = Layout(prefix=f"bench{uuid.uuid4().hex[:6]}", replicas=0, analysis=analysis)
            install(transport, layout, "ism" if args.engine == "opensearch" else "ilm")
            ops = _prepared(layout, articles)
            t0 = time.perf_counter()
            indexed = _through_sink(transport, ops) if name == "BulkSink" else raw(ops)
            elapsed = time.perf_counter() - t0
            assert indexed == len(ops), f"{name}: {indexed} of {len(ops)} indexed"
            best[name] = max(best[name], len(ops) / elapsed)
            _drop(transport, layout)
    client.close()
    raw_rate, sink_rate = best.values()
    print(f"engine {args.engine}, {args.docs} documents, best of {args.rounds} rounds")
    for name, rate in best.items():
        print(f"  {name:28} {rate:8.0f} docs/s")
    print(f"  sink / raw                   {sink_rate / raw_rate:8.2f}  (target >= 0.90)")


if __name__ == "__main__":
    main()
