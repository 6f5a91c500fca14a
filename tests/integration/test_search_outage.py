"""An engine outage under load loses nothing and duplicates nothing; the sink recovers alone.

The session's OpenSearch node is stopped for 30 s while a writer pushes the second
half of a batch through the bulk sink; the writer must wait (not fail), and once
the node is back every article is there exactly once, without restarting the sink.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from opensearchpy import OpenSearch

from sinks.search.bulk import Backoff
from sinks.search.index import EngineArticleIndex
from sinks.search.layout import Layout
from sinks.search.opensearch_client import OpenSearchTransport
from sinks.search.setup import install
from tests.support.enriched import enriched
from wirewatch.core.ports import IndexResult

OUTAGE_SECONDS = 30
START = datetime(2026, 5, 30, tzinfo=UTC)
ARTICLES = [
    enriched(f"o{i}", f"Outage {i}", "words", published_at=START + timedelta(hours=i))
    for i in range(400)  # spans two monthly indices
]


def test_the_sink_waits_out_a_stopped_engine_and_loses_nothing(opensearch, opensearch_url):
    client = OpenSearch(opensearch_url, timeout=10, max_retries=0)
    transport = OpenSearchTransport(client)
    layout = Layout(prefix="outage", replicas=0)
    install(transport, layout, "ism")
    index = EngineArticleIndex(transport, layout, max_docs=50, backoff=Backoff(0.2, 2, 2))
    first, second = ARTICLES[:200], ARTICLES[200:]
    assert index.index(first).indexed == 200

    opensearch.stop()
    outcome: list[IndexResult] = []
    writer = threading.Thread(target=lambda: outcome.append(index.index(second)))
    writer.start()
    time.sleep(OUTAGE_SECONDS)
    assert writer.is_alive(), "the sink gave up instead of waiting for the engine"
    opensearch.start()
    writer.join(timeout=300)

    assert outcome == [IndexResult(indexed=200, rejected=[])]
    assert index.index(first[:50]).indexed == 50  # a replay after the outage
    index.refresh()
    assert index.count() == len(ARTICLES)
    client.close()
