"""Both client adapters turn an unreachable engine into `EngineUnavailable` (which the
bulk sink waits out) instead of the client's own exception types."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest
from elasticsearch import Elasticsearch
from opensearchpy import OpenSearch

from sinks.search.elasticsearch_client import ElasticsearchTransport
from sinks.search.opensearch_client import OpenSearchTransport
from sinks.search.transport import EngineUnavailable, Transport


@pytest.fixture
def closed_url() -> str:
    """A loopback port nothing listens on."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(params=["opensearch", "elasticsearch"])
def transport(request: pytest.FixtureRequest, closed_url: str) -> Iterator[Transport]:
    if request.param == "opensearch":
        os_client = OpenSearch(closed_url, max_retries=0)
        yield OpenSearchTransport(os_client)
        os_client.close()
    else:
        es_client = Elasticsearch(closed_url, max_retries=0)
        yield ElasticsearchTransport(es_client)
        es_client.close()


def test_an_unreachable_engine_is_reported_as_unavailable(transport: Transport) -> None:
    with pytest.raises(EngineUnavailable, match="unreachable"):
        transport.request("POST", "/_bulk", '{"index": {"_index": "x", "_id": "1"}}\n{}\n')
