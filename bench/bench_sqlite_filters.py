"""Entity and topic filters in the embedded search: the old SQL vs the `filter_words` index.

Until schema step 5 a `topic:`/`person:`/`place:` leaf called the Python function
`ww_phrase` on every stored topic or entity row, so its cost grew with the whole store;
now it looks its words up in `filter_words` and checks a phrase only on the articles
holding them. This bench indexes ~100,000 synthetic articles (deterministic: names,
places, organisations and IPTC topics drawn with a fixed seed; no spaCy), then runs
each query through `ArticleStore.search` (after) and through the same search SQL with
the old filter clause (before, kept here as the baseline), checks both find the same
first page, and prints p50 of each and the ratio.

    .venv/bin/python bench/bench_sqlite_filters.py [articles]
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

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

FIRST = "Anna Ben Carlos Dana Elif Farid Grace Hugo Ines Jonas Kenji Lena Marek Nadia Omar".split()
LAST = (
    "Abadi Berg Costa Dubois Eriksen Fischer Garcia Haddad Ito Jansen Kowalski Larsen Moreau "
    "Novak Okafor Petrov Quinn Rossi Silva Tanaka Urban Vasquez Weber Xu Yilmaz Zhang"
).split()
PLACES = [
    *"Iraq Iran Syria Israel Gaza Ukraine Russia France Germany Brazil China India Japan".split(),
    *"Kenya Nigeria Mexico Canada Egypt Turkey Poland Spain Italy Chile Peru".split(),
    *["New York", "South Africa", "Saudi Arabia", "Hong Kong", "Buenos Aires"],
]
ORGS = [
    "United Nations",
    "European Union",
    "Federal Reserve",
    "World Health Organization",
    "NATO",
    "Reuters",
    "Hamas",
    "Red Cross",
    "World Bank",
    "Supreme Court",
]
TOPICS = [
    ("medtop:01000000", "arts, culture, entertainment and media"),
    ("medtop:02000000", "crime, law and justice"),
    ("medtop:03000000", "disaster, accident and emergency incident"),
    ("medtop:04000000", "economy, business and finance"),
    ("medtop:06000000", "environment"),
    ("medtop:07000000", "health"),
    ("medtop:11000000", "politics"),
    ("medtop:13000000", "science and technology"),
    ("medtop:14000000", "society"),
    ("medtop:15000000", "sport"),
    ("medtop:16000000", "conflict, war and peace"),
    ("medtop:20000073", "peace process"),
    ("medtop:20000621", "government policy"),
]
WORDS = (
    "troops talks minister election market rates storm vaccine court strike deal border "
    "protest summit budget oil league climate report police"
).split()
T0 = datetime(2026, 1, 1, tzinfo=UTC)
QUERIES = [  # the query, and its filter (field, value, word*?) and text word for the baseline
    ("topic:politics", ("topic", "politics", 0), None),
    ("topic:medtop:16000000", ("topic", "medtop:16000000", 0), None),
    ('topic:"war and peace"', ("topic", "war and peace", 0), None),
    ("person:novak", ("person", "novak", 0), None),
    ('person:"grace novak"', ("person", "grace novak", 0), None),
    ("place:iraq troops", ("place", "iraq", 0), "troops"),
    ('place:"new york"', ("place", "new york", 0), None),
    ("org:feder*", ("org", "feder", 1), None),
]


def articles(n: int, seed: int = 15) -> Iterator[EnrichedArticle]:
    rnd = random.Random(seed)
    for i in range(n):
        people = [f"{rnd.choice(FIRST)} {rnd.choice(LAST)}" for _ in range(rnd.randint(0, 3))]
        places, orgs = rnd.sample(PLACES, rnd.randint(1, 3)), rnd.sample(ORGS, rnd.randint(0, 2))
        entities = [(p, EntityType.PERSON, [p.split()[-1]]) for p in dict.fromkeys(people)]
        entities += [(p, EntityType.GPE, []) for p in places] + [
            (o, EntityType.ORG, []) for o in orgs
        ]
        title = " ".join([*places[:1], *rnd.sample(WORDS, 3)])
        at = T0 + timedelta(minutes=i)
        a = Article(
            id=f"a{i}",
            url=f"https://example.org/{i}",
            feed_id="f",
            feed_url="https://example.org/feed",
            source="Example News",
            source_domain="example.org",
            title=title,
            text=" ".join([title, *people, *orgs, *rnd.sample(WORDS, 6)]) + ".",
            published_at=at,
            fetched_at=at,
        )
        yield EnrichedArticle(
            article=a,
            language="en",
            story_id=f"s{i}",
            enriched_at=at,
            provenance=Provenance(enrichment_version="bench"),
            entities=[
                Entity(name=name, type=t, mentions=1, first_position=0, salience=0.5, aliases=al)
                for name, t, al in entities
            ],
            topics=[
                TopicTag(id=t, label=lb, score=0.9)
                for t, lb in rnd.sample(TOPICS, rnd.randint(1, 3))
            ],
        )


def old_where(fld: str, value: str, prefix: int, word: str | None) -> tuple[str, list[object]]:
    """The filter clause before step 5 (a `ww_phrase` call per stored row), and a text word."""
    params: list[object]
    if fld == "topic":
        sql = (
            "a.id IN (SELECT article_id FROM article_topics t WHERE "
            "lower(t.topic_id) = ? OR ww_phrase(t.label, ?, ?))"
        )
        params = [value.lower(), value, prefix]
    else:
        types = {"person": ("PERSON",), "org": ("ORG",), "place": ("GPE", "LOC", "FAC")}[fld]
        sql = (
            f"a.id IN (SELECT article_id FROM article_entities e WHERE e.type IN "
            f"({','.join('?' * len(types))}) AND "
            "(ww_phrase(e.name, ?, ?) OR ww_phrase_any(e.aliases, ?, ?)))"
        )
        params = [*types, value, prefix, value, prefix]
    if word:
        sql += " AND a.rowid IN (SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?)"
        params.append(f'"{word}"')
    return sql, params


def first_page(db: Database, where: str, params: list[object]) -> Callable[[], list[str]]:
    sql = f"SELECT a.id FROM articles a WHERE {where} ORDER BY a.published_at DESC, a.id LIMIT 20"
    return lambda: [str(r[0]) for r in db.conn.execute(sql, params)]


def searched(store: ArticleStore, query: str) -> Callable[[], list[str]]:
    request = SearchRequest(parse_query(query), limit=20)
    return lambda: [e.id for e in store.search(request).articles]


def p50(run: Callable[[], list[str]], repeat: int) -> tuple[float, list[str]]:
    times, found = [], []
    for _ in range(repeat):
        t = time.perf_counter()
        found = run()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000, found


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    with tempfile.TemporaryDirectory() as tmp:
        db = Database.open(Path(tmp))
        store = ArticleStore(db)
        t = time.perf_counter()
        batch: list[EnrichedArticle] = []
        for e in articles(n):
            batch.append(e)
            if len(batch) == 1000:
                store.index(batch)
                batch = []
        store.index(batch)
        print(f"{n} articles indexed in {time.perf_counter() - t:.0f} s")
        print(f"{'query':24s} {'before ms':>10s} {'after ms':>9s} {'ratio':>7s} {'hits':>6s}")
        for q, (fld, value, prefix), word in QUERIES:
            where, params = old_where(fld, value, prefix, word)
            before, old = p50(first_page(db, where, params), 5)
            after, new = p50(searched(store, q), 15)
            assert old == new, f"{q}: the old SQL and the index disagree"
            hits = db.conn.execute(f"SELECT COUNT(*) FROM articles a WHERE {where}", params)
            ratio = before / after
            print(f"{q:24s} {before:10.1f} {after:9.1f} {ratio:6.0f}x {hits.fetchone()[0]:6d}")
        db.close()


if __name__ == "__main__":
    main()
