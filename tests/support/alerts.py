"""One alert as a channel sender gets it: a story of three, two matched terms, a URL with '&'."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from wirewatch.core.models import Alert, Digest
from wirewatch.core.pacing import digests

T = datetime(2026, 11, 25, 12, 5, 59, tzinfo=UTC)
ALERT = Alert(
    id="9f2c4e",
    rule_id="r1",
    rule_name="gaza talks",
    query="title:rafah OR person:yoav gallant",
    article_id="a1",
    title="Talks on Rafah",
    url="https://news.example/1?a=1&b=2",
    source="Example News",
    published_at=T,
    matched_at=T,
    matched_terms=["title:rafah", "person:yoav gallant"],
    story_size=3,
)


def digest_of(count: int) -> Digest:
    """A digest of `count` hits of ALERT's rule, the first an update, the last a lone article."""
    alerts = [
        ALERT.model_copy(
            update={
                "id": f"h{i}",
                "matched_at": T + timedelta(seconds=i),
                "title": f"Talks on Rafah, day {i}",
                "kind": "update" if i == 0 else "article",
                "story_size": 1 if i == count - 1 else 3,
            }
        )
        for i in range(count)
    ]
    return digests("target", alerts)[0]
