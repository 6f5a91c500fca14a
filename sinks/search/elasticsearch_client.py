"""The `Transport` over the official `elasticsearch` client (9.x): same bodies, its errors.

Imported only where an Elasticsearch index is configured (it loads the client).
The client refuses OpenSearch servers, hence one adapter per engine.
"""

from __future__ import annotations

from typing import Any

from elastic_transport import TransportError
from elasticsearch import ApiError, Elasticsearch

from sinks.search.transport import EngineUnavailable, Reply


class ElasticsearchTransport:
    """`Transport` for an `elasticsearch.Elasticsearch` client (its pool, auth and TLS)."""

    def __init__(self, client: Elasticsearch) -> None:
        self._client = client

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        headers = {"accept": "application/json"}
        if body is not None:
            ndjson = isinstance(body, str)
            headers["content-type"] = "application/x-ndjson" if ndjson else "application/json"
        try:
            response = self._client.perform_request(method, path, headers=headers, body=body)
        except ApiError as e:
            return Reply(e.meta.status, e.body)
        except TransportError as e:
            raise EngineUnavailable(f"Elasticsearch is unreachable: {e}") from e
        return Reply(response.meta.status, response.body)
