"""The article index on Elasticsearch or OpenSearch, over a `Transport`.

It answers as the SQLite index does: `search` returns whole EnrichedArticles,
newest published first with ties broken by id, `since` inclusive and `until`
exclusive; `index` is idempotent (the article id is the `_id`, the month of its
published date picks the index) and reports the articles the engine refused.
The method shapes follow the `ArticleIndex` port being defined in
`wirewatch.core.ports`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sinks.search.bulk import BulkSink, IndexOp
from sinks.search.documents import article_document, hit_document
from sinks.search.dsl import compile_node
from sinks.search.layout import Layout
from sinks.search.transport import EngineRefused, Reply, Transport
from wirewatch.core.models import Alert, DeliveryState, EnrichedArticle
from wirewatch.core.query import Query


@dataclass
class IndexOutcome:
    """What one `index` call did: how many were indexed, which ids were refused and why."""

    indexed: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)


def _expect(reply: Reply, what: str) -> Any:
    if not reply.ok:
        raise EngineRefused(what, reply)
    return reply.body


def _published_range(since: datetime | None, until: datetime | None) -> list[dict[str, Any]]:
    bounds: dict[str, str] = {}
    if since is not None:
        bounds["gte"] = since.isoformat()
    if until is not None:
        bounds["lt"] = until.isoformat()
    return [{"range": {"published_at": bounds}}] if bounds else []


class EngineArticleIndex:
    """Index and search enriched articles in the layout's monthly indices.

    `sink_options` go to the `BulkSink` (batch bounds, backoff); its dead letter is
    the index's own, so every refused document shows up in the `IndexOutcome`.
    """

    def __init__(self, transport: Transport, layout: Layout, **sink_options: Any) -> None:
        self._transport = transport
        self.layout = layout
        self._rejected: list[tuple[str, str]] = []
        self._sink = BulkSink(transport, self._reject, **sink_options)

    def _reject(self, op: IndexOp, reason: str) -> None:
        self._rejected.append((op.doc_id, reason))

    def _write(self, ops: Iterable[IndexOp]) -> IndexOutcome:
        """Send every op and wait until each is in or refused (retrying outages)."""
        self._rejected = []
        indexed = sum(self._sink.add(op).indexed for op in ops) + self._sink.flush().indexed
        return IndexOutcome(indexed, self._rejected)

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexOutcome:
        """Index articles, each into the month of its published date; idempotent."""
        return self._write(
            IndexOp(self.layout.articles_index(e.article.published_at), e.id, article_document(e))
            for e in batch
        )

    def record_hits(self, hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexOutcome:
        """Write alert hits, one document per hit (the alert id), with their delivery state."""
        return self._write(
            IndexOp(self.layout.hits_index, alert.id, hit_document(alert, state))
            for alert, state in hits
        )

    def _search_path(self, suffix: str) -> str:
        # No monthly index exists before the first article: an empty answer, not an error.
        return (
            f"/{self.layout.articles_alias}/{suffix}?ignore_unavailable=true&allow_no_indices=true"
        )

    def search(
        self,
        query: Query,
        *,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = 20,
        offset: int = 0,
    ) -> tuple[list[EnrichedArticle], int | None]:
        """One page of matching articles and the offset of the next (None at the end)."""
        body = {
            "query": {
                "bool": {"filter": [compile_node(query.root), *_published_range(since, until)]}
            },
            "sort": [{"published_at": "desc"}, {"id": "asc"}],
            "from": offset,
            "size": limit + 1,
            "_source": ["payload"],
            "track_total_hits": False,
        }
        hits = _expect(
            self._transport.request("POST", self._search_path("_search"), body), "search"
        )
        docs = hits["hits"]["hits"]
        articles = [EnrichedArticle.model_validate(h["_source"]["payload"]) for h in docs[:limit]]
        return articles, (offset + limit if len(docs) > limit else None)

    def get(self, article_id: str) -> EnrichedArticle | None:
        body = {"query": {"ids": {"values": [article_id]}}, "size": 1, "_source": ["payload"]}
        reply = self._transport.request("POST", self._search_path("_search"), body)
        docs = _expect(reply, "get")["hits"]["hits"]
        return EnrichedArticle.model_validate(docs[0]["_source"]["payload"]) if docs else None

    def count(self) -> int:
        return int(
            _expect(self._transport.request("GET", self._search_path("_count")), "count")["count"]
        )

    def refresh(self) -> None:
        """Make everything indexed so far visible to search (tests and `run --once`)."""
        _expect(self._transport.request("POST", self._search_path("_refresh")), "refresh")
