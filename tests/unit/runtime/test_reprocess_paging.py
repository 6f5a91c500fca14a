"""`reprocess --where` reads the index's matches in pages keyed on the last one read:
every match exactly once, newest first, even across many pages of equal dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.support.enriched import enriched
from wirewatch.core.clock import ManualClock
from wirewatch.core.query import parse_query
from wirewatch.runtime import reprocess

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def test_every_match_once_across_pages_of_tied_dates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reprocess, "PAGE", 3)
    db = Database.open(tmp_path)
    store = ArticleStore(db, ManualClock(NOW))
    # 7 articles share one date (more than two pages), 4 more on other dates; 2 never match
    dates = [NOW] * 7 + [NOW - timedelta(hours=h) for h in (1, 2, 2, 3)]
    matching = [
        enriched(f"a{i:02d}", "Talks in Cairo", published_at=d) for i, d in enumerate(dates)
    ]
    others = [enriched(f"b{i}", "Weather", published_at=NOW) for i in range(2)]
    store.commit_enriched([(None, e) for e in matching + others], [], [], now=NOW)

    read = list(reprocess.by_search(store, parse_query("cairo"), None))

    assert [e.id for e in read] == [e.id for e in matching]  # newest first, ties by id
    since = list(reprocess.by_search(store, parse_query("cairo"), NOW - timedelta(hours=2)))
    assert len(since) == 10
    db.close()
