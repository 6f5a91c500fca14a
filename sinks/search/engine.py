"""Open the search engine that `search.engine` names: client, layout, and a start-up check.

The client package is imported here, when an engine is configured, so every other
command (and `--help`) loads none; a missing `search` extra surfaces as the
`ModuleNotFoundError` the CLI turns into its one-line install hint. The start-up
check asks the cluster's health once, so a wrong URL or refused credentials fail
the command at once with the setting to fix, instead of the bulk sink waiting
forever on something that retrying cannot mend. An engine that is down is
`EngineUnreachable`: fatal to a search, but a run may start anyway and wait for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sinks.search.index import EngineArticleIndex
from sinks.search.layout import CORE_ANALYSIS, FTS5_ANALYSIS, Layout
from sinks.search.setup import Lifecycle
from sinks.search.transport import EngineUnavailable, Transport, error_reason
from wirewatch.core.errors import ConfigError
from wirewatch.core.redact import redact_url
from wirewatch.core.settings import SearchSettings

CREDENTIALS = "search.username/search.password or search.api_key"


@dataclass
class Engine:
    """An open engine: its transport, the deployment's layout, and how to close the client."""

    name: str
    transport: Transport
    layout: Layout
    lifecycle: Lifecycle
    close: Callable[[], None]

    def index(self, **sink_options: Any) -> EngineArticleIndex:
        return EngineArticleIndex(self.transport, self.layout, **sink_options)


class EngineUnreachable(ConfigError):
    """The engine did not answer (refused, reset, timed out): it may come back."""


def layout_for(search: SearchSettings) -> Layout:
    analysis = FTS5_ANALYSIS if search.analysis == "full" else CORE_ANALYSIS
    return Layout(
        prefix=search.index_prefix,
        analysis=analysis,
        replicas=search.replicas,
        retention_months=search.retention_months,
    )


def _tls(search: SearchSettings) -> dict[str, Any]:
    """The CA to trust, when one is set (else the system's, as both clients default)."""
    return {"ca_certs": str(search.ca_certs)} if search.ca_certs else {}


def _opensearch(search: SearchSettings) -> tuple[Transport, Callable[[], None]]:
    from opensearchpy import OpenSearch

    from sinks.search.opensearch_client import OpenSearchTransport

    password = search.password.get_secret_value() if search.password else ""
    api_key = search.api_key.get_secret_value() if search.api_key else None
    client = OpenSearch(
        hosts=search.urls,
        http_auth=(search.username, password) if search.username else None,
        headers={"authorization": f"ApiKey {api_key}"} if api_key else None,
        timeout=search.timeout,
        **_tls(search),
    )
    return OpenSearchTransport(client), client.close


def _elasticsearch(search: SearchSettings) -> tuple[Transport, Callable[[], None]]:
    from elasticsearch import Elasticsearch

    from sinks.search.elasticsearch_client import ElasticsearchTransport

    password = search.password.get_secret_value() if search.password else ""
    client = Elasticsearch(
        hosts=search.urls,
        basic_auth=(search.username, password) if search.username else None,
        api_key=search.api_key.get_secret_value() if search.api_key else None,
        request_timeout=search.timeout,
        **_tls(search),
    )
    return ElasticsearchTransport(client), client.close


def connect(search: SearchSettings) -> Engine:
    """Build the configured engine's client; nothing is sent yet (see `check`)."""
    if search.engine == "opensearch":
        transport, close = _opensearch(search)
        lifecycle: Lifecycle = "ism"
    elif search.engine == "elasticsearch":
        transport, close = _elasticsearch(search)
        lifecycle = "ilm"
    else:
        raise ValueError(f"search.engine {search.engine!r} is not a search engine")
    return Engine(search.engine, transport, layout_for(search), lifecycle, close)


def check(transport: Transport, search: SearchSettings) -> None:
    """One health request; a ConfigError naming the setting to fix when it fails."""
    where = f"{search.engine} at {', '.join(redact_url(u) for u in search.urls)}"
    try:
        reply = transport.request("GET", "/_cluster/health")
    except EngineUnavailable as e:
        raise EngineUnreachable(
            f"cannot reach {where} (search.urls): {e.__cause__ or e}",
            hint="start the engine, or correct search.urls",
        ) from None
    if reply.status in (401, 403):
        raise ConfigError(
            f"{where} refused the credentials (HTTP {reply.status})",
            hint=f"check {CREDENTIALS}",
        )
    if not reply.ok:
        raise ConfigError(
            f"{where} answered HTTP {reply.status} to a health check ({error_reason(reply.body)})",
            hint="check that search.urls names an OpenSearch or Elasticsearch node "
            "and search.engine its kind",
        )
