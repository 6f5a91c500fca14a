"""Full text for feeds that carry only summaries (opt-in per feed).

Each new article's page is fetched with the same fetcher — so the same SSRF
guard, size, time and politeness limits — and its main text extracted with
trafilatura. A page that cannot be fetched or read leaves the article as the
feed gave it, with the reason in `full_text_status`. The text is held to
`limits.text_chars` like a feed's own (cut at a word, listed in `truncated`).

Extraction tries trafilatura's precision mode first (it leaves out more boilerplate)
and falls back to its default mode when precision finds nothing: on some real
article pages precision mode drops the whole body that the default mode extracts
cleanly (docs/enrichment.md has both modes on the scrapinghub benchmark).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from ingest.fetch import PAGE_ACCEPT, Fetcher
from wirewatch.core.models import Article
from wirewatch.core.settings import LimitsSettings
from wirewatch.core.truncate import truncate

MIN_GAIN = 1.2  # keep the extraction only if it is clearly longer than what the feed had


def extract_main_text(html: bytes, url: str | None, *, fallback: bool = True) -> str | None:
    """The article body of an HTML page (trafilatura), or None.

    Precision mode first; with `fallback`, the default mode when precision returned
    nothing (the benchmark turns it off to measure precision mode alone).
    """
    try:
        import trafilatura
    except ImportError:
        return None
    for precise in (True, False) if fallback else (True,):
        text = trafilatura.extract(
            html, url=url, include_comments=False, include_tables=False, favor_precision=precise
        )
        if text:
            return str(text)
    return None


class FullTextFetcher:
    def __init__(self, fetcher: Fetcher, *, text_chars: int = LimitsSettings().text_chars) -> None:
        self.fetcher = fetcher
        self.text_chars = text_chars

    async def __call__(self, articles: Sequence[Article]) -> list[Article]:
        return list(await asyncio.gather(*(self._one(a) for a in articles)))

    async def _one(self, article: Article) -> Article:
        url = article.canonical_url or article.url
        if not url:
            return article.model_copy(update={"full_text_status": "no link to fetch"})
        result = await self.fetcher.fetch(url, accept=PAGE_ACCEPT)
        if result.error is not None or not result.body:
            return article.model_copy(
                update={"full_text_status": f"page not fetched: {result.error or 'empty body'}"}
            )
        text = await asyncio.to_thread(extract_main_text, result.body, result.final_url)
        if text is None:
            return article.model_copy(update={"full_text_status": "no main text found"})
        if len(text) < MIN_GAIN * len(article.body):
            return article.model_copy(
                update={"full_text_status": "page text not longer than the feed's"}
            )
        short = truncate(text, self.text_chars)
        cut = [f for f in article.truncated if f != "text"] + (["text"] if short != text else [])
        return article.model_copy(
            update={"text": short, "full_text_status": "extracted", "truncated": cut}
        )
