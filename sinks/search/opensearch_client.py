"""The `Transport` over opensearch-py: send the shared request bodies, map its errors.

Imported only where an OpenSearch index is configured (it loads the client).
"""

from __future__ import annotations

from typing import Any

from opensearchpy import OpenSearch
from opensearchpy.exceptions import ConnectionError as ClientConnectionError
from opensearchpy.exceptions import TransportError

from sinks.search.transport import EngineUnavailable, Reply


class OpenSearchTransport:
    """`Transport` for an `opensearchpy.OpenSearch` client (its pool, auth and TLS as given)."""

    def __init__(self, client: OpenSearch) -> None:
        self._client = client

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        headers = {"content-type": "application/x-ndjson"} if isinstance(body, str) else None
        try:
            data = self._client.transport.perform_request(method, path, body=body, headers=headers)
        except ClientConnectionError as e:
            raise EngineUnavailable(f"OpenSearch is unreachable: {e}") from e
        except TransportError as e:
            status = e.status_code if isinstance(e.status_code, int) else 500
            return Reply(status, e.info)
        return Reply(200, data)
