"""Entity and topic filters find in search exactly what the matcher fires on.

SQLite answers them from `filter_words` (schema step 5) rather than by checking every
stored name, so these cases pin that the index changes speed only: names, aliases,
accents, hyphens, several words, prefixes, types, topic ids and labels, negation.
"""

from __future__ import annotations

from itertools import product

import pytest

from processors.matching import CompiledRule, doc_for
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.support.enriched import WHEN, enriched
from wirewatch.core.models import EnrichedArticle, EntityType
from wirewatch.core.ports import SearchRequest
from wirewatch.core.query import Query, Term, parse_query

P, ORG, GPE, LOC, FAC, NORP = (
    EntityType.PERSON,
    EntityType.ORG,
    EntityType.GPE,
    EntityType.LOC,
    EntityType.FAC,
    EntityType.NORP,
)
ARTICLES = [
    enriched(
        "macron",
        "Macron in Berlin",
        entities={
            "Emmanuel Macron": (P, ["Macron", "President Macron"]),
            "Berlin": (GPE, []),
            "Élysée Palace": (FAC, ["Élysée"]),
        },
        topics={"medtop:11000000": "politics", "medtop:16000000": "conflict, war and peace"},
    ),
    enriched(
        "newyork",
        "New York votes",
        entities={
            "New York": (GPE, ["NYC"]),
            "New York Times": (ORG, ["the Times"]),
            "Jean-Luc Mélenchon": (P, []),
        },
        topics={"medtop:11000000": "politics", "Économie": "économie et finances"},
    ),
    enriched(
        "york",
        "York minster",
        entities={"York": (GPE, []), "York Minster": (FAC, []), "Yorkshire": (LOC, [])},
        topics={"medtop:01000000": "arts, culture and entertainment"},
    ),
    enriched(
        "times",
        "Times change",
        entities={
            "Times Square": (LOC, ["Times"]),
            "French": (NORP, []),
            "Volodymyr Zelensky": (P, ["Володимир Зеленський"]),
        },
        topics={"peace-talks": "peace talks"},
    ),
    enriched("bare", "No entities here", "New York war and peace Macron."),
]

VALUES = [
    "macron",
    "Macron",
    "emmanuel",
    '"emmanuel macron"',
    '"president macron"',
    '"macron emmanuel"',
    '"macron president"',  # name and alias are never one phrase
    "macr*",
    "emmanuel-macr*",
    "president-m*",
    "berlin",
    "elysee",
    "Élysée",
    "élys*",
    '"elysee palace"',
    '"new york"',
    '"york times"',
    '"new york times"',
    "new-y*",
    "new-york-t*",
    "york",
    "york*",
    "yorks*",
    '"york minster"',
    "nyc",
    "times",
    '"the times"',
    '"times square"',
    "jean-luc",
    "melenchon",
    '"jean luc melenchon"',
    "luc-mél*",
    "french",
    "зел*",  # letters past 'z': the prefix range must reach them
    "Зеленський",
    "володимир-зел*",
    "zelensky",
    "politics",
    "polit*",
    "medtop:11000000",
    "MEDTOP:16000000",
    "medtop:1600*",
    "medtop*",
    '"war and peace"',
    '"peace and war"',
    "war-and-p*",
    "peace",
    '"peace talks"',
    "peace-talks",
    "talk*",
    "economie",
    "Économie",
    "econ*",
    '"economie et finances"',
    "et-fin*",
    '"culture and entertainment"',
    "arts",
    "square",
    "nothing",
]
FIELDS = ["entity", "person", "org", "place", "topic"]
QUERIES = [f"{f}:{v}" for f, v in product(FIELDS, VALUES)]
COMBINED = [
    "person:macron place:berlin",
    "place:york -org:times",
    "NOT place:york topic:politics",
    "(person:melenchon OR place:yorkshire) -topic:polit*",
    "topic:politics -person:macr*",
    'entity:"new york" OR topic:"peace talks"',
    "york -place:york",
    'place:"new york" AND NOT entity:nyc',
]


@pytest.fixture(scope="module")
def store() -> ArticleStore:
    s = ArticleStore(Database.memory())
    s.commit_enriched([(None, e) for e in ARTICLES], [], [], now=WHEN)
    return s


def searched(store: ArticleStore, query: Query) -> set[str]:
    return {e.id for e in store.search(SearchRequest(query, limit=100)).articles}


def fired(query: Query, articles: list[EnrichedArticle] = ARTICLES) -> set[str]:
    rule = CompiledRule(query)
    return {e.id for e in articles if rule.matches(doc_for(e))}


def test_every_entity_and_topic_filter_finds_what_the_matcher_fires_on(
    store: ArticleStore,
) -> None:
    differ = {}
    for text in QUERIES + COMBINED:
        query = parse_query(text)
        if fired(query) != searched(store, query):
            differ[text] = (fired(query), searched(store, query))
    assert differ == {}
    assert sum(bool(fired(parse_query(q))) for q in QUERIES) > len(QUERIES) // 4  # not all empty


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('person:"emmanuel macron"', {"macron"}),
        ('person:"macron president"', set()),  # a phrase never spans name and alias
        ("place:york", {"newyork", "york"}),
        ("place:yorks*", {"york"}),
        ("org:york", {"newyork"}),
        ("place:élys*", {"macron"}),
        ("entity:times", {"newyork", "times"}),
        ("topic:MEDTOP:16000000", {"macron"}),
        ("topic:Économie", {"newyork"}),  # a folded topic id
        ('topic:"war and peace"', {"macron"}),
        ("topic:war-and-p*", {"macron"}),
        ("person:зел*", {"times"}),
        ("entity:politics", set()),  # topics are not entities
        ("topic:macron", set()),
    ],
)
def test_what_a_user_expects(store: ArticleStore, query: str, expected: set[str]) -> None:
    assert searched(store, parse_query(query)) == expected == fired(parse_query(query))


@pytest.mark.parametrize("field", FIELDS)
def test_a_leaf_without_words_finds_nothing_in_either(store: ArticleStore, field: str) -> None:
    """The parser refuses such a leaf; a query built in code still means the same everywhere."""
    query = Query(Term("!!", field=field), "")
    assert searched(store, query) == fired(query) == set()


def test_a_reindexed_article_is_found_by_its_new_names_only() -> None:
    store = ArticleStore(Database.memory())
    store.index([ARTICLES[0]])
    renamed = enriched("macron", "Macron", entities={"Olaf Scholz": (P, [])}, topics={"x": "sport"})
    store.index([renamed])
    assert searched(store, parse_query("person:macron")) == set()
    assert searched(store, parse_query("topic:politics")) == set()
    assert searched(store, parse_query("person:scholz topic:sport")) == {"macron"}
