"""The search-engine adapters against real nodes: layout, indexing, search, dead letters.

OpenSearch 3.8.0 runs the full layout (the analyzer that reproduces the embedded
search); Elasticsearch 9.5.3 embedded has core analysis only, so it gets the same
templates with `CORE_ANALYSIS` and must accept every request body the adapter sends.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch

from sinks.search.bulk import BulkSink, IndexOp
from sinks.search.documents import hit_document
from sinks.search.elasticsearch_client import ElasticsearchTransport
from sinks.search.index import EngineArticleIndex
from sinks.search.layout import CORE_ANALYSIS, HIT_PROPERTIES, Layout
from sinks.search.opensearch_client import OpenSearchTransport
from sinks.search.setup import install
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.support.enriched import enriched, hit
from wirewatch.core.models import DeliveryState, EnrichedArticle, EntityType
from wirewatch.core.ports import SearchRequest
from wirewatch.core.query import parse_query

MARCH = datetime(2026, 3, 14, 9, 0, tzinfo=UTC)
APRIL = datetime(2026, 4, 2, 12, 0, tzinfo=UTC)

ARTICLES = [
    enriched(
        "a1",
        "Ceasefire talks in Cairo",
        "Hamas and Israel negotiators were running late.",
        published_at=MARCH,
        entities={"Benjamin Netanyahu": (EntityType.PERSON, ["Bibi"])},
        topics={"medtop:11000000": "politics"},
    ),
    enriched(
        "a2",
        "Élysée's naïve café",
        "Israel said nothing. Then after three more words Hamas.",
        published_at=APRIL,
        source="Le Monde",
        domain="www.lemonde.fr",
        language="fr",
        entities={"Paris": (EntityType.GPE, [])},
    ),
    enriched("a3", "Markets", "Stocks fell in Tokyo.", published_at=APRIL, story_id="s2"),
]


def _layout(**kw: object) -> Layout:
    return Layout(prefix=f"t{uuid.uuid4().hex[:8]}", replicas=0, **kw)


def _ids(index: EngineArticleIndex, query: str, **kw: Any) -> list[str]:
    return [a.id for a in index.search(SearchRequest(parse_query(query), **kw)).articles]


@pytest.fixture
def os_transport(opensearch_url: str) -> Iterator[OpenSearchTransport]:
    client = OpenSearch(opensearch_url, timeout=30)
    yield OpenSearchTransport(client)
    client.close()


@pytest.fixture
def os_index(os_transport: OpenSearchTransport) -> EngineArticleIndex:
    layout = _layout()
    install(os_transport, layout, "ism")
    index = EngineArticleIndex(os_transport, layout)
    assert index.index(ARTICLES).indexed == 3
    index.refresh()
    return index


def test_setup_is_idempotent_and_says_that_ism_is_missing(os_transport):
    layout = _layout()
    first = install(os_transport, layout, "ism")
    assert install(os_transport, layout, "ism") == first
    assert first[0].startswith("retention: ISM is not installed")
    assert f"index template {layout.prefix}-articles installed" in first


def test_setup_brings_indices_of_an_older_layout_up_to_date(os_transport):
    """A hits index made before `story_size` existed takes new hits after `setup` again."""
    layout = _layout()
    install(os_transport, layout, "ism")
    old_fields = {k: v for k, v in HIT_PROPERTIES.items() if k != "story_size"}
    os_transport.request("DELETE", f"/{layout.hits_index}")
    os_transport.request("DELETE", f"/_index_template/{layout.prefix}-alert-hits")
    body = {
        "settings": {"analysis": layout.analysis},
        "mappings": {"dynamic": "strict", "properties": old_fields},
    }
    assert os_transport.request("PUT", f"/{layout.hits_index}", body).ok
    index = EngineArticleIndex(os_transport, layout)
    doc = hit_document(hit(ARTICLES[0], "r1"), DeliveryState.PENDING)
    refused = os_transport.request("PUT", f"/{layout.hits_index}/_doc/h1", doc)
    assert refused.status == 400  # strict: the old mapping does not know story_size

    report = install(os_transport, layout, "ism")

    assert f"existing indices {layout.hits_index} brought up to date" in report
    result = index.index_hits([(hit(ARTICLES[0], "r1"), DeliveryState.PENDING)])
    assert (result.indexed, result.rejected) == (1, [])


def test_articles_land_in_the_month_they_were_published_behind_one_alias(os_index, os_transport):
    reply = os_transport.request("GET", f"/_alias/{os_index.layout.articles_alias}")
    assert sorted(reply.body) == [
        f"{os_index.layout.prefix}-articles-2026.03",
        f"{os_index.layout.prefix}-articles-2026.04",
    ]


def test_a_replay_replaces_and_never_duplicates(os_index):
    assert os_index.index(ARTICLES).indexed == 3
    os_index.refresh()
    assert os_index.count() == 3
    assert os_index.get("a2") == ARTICLES[1]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("running", ["a1"]),  # stemmed: runs, running, run
        ("run*", ["a1"]),
        ("cafe", ["a2"]),  # accents folded
        ("elysee", ["a2"]),  # the possessive split off, no stop words
        ('"hamas israel"~1', ["a1"]),
        ('"hamas israel"~0', []),
        ('"israel hamas"~7', ["a2", "a1"]),
        ('"israel hamas"~6', ["a1"]),
        ('title:"ceasefire talks"', ["a1"]),
        ("text:ceasefire", []),
        ("person:bibi", ["a1"]),
        ("person:netan*", ["a1"]),
        ("place:paris", ["a2"]),
        ("entity:paris", ["a2"]),
        ("source:lemonde.fr", ["a2"]),
        ("source:monde", ["a2"]),
        ("lang:FR", ["a2"]),
        ("story:s2", ["a3"]),
        ("topic:politics", ["a1"]),
        ("topic:medtop:11000000", ["a1"]),
        ("israel NOT cairo", ["a2"]),
        ("tokyo OR cairo", ["a3", "a1"]),
    ],
)
def test_search_finds_what_the_embedded_search_finds_newest_first(os_index, query, expected):
    assert _ids(os_index, query) == expected


def test_search_pages_and_filters_by_published_date(os_index):
    query = parse_query("israel OR tokyo")
    first = os_index.search(SearchRequest(query, limit=2))
    assert [a.id for a in first.articles] == ["a2", "a3"] and first.next_offset == 2
    rest = os_index.search(SearchRequest(query, limit=2, offset=2))
    assert [a.id for a in rest.articles] == ["a1"] and rest.next_offset is None
    assert _ids(os_index, "israel", since=APRIL) == ["a2"]
    assert _ids(os_index, "israel", until=APRIL) == ["a1"]


@pytest.mark.parametrize(
    ("since", "until", "min_size", "limit"),
    [(None, None, 1, 10), (None, None, 2, 10), (APRIL, None, 1, 10), (None, APRIL, 1, 1)],
)
def test_stories_are_the_ones_the_embedded_index_lists(os_index, since, until, min_size, limit):
    sqlite = ArticleStore(Database.memory())
    sqlite.index(ARTICLES)
    kw = {"since": since, "until": until, "min_size": min_size, "limit": limit}
    assert os_index.stories(**kw) == sqlite.stories(**kw)


def test_stories_count_every_member_of_the_period(os_index):
    [big, small] = os_index.stories(since=None, until=None, min_size=1, limit=10)
    assert (big.story_id, big.size, big.article_ids, big.title) == (
        "s1",
        2,
        ["a1", "a2"],
        "Ceasefire talks in Cairo",
    )
    assert (big.first_published, big.last_published) == (MARCH, APRIL)
    assert big.sources == ["BBC News", "Le Monde"] and small.story_id == "s2"


def test_an_empty_deployment_answers_empty_not_an_error(os_transport):
    index = EngineArticleIndex(os_transport, _layout())
    assert index.count() == 0
    assert _ids(index, "gaza") == []


def test_a_document_the_mapping_refuses_is_dead_lettered_and_the_rest_indexed(os_transport):
    layout = _layout()
    install(os_transport, layout, "ism")
    dead: list[tuple[str, str]] = []
    sink = BulkSink(os_transport, lambda op, reason: dead.append((op.doc_id, reason)))
    target = layout.articles_index(MARCH)
    sink.add(IndexOp(target, "good", {"id": "good", "title": "fine"}))
    sink.add(IndexOp(target, "bad", {"id": "bad", "surprise": 1}))
    result = sink.flush()
    assert (result.indexed, result.dead) == (1, 1)
    assert dead[0][0] == "bad" and "strict_dynamic_mapping_exception" in dead[0][1]


def test_alert_hits_are_one_document_each_and_rerecording_updates_the_state(os_index, os_transport):
    hits = [hit(ARTICLES[0], "r1"), hit(ARTICLES[1], "r1"), hit(ARTICLES[1], "r2")]
    assert os_index.index_hits([(h, DeliveryState.PENDING) for h in hits]).indexed == 3
    assert os_index.index_hits([(hits[0], DeliveryState.DELIVERED)]).indexed == 1
    hits_index = os_index.layout.hits_index
    os_transport.request("POST", f"/{hits_index}/_refresh")
    body = {"size": 0, "aggs": {"rules": {"terms": {"field": "rule_id"}}}}
    answer = os_transport.request("POST", f"/{hits_index}/_search", body).body
    buckets = {b["key"]: b["doc_count"] for b in answer["aggregations"]["rules"]["buckets"]}
    assert buckets == {"r1": 2, "r2": 1}
    first = os_transport.request("GET", f"/{hits_index}/_doc/r1-a1").body["_source"]
    assert first["delivery_state"] == "delivered"


@pytest.fixture
def es_transport(elasticsearch_url: str) -> Iterator[ElasticsearchTransport]:
    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    yield ElasticsearchTransport(client)
    client.close()


def test_elasticsearch_takes_the_same_layout_and_requests_with_core_analysis(es_transport):
    layout = _layout(analysis=CORE_ANALYSIS)
    report = install(es_transport, layout, "ilm")
    assert report[0].startswith("retention: ILM is not available")
    index = EngineArticleIndex(es_transport, layout)
    assert index.index(ARTICLES).indexed == 3
    index.refresh()
    assert index.count() == 3
    assert _ids(index, "israel") == ["a2", "a1"]
    assert _ids(index, '"hamas israel"~1') == ["a1"]
    assert _ids(index, "person:bibi OR source:lemonde.fr") == ["a2", "a1"]
    assert _ids(index, "negotiat*") == ["a1"]
    got: EnrichedArticle | None = index.get("a3")
    assert got == ARTICLES[2]
