"""The session's search-engine nodes answer the real clients the adapters use.

Each node is started by `deploy/dev/services` (conftest.py); these tests prove it is the
engine and version the project targets, and that it indexes, searches and reports health,
so an adapter test that fails later fails for the adapter, not for the node.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch

ONE_SHARD = {"number_of_shards": 1, "number_of_replicas": 0}
DOC = {"title": "Ceasefire talks resume in Cairo", "lang": "en"}


@pytest.fixture
def opensearch_client(opensearch_url: str) -> Iterator[OpenSearch]:
    client = OpenSearch(opensearch_url, timeout=30)
    yield client
    client.close()


@pytest.fixture
def elasticsearch_client(elasticsearch_url: str) -> Iterator[Elasticsearch]:
    client = Elasticsearch(elasticsearch_url, request_timeout=30)
    yield client
    client.close()


def test_opensearch_node_indexes_searches_and_is_healthy(opensearch_client: OpenSearch) -> None:
    assert opensearch_client.info()["version"]["number"] == "3.8.0"
    opensearch_client.indices.create(index="servers-os", body={"settings": ONE_SHARD})
    opensearch_client.index(index="servers-os", id="a1", body=DOC, refresh=True)

    hits = opensearch_client.search(
        index="servers-os", body={"query": {"match": {"title": "cairo"}}}
    )["hits"]["hits"]

    assert [h["_id"] for h in hits] == ["a1"]
    assert opensearch_client.cluster.health(index="servers-os")["status"] == "green"


def test_opensearch_node_has_the_analysis_the_project_needs(opensearch_client: OpenSearch) -> None:
    """asciifolding and porter_stem come from the analysis-common module: the node loaded it."""
    tokens = opensearch_client.indices.analyze(
        body={
            "tokenizer": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"},
            "filter": ["lowercase", "asciifolding", "porter_stem"],
            "text": "Naïve cafés RUNNING in Rafah-based",
        }
    )["tokens"]

    assert [t["token"] for t in tokens] == ["naiv", "cafe", "run", "in", "rafah", "base"]


def test_elasticsearch_node_indexes_searches_and_is_healthy(
    elasticsearch_client: Elasticsearch,
) -> None:
    # This node answers no `GET /` (info/ping fail): its version comes from the nodes API.
    nodes = elasticsearch_client.nodes.info()["nodes"]
    assert [n["version"] for n in nodes.values()] == ["9.5.3"]
    elasticsearch_client.indices.create(index="servers-es", settings=ONE_SHARD)
    elasticsearch_client.index(index="servers-es", id="a1", document=DOC, refresh=True)

    hits = elasticsearch_client.search(index="servers-es", query={"match": {"title": "cairo"}})[
        "hits"
    ]["hits"]

    assert [h["_id"] for h in hits] == ["a1"]
    assert elasticsearch_client.cluster.health(index="servers-es")["status"] == "green"
