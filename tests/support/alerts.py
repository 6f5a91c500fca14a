"""One alert as a channel sender gets it: a story of three, two matched terms, a URL with '&'."""

from __future__ import annotations

from datetime import UTC, datetime

from wirewatch.core.models import Alert

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
