"""The article documents a search engine holds, read with the engine's own client (as a
user checks with curl), so that a test counts what is there, not what a command shows."""

from __future__ import annotations

from opensearchpy import OpenSearch


def article_ids(engine: OpenSearch, prefix: str) -> list[str]:
    """Every article document's id over every monthly index of `prefix`, after a refresh:
    an article indexed twice (in two indices) shows twice."""
    pattern = f"{prefix}-articles-*"
    engine.indices.refresh(index=pattern, ignore_unavailable=True)
    found = engine.search(
        index=pattern, body={"size": 10_000, "_source": False}, ignore_unavailable=True
    )
    return [h["_id"] for h in found["hits"]["hits"]]
