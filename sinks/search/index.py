"""The article index on Elasticsearch or OpenSearch, over a `Transport`.

It implements the `ArticleIndex` port as the SQLite index does: `search` returns
whole EnrichedArticles, newest published first with ties broken by id, `since`
inclusive and `until` exclusive; `index` is idempotent (the article id is the
`_id`, the month of its published date picks the index) and reports the articles
the engine refused; `stories` groups a period's articles by story id with a terms
aggregation. Alert hits go to their own index (`index_hits`) for charting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from sinks.search.bulk import BulkSink, IndexOp
from sinks.search.documents import article_document, hit_document
from sinks.search.dsl import compile_node
from sinks.search.layout import Layout
from sinks.search.transport import EngineRefused, Reply, Transport
from wirewatch.core.models import Alert, DeliveryState, EnrichedArticle
from wirewatch.core.ports import IndexRejection, IndexResult, SearchPage, SearchRequest
from wirewatch.core.records import StorySummary

# Members listed per story: the engines cap top_hits at 100 by default
# (index.max_inner_result_window); a story's size and dates still count them all.
STORY_MEMBERS = 100


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


def _millis(value: float) -> datetime:
    return datetime.fromtimestamp(value / 1000, UTC)


class EngineArticleIndex:
    """Index and search enriched articles in the layout's monthly indices.

    `sink_options` go to the `BulkSink` (batch bounds, backoff); its dead letter is
    the index's own, so every refused document shows up in the `IndexResult`.
    """

    def __init__(self, transport: Transport, layout: Layout, **sink_options: Any) -> None:
        self._transport = transport
        self.layout = layout
        self._rejected: list[IndexRejection] = []
        self._sink = BulkSink(transport, self._reject, **sink_options)

    def _reject(self, op: IndexOp, reason: str) -> None:
        self._rejected.append(IndexRejection(op.doc_id, reason))

    def _write(self, ops: Iterable[IndexOp]) -> IndexResult:
        """Send every op and wait until each is in or refused (retrying outages)."""
        self._rejected = []
        indexed = sum(self._sink.add(op).indexed for op in ops) + self._sink.flush().indexed
        return IndexResult(indexed, self._rejected)

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexResult:
        """Index articles, each into the month of its published date; idempotent."""
        return self._write(
            IndexOp(self.layout.articles_index(e.article.published_at), e.id, article_document(e))
            for e in batch
        )

    def index_hits(self, hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexResult:
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

    def _search(self, body: dict[str, Any], what: str) -> Any:
        return _expect(self._transport.request("POST", self._search_path("_search"), body), what)

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of matching articles and the offset of the next (None at the end)."""
        dates = _published_range(request.since, request.until)
        filters = [compile_node(request.query.root), *dates]
        body = {
            "query": {"bool": {"filter": filters}},
            "sort": [{"published_at": "desc"}, {"id": "asc"}],
            "from": request.offset,
            "size": request.limit + 1,
            "_source": ["payload"],
            "track_total_hits": False,
        }
        docs = self._search(body, "search")["hits"]["hits"]
        articles = [EnrichedArticle.model_validate(h["_source"]["payload"]) for h in docs]
        more = len(articles) > request.limit
        return SearchPage(
            articles[: request.limit], request.offset + request.limit if more else None
        )

    def stories(
        self, *, since: datetime | None, until: datetime | None, min_size: int, limit: int
    ) -> list[StorySummary]:
        """The largest stories of a period, largest first, then the most recently updated.

        As in SQLite: members are the story's articles inside the period, oldest first;
        the title is the oldest member's. `shard_size` is raised so counts over several
        monthly indices stay exact for any realistic number of stories in a period.
        """
        body = {
            "size": 0,
            "query": {"bool": {"filter": _published_range(since, until)}},
            "aggs": {
                "stories": {
                    "terms": {
                        "field": "story_id",
                        "size": limit,
                        "shard_size": max(10_000, limit * 10),
                        "min_doc_count": min_size,
                        "order": [{"_count": "desc"}, {"last": "desc"}, {"_key": "asc"}],
                    },
                    "aggs": {
                        "first": {"min": {"field": "published_at"}},
                        "last": {"max": {"field": "published_at"}},
                        "members": {
                            "top_hits": {
                                "size": STORY_MEMBERS,
                                "sort": [{"published_at": "asc"}, {"id": "asc"}],
                                "_source": ["id", "title", "source", "payload.story_id"],
                            }
                        },
                    },
                }
            },
        }
        buckets = self._search(body, "stories")["aggregations"]["stories"]["buckets"]
        return [_story(b) for b in buckets]

    def get(self, article_id: str) -> EnrichedArticle | None:
        body = {"query": {"ids": {"values": [article_id]}}, "size": 1, "_source": ["payload"]}
        docs = self._search(body, "get")["hits"]["hits"]
        return EnrichedArticle.model_validate(docs[0]["_source"]["payload"]) if docs else None

    def count(self) -> int:
        return int(
            _expect(self._transport.request("GET", self._search_path("_count")), "count")["count"]
        )

    def refresh(self) -> None:
        """Make everything indexed so far visible to search (tests and `run --once`)."""
        _expect(self._transport.request("POST", self._search_path("_refresh")), "refresh")


def _story(bucket: dict[str, Any]) -> StorySummary:
    members = [h["_source"] for h in bucket["members"]["hits"]["hits"]]
    # story_id is stored folded for `story:` filters; the payload keeps it as enriched
    story_id = members[0].get("payload", {}).get("story_id", bucket["key"])
    return StorySummary(
        story_id=str(story_id),
        size=int(bucket["doc_count"]),
        title=str(members[0]["title"]),
        first_published=_millis(bucket["first"]["value"]),
        last_published=_millis(bucket["last"]["value"]),
        sources=sorted({str(m["source"]) for m in members}),
        article_ids=[str(m["id"]) for m in members],
    )
