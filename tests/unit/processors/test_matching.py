"""The alert matcher agrees with SQLite search on every query, and fires what a user expects."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from processors.matching import Matcher
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from wirewatch.core.models import (
    Article,
    EnrichedArticle,
    Entity,
    EntityType,
    Provenance,
    TopicTag,
)
from wirewatch.core.ports import SearchRequest
from wirewatch.core.query import parse_query
from wirewatch.core.query.parser import MAX_DEPTH

T = datetime(2026, 11, 25, tzinfo=UTC)


def make(
    i: int,
    title: str,
    text: str,
    *,
    source: str = "BBC News",
    domain: str = "bbc.co.uk",
    lang: str = "en",
    entities: tuple[tuple[str, EntityType, tuple[str, ...]], ...] = (),
    topics: tuple[tuple[str, str], ...] = (),
) -> EnrichedArticle:
    a = Article(
        id=f"a{i}",
        url=f"https://{domain}/{i}",
        feed_id="f",
        feed_url="https://x/f",
        source=source,
        source_domain=domain,
        title=title,
        summary=text,
        published_at=T,
        fetched_at=T,
    )
    return EnrichedArticle(
        article=a,
        language=lang,
        story_id=f"story{i % 3}",
        enriched_at=T,
        provenance=Provenance(enrichment_version="t"),
        entities=[
            Entity(name=n, type=t, mentions=1, first_position=0, salience=0.5, aliases=list(al))
            for n, t, al in entities
        ],
        topics=[TopicTag(id=tid, label=label, score=1.0) for tid, label in topics],
    )


P, ORG, G = EntityType.PERSON, EntityType.ORG, EntityType.GPE
ARTICLES = [
    make(
        0,
        "Gallant and Austin discuss Rafah",
        "Israel's defense minister Yoav Gallant met "
        "Lloyd Austin at the Pentagon to discuss the humanitarian crisis in Gaza.",
        entities=(
            ("Yoav Gallant", P, ("Gallant", "Mr. Gallant")),
            ("Lloyd Austin", P, ()),
            ("Israel", G, ()),
            ("Gaza", G, ()),
            ("Pentagon", ORG, ()),
        ),
        topics=(("medtop:16000000", "conflict, war and peace"), ("medtop:11000000", "politics")),
    ),
    make(
        1,
        "Cease-fire talks resume in Cairo",
        "Negotiators met in Cairo as the ceasefire "
        "proposal gained momentum; Hamas officials said talks were constructive.",
        source="Al Jazeera",
        domain="aljazeera.com",
        entities=(("Cairo", G, ()), ("Hamas", ORG, ())),
        topics=(("medtop:16000000", "conflict, war and peace"),),
    ),
    make(
        2,
        "Markets rally as inflation cools",
        "Stocks rose on Wall Street after economic "
        "data showed inflation easing; the Federal Reserve may cut rates.",
        source="NPR",
        domain="feeds.npr.org",
        entities=(("Wall Street", EntityType.LOC, ()), ("Federal Reserve", ORG, ("Fed",))),
        topics=(("medtop:04000000", "economy, business and finance"),),
    ),
    make(
        3,
        "Élysée confirms Macron visit",
        "The Élysée palace said President Emmanuel Macron "
        "will travel to Berlin for economic talks with the German chancellor.",
        source="France 24",
        domain="france24.com",
        lang="fr",
        entities=(("Emmanuel Macron", P, ("Macron",)), ("Berlin", G, ())),
        topics=(("medtop:11000000", "politics"),),
    ),
    make(
        4,
        "Football: City beat United",
        "Manchester City beat Manchester United 3-1 in the "
        "derby; the economy of the club was not discussed.",
        source="BBC Sport",
        domain="bbc.co.uk",
        entities=(("Manchester City", ORG, ()), ("Manchester United", ORG, ())),
        topics=(("medtop:15000000", "sport"),),
    ),
    make(
        5,
        "Running for office",
        "She is running for office while her rivals ran the "
        "campaign poorly; runners-up were economists.",
        source="NYT",
        domain="nytimes.com",
        entities=(("Jane Smith", P, ("Smith",)),),
    ),
]

QUERIES = [
    "gaza",
    "Gaza",
    "GAZA",
    "gallant",
    "person:gallant",
    'person:"yoav gallant"',
    "org:gallant",
    "entity:gallant",
    "place:gaza",
    "place:cairo",
    "org:hamas",
    "org:fed",
    "org:feder*",
    "cease-fire",
    "ceasefire",
    '"cease fire"',
    "talks",
    "talk",
    "talking",
    "econom*",
    "economy",
    "economic",
    '"defense minister"',
    '"minister defense"',
    '"gallant austin"~3',
    '"austin gallant"~3',
    '"gallant pentagon"~1',
    '"gallant pentagon"~5',
    "title:rafah",
    "text:rafah",
    "title:(cairo OR markets)",
    "gaza -hamas",
    "talks NOT cairo",
    "(gaza OR cairo) AND NOT israel",
    "x OR (rally -inflation)",
    "source:bbc.co.uk",
    "source:npr.org",
    'source:"al jazeera"',
    "source:bbc",
    "lang:fr",
    "lang:EN",
    "topic:politics",
    "topic:medtop:15000000",
    'topic:"war and peace"',
    "story:story1",
    "elysee",
    "Élysée",
    "macron",
    "run",
    "running",
    "ran",
    "runner*",
    "manchester -united",
    "city united",
    "inflation OR rates",
    "fed",
    "(talks OR rally) -(cairo OR markets)",
]


@pytest.fixture(scope="module")
def store() -> ArticleStore:
    db = Database.memory()
    s = ArticleStore(db)
    s.commit_enriched([(None, e) for e in ARTICLES], [], [], now=T)
    return s


@pytest.mark.parametrize("query", QUERIES)
def test_matcher_fires_exactly_when_search_finds(store: ArticleStore, query: str) -> None:
    matcher = Matcher([("r", query)])
    fired = {e.id for e in ARTICLES if matcher.match(e)}
    found = {e.id for e in store.search(SearchRequest(parse_query(query), limit=100)).articles}
    assert fired == found


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("person:gallant", {"a0"}),
        ("gaza", {"a0"}),
        ("cease-fire", {"a1"}),
        ("econom*", {"a2", "a3", "a4", "a5"}),
        ('"gallant austin"~3', {"a0"}),
        ("org:fed", {"a2"}),
        ("source:npr.org", {"a2"}),
        ("elysee", {"a3"}),
        ("lang:fr", {"a3"}),
        ("topic:sport", {"a4"}),
        ("talks NOT cairo", {"a3"}),
        ("running", {"a5"}),
        ("manchester -united", set()),
    ],
)
def test_what_a_user_expects(query: str, expected: set[str]) -> None:
    matcher = Matcher([("r", query)])
    assert {e.id for e in ARTICLES if matcher.match(e)} == expected


def test_rules_add_and_remove() -> None:
    m = Matcher()
    m.add("gaza", "gaza")
    m.add("fed", "org:fed")
    assert m.match(ARTICLES[0]) == ["gaza"]
    m.remove("gaza")
    assert m.match(ARTICLES[0]) == [] and len(m) == 1


DEEPEST = [  # as deep as the parser allows (MAX_DEPTH levels of parentheses and NOTs)
    "gaza " + "NOT " * MAX_DEPTH + "israel",
    "(" * MAX_DEPTH + "gaza" + ")" * MAX_DEPTH,
    "(cairo OR " * (MAX_DEPTH - 2) + "(gaza -hamas)" + ")" * (MAX_DEPTH - 2),
    "(cairo OR person:" * MAX_DEPTH + "gallant" + ")" * MAX_DEPTH,
    "".join("(x OR " if i % 2 else "(talks " for i in range(MAX_DEPTH)) + "cairo" + ")" * MAX_DEPTH,
    "talks " + "(NOT " * (MAX_DEPTH // 2) + "cairo" + ")" * (MAX_DEPTH // 2),
]


@pytest.mark.parametrize(
    "query", DEEPEST, ids=["not-chain", "parens", "or-nest", "field-nest", "and-or", "not-parens"]
)
def test_the_deepest_queries_run_in_search_and_the_matcher_alike(
    store: ArticleStore, query: str
) -> None:
    """The parser's depth bound keeps SQLite's parser stack (about 25 levels) and Python's safe."""
    matcher = Matcher([("r", query)])
    fired = {e.id for e in ARTICLES if matcher.match(e)}
    found = {e.id for e in store.search(SearchRequest(parse_query(query), limit=100)).articles}
    assert fired == found
    assert fired  # an even number of NOTs cancels out; every query above finds something
