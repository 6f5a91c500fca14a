"""`word*` finds the words an article wrote that start with `word`, in search and alerts alike.

Porter stems would get in the way both ways: FTS5 stemmed the prefix (`ely*` searched
`eli*` and missed "Élysée"), and matching a prefix against stems misses words whose
stem is shorter than the prefix (`organi*` vs "organization", stem "organ").
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from processors.matching import Matcher
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.support.enriched import WHEN, enriched
from wirewatch.core.models import EnrichedArticle
from wirewatch.core.ports import SearchRequest
from wirewatch.core.query import parse_query

ARTICLES = [
    enriched("elysee", "L'Élysée confirms the visit", "The palace spoke."),
    enriched("running", "Running mates", "She is running; the runner-up conceded."),
    enriched("ran", "Rivals ran a poor campaign", "They ran out of time."),
    enriched("organ", "Organ donors", "A new organization organises the organ register."),
    enriched("naive", "A naïve plan", "Critics call it naïve."),
    enriched("ceasefire", "Cease-fire holds", "The cease-fire talks resume."),
]


@pytest.fixture(scope="module")
def store() -> ArticleStore:
    s = ArticleStore(Database.memory())
    s.commit_enriched([(None, e) for e in ARTICLES], [], [], now=WHEN)
    return s


def searched(store: ArticleStore, query: str) -> set[str]:
    return {e.id for e in store.search(SearchRequest(parse_query(query), limit=100)).articles}


def fired(query: str, articles: list[EnrichedArticle] = ARTICLES) -> set[str]:
    matcher = Matcher([("r", query)])
    return {e.id for e in articles if matcher.match(e)}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("ely*", {"elysee"}),  # FTS5 alone would search `eli*`
        ("Élys*", {"elysee"}),
        ("title:elysé*", {"elysee"}),
        ("run*", {"running"}),  # running, runner; not "ran"
        ("runn*", {"running"}),  # longer than the stem "run"
        ("runner*", {"running"}),
        ("organi*", {"organ"}),  # organization, organises: stem "organ"
        ("organiz*", {"organ"}),
        ("organs*", set()),  # the words as written: "organ" is not "organs"
        ("naï*", {"naive"}),
        ("text:naiv*", {"naive"}),
        ("title:runn*", {"running"}),
        ("text:runn*", {"running"}),
        ("cease-fi*", {"ceasefire"}),  # several words: consecutive, the last a prefix
        ("ceasing-fi*", set()),  # ...and written as the query writes them
        ("organi* -runn*", {"organ"}),
    ],
)
def test_a_prefix_matches_words_as_written_in_search_and_alerts(
    store: ArticleStore, query: str, expected: set[str]
) -> None:
    assert searched(store, query) == expected
    assert fired(query) == expected


def test_a_reindexed_article_is_found_by_its_new_words_only() -> None:
    store = ArticleStore(Database.memory())
    first = enriched("a", "Organisers meet", "Organisers of the rally met.")
    store.commit_enriched([(None, first)], [], [], now=WHEN)
    edited = enriched("a", "Runners meet", "Runners of the rally met.")
    store.commit_enriched([(None, edited)], [], [], now=WHEN + timedelta(minutes=1))
    assert searched(store, "organi*") == fired("organi*", [edited]) == set()
    assert searched(store, "runn*") == fired("runn*", [edited]) == {"a"}
