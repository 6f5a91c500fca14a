"""The SQLite adapter behind the `ArticleIndex` port: what any engine must answer alike."""

from __future__ import annotations

from datetime import timedelta

import pytest

from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.unit.sinks.test_sqlite_store import T, art, enrich
from wirewatch.core.clock import ManualClock
from wirewatch.core.ports import ArticleIndex, IndexResult, SearchRequest
from wirewatch.core.query import parse_query


@pytest.fixture
def index() -> ArticleIndex:
    return ArticleStore(Database.memory(), ManualClock(T))


def test_indexing_again_replaces_the_article(index: ArticleIndex) -> None:
    assert index.index([enrich(art(1)), enrich(art(2))]) == IndexResult(indexed=2)
    index.index([enrich(art(1, title="Cairo summit ends"))])
    assert index.count() == 2
    again = index.get("a1")
    assert again is not None and again.article.title == "Cairo summit ends 1"
    found = index.search(SearchRequest(parse_query("gaza"))).articles
    assert [e.id for e in found] == ["a2"]  # the old text of a1 is no longer searchable


def test_search_pages_newest_first_within_the_period(index: ArticleIndex) -> None:
    index.index([enrich(art(i)) for i in range(1, 8)])  # published T+1min … T+7min
    query = parse_query("gaza")
    since, until = T + timedelta(minutes=2), T + timedelta(minutes=7)  # a2 … a6
    first = index.search(SearchRequest(query, since=since, until=until, limit=3))
    assert [e.id for e in first.articles] == ["a6", "a5", "a4"]
    assert first.next_offset == 3
    rest = index.search(SearchRequest(query, since=since, until=until, limit=3, offset=3))
    assert [e.id for e in rest.articles] == ["a3", "a2"]
    assert rest.next_offset is None


def test_stories_of_a_period_largest_first(index: ArticleIndex) -> None:
    index.index([enrich(art(1), "big"), enrich(art(2), "big"), enrich(art(3), "small")])
    found = index.stories(since=T, until=None, min_size=1, limit=10)
    assert [(s.story_id, s.size) for s in found] == [("big", 2), ("small", 1)]
    assert found[0].article_ids == ["a1", "a2"]
    assert [s.story_id for s in index.stories(since=T, until=None, min_size=2, limit=10)] == ["big"]
