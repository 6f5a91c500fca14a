"""What every role records the same way, so no role carries its own copy: a feed poll,
a timed stage, articles becoming searchable."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from ingest.poll import PollOutcome
from wirewatch.core.metrics import Metrics, SourceLabels
from wirewatch.core.models import Article, FeedStatus


def record_poll(metrics: Metrics, outcome: PollOutcome) -> None:
    """One poll's outcome, the articles it produced, and a failure as an ingest error."""
    if outcome.error:
        result = "failed"
        metrics.count("wirewatch_errors_total", stage="ingest", kind="feed")
    elif outcome.state.last_status is FeedStatus.NOT_MODIFIED:
        result = "not_modified"
    else:
        result = "ok"
    metrics.count("wirewatch_feed_polls_total", outcome=result)
    metrics.count("wirewatch_articles_out_total", len(outcome.articles), stage="ingest")


@contextmanager
def timed(metrics: Metrics, stage: str) -> Iterator[None]:
    """Observe the block's wall time as one batch of `stage` (also when it raises)."""
    started = time.monotonic()
    try:
        yield
    finally:
        metrics.observe("wirewatch_stage_duration_seconds", time.monotonic() - started, stage=stage)


def record_searchable(
    metrics: Metrics, sources: SourceLabels, articles: Sequence[Article], now: datetime
) -> None:
    """Published → searchable lag per source; an article whose feed gave no date (its
    published time is its fetch time) would only measure the poll, and is left out."""
    for a in articles:
        if not a.published_is_fetch_time:
            lag = max(0.0, (now - a.published_at).total_seconds())
            metrics.observe("wirewatch_freshness_seconds", lag, source=sources.label(a.feed_url))
