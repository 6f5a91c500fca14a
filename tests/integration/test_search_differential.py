"""Search and alerts agree on every engine: SQLite FTS5, the matcher and OpenSearch.

Documents are drawn (seeded) from a small vocabulary chosen to exercise stemming,
accent folding, phrases, proximity, prefixes, names and domains; hypothesis writes
queries over the same vocabulary. For each query the three engines must return
the same set of article ids. Left out on purpose, as known differences
(docs/search-engines.md, SERVERS.md): the ligature `ﬁ`, `ß`, and the lone `s` of
possessives, which the matcher stems to nothing.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from opensearchpy import OpenSearch

from processors.matching import compile_rule, doc_for
from sinks.search.index import EngineArticleIndex
from sinks.search.layout import Layout
from sinks.search.opensearch_client import OpenSearchTransport
from sinks.search.setup import install
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from tests.support.enriched import enriched
from wirewatch.core.models import EnrichedArticle, EntityType
from wirewatch.core.ports import SearchRequest
from wirewatch.core.query import parse_query

WORDS = [
    "gaza", "talks", "talk", "talking", "running", "run", "ran", "café", "cafe",
    "élysée", "ceasefire", "cease", "fire", "israel", "hamas", "economy",
    "economic", "markets", "market", "cairo", "naïve", "rally",
]  # fmt: skip
SOURCES = [("BBC News", "feeds.bbc.co.uk"), ("Le Monde", "www.lemonde.fr"), ("NPR", "npr.org")]
ENTITIES = [
    ("Yoav Gallant", EntityType.PERSON, ["Gallant"]),
    ("Emmanuel Macron", EntityType.PERSON, ["Macron"]),
    ("Hamas", EntityType.ORG, []),
    ("Federal Reserve", EntityType.ORG, ["Fed"]),
    ("Gaza", EntityType.GPE, []),
    ("Île-de-France", EntityType.LOC, []),
]
TOPICS = [("medtop:11000000", "politics"), ("medtop:04000000", "economy, business and finance")]
T0 = datetime(2026, 2, 20, tzinfo=UTC)


def _corpus(n: int = 60) -> list[EnrichedArticle]:
    rnd = random.Random(15)
    out = []
    for i in range(n):
        source, domain = rnd.choice(SOURCES)
        out.append(
            enriched(
                f"d{i}",
                " ".join(rnd.choices(WORDS, k=rnd.randint(1, 4))),
                " ".join(rnd.choices(WORDS, k=rnd.randint(3, 14))),
                published_at=T0 + timedelta(days=rnd.randint(0, 40), minutes=i),
                source=source,
                domain=domain,
                language=rnd.choice(["en", "fr"]),
                story_id=f"s{i % 4}",
                entities={name: (t, al) for name, t, al in rnd.sample(ENTITIES, rnd.randint(0, 2))},
                topics=dict(rnd.sample(TOPICS, rnd.randint(0, 1))),
            )
        )
    return out


CORPUS = _corpus()

word = st.sampled_from(WORDS)
# any prefix of a word, as written (`ely*`, `runn*`, `cé*`): a prefix matches words as
# written on every engine, never stems
prefix = st.tuples(word, st.integers(1, 8)).map(lambda p: p[0][: p[1]])
leaf = st.one_of(
    word,
    prefix.map(lambda p: p + "*"),
    st.tuples(st.sampled_from(["title", "text"]), prefix).map(lambda p: f"{p[0]}:{p[1]}*"),
    st.tuples(word, prefix).map(lambda p: f"{p[0]}-{p[1]}*"),
    st.tuples(word, word).map(lambda p: f'"{p[0]} {p[1]}"'),
    st.tuples(word, word, st.integers(0, 6)).map(lambda p: f'"{p[0]} {p[1]}"~{p[2]}'),
    st.tuples(st.sampled_from(["title", "text"]), word).map(lambda p: f"{p[0]}:{p[1]}"),
    st.sampled_from(
        [
            "lang:en", "lang:FR", "story:s1", "source:bbc.co.uk", "source:lemonde.fr",
            "source:monde", "source:\"bbc news\"", "person:gallant", "person:macr*",
            "org:fed", "org:hamas", "place:gaza", "place:\"ile de france\"", "entity:hamas",
            "topic:politics", "topic:medtop:04000000", "topic:econ*",
        ]
    ),
)  # fmt: skip
queries = st.recursive(
    leaf,
    lambda inner: st.one_of(
        st.tuples(inner, inner).map(lambda p: f"({p[0]} OR {p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} AND {p[1]})"),
        st.tuples(inner, inner).map(lambda p: f"({p[0]} NOT {p[1]})"),
    ),
    max_leaves=4,
)


@pytest.fixture(scope="module")
def sqlite_store() -> ArticleStore:
    store = ArticleStore(Database.memory())
    store.commit_enriched([(None, e) for e in CORPUS], [], [], now=T0)
    return store


@pytest.fixture(scope="module")
def engine(opensearch_url: str) -> Iterator[EngineArticleIndex]:
    client = OpenSearch(opensearch_url, timeout=30)
    transport = OpenSearchTransport(client)
    layout = Layout(prefix="differential", replicas=0)
    install(transport, layout, "ism")
    index = EngineArticleIndex(transport, layout)
    assert index.index(CORPUS).indexed == len(CORPUS)
    index.refresh()
    yield index
    client.close()


@settings(max_examples=300, deadline=None)
@given(text=queries)
def test_sqlite_the_matcher_and_opensearch_find_the_same_articles(text, sqlite_store, engine):
    query = parse_query(text)
    request = SearchRequest(query, limit=len(CORPUS))
    in_sqlite = {e.id for e in sqlite_store.search(request).articles}
    rule = compile_rule(text)
    in_matcher = {e.id for e in CORPUS if rule.matches(doc_for(e))}
    in_engine = {e.id for e in engine.search(request).articles}
    assert in_sqlite == in_matcher, text
    assert in_engine == in_sqlite, text
