"""`alerts test`: what a query would have matched among stored articles, before saving it.

Goes through the `ArticleIndex` port, so the preview counts what the configured index
(SQLite or a search engine) finds — the same articles `wirewatch search` lists. The
engines refuse pages past 10,000 hits (`index.max_result_window`), so the preview
counts at most the newest `PREVIEW_CAP` matches and says when there were more.
`alerts backfill` reads the same matches (`stored_matches`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from wirewatch.core.models import EnrichedArticle
from wirewatch.core.ports import ArticleIndex, SearchRequest
from wirewatch.core.query import Query

PAGE = 500
# the last page asks for PAGE + 1 from offset PREVIEW_CAP - PAGE: within an engine's window
PREVIEW_CAP = 9_500
SAMPLES = 5


@dataclass(frozen=True)
class Preview:
    """How many stored articles matched, per published day (UTC), and the newest few."""

    matched: int
    per_day: dict[date, int]
    samples: list[EnrichedArticle]
    capped: bool  # more matched than PREVIEW_CAP; the counts cover the newest PREVIEW_CAP


def stored_matches(
    index: ArticleIndex, query: Query, since: datetime | None
) -> tuple[list[EnrichedArticle], bool]:
    """The query's stored matches, newest first, at most `PREVIEW_CAP`; True if capped."""
    found: list[EnrichedArticle] = []
    offset: int | None = 0
    while offset is not None and offset < PREVIEW_CAP:
        page = index.search(SearchRequest(query, since=since, limit=PAGE, offset=offset))
        found.extend(page.articles)
        offset = page.next_offset
    return found, offset is not None


def preview(index: ArticleIndex, query: Query, since: datetime | None) -> Preview:
    """Page through the query's matches, newest first, counting them per day."""
    found, capped = stored_matches(index, query, since)
    per_day = Counter(e.article.published_at.date() for e in found)
    return Preview(len(found), dict(sorted(per_day.items())), found[:SAMPLES], capped)
