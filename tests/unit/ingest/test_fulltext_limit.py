"""Full text fetched from an article's page is held to the same text limit as a feed's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.fetch import Fetcher
from ingest.fulltext import FullTextFetcher
from tests.support.http_server import Reply, TestServer
from wirewatch.core.models import Article
from wirewatch.core.settings import FetchSettings

NOW = datetime(2026, 11, 25, tzinfo=UTC)
PARAGRAPH = "The talks in Cairo resumed on Monday after a week of delays. " * 20


def _article(url: str) -> Article:
    return Article(
        id="a1",
        url=url,
        canonical_url=url,
        feed_id="f1",
        feed_url="https://news.example/feed",
        source="Example",
        title="Talks resume",
        summary="Talks resumed.",
        published_at=NOW,
        fetched_at=NOW,
        truncated=["text"],  # the feed's own text was cut; the page's replaces it
    )


@pytest.mark.parametrize(("limit", "cut"), [(500, True), (200_000, False)])
async def test_page_text_over_the_limit_is_cut_and_listed(limit: int, cut: bool) -> None:
    paragraphs = "".join(f"<p>{PARAGRAPH}</p>" for _ in range(6))
    page = f"<html><body><article><h1>Talks</h1>{paragraphs}</article></body></html>"
    with TestServer() as server:
        server.route("/a", lambda r: Reply(200, {"Content-Type": "text/html"}, page.encode()))
        fetcher = Fetcher(FetchSettings(allow_private=[server.allow_entry]))
        try:
            [done] = await FullTextFetcher(fetcher, text_chars=limit)([_article(server.url("/a"))])
        finally:
            await fetcher.aclose()
    assert done.full_text_status == "extracted" and len(done.text) <= limit
    assert done.truncated == (["text"] if cut else [])
    assert done.text.endswith("…") is cut
