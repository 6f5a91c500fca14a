"""Stored articles: the FTS5 indexes, entity/topic side tables, search and stories.

Two FTS5 indexes hold the same title and text: `articles_fts` stemmed (words and
phrases), `articles_words` folded but not stemmed (`word*` matches words as written).
`filter_words` indexes the words of entity names and topics for the entity/topic filters.

`commit_enriched` moves a batch from the outbox into the index and records its
alert hits in the same transaction, so an article is never stored twice, never
lost between stages, and never alerted twice.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sinks.sqlite.alerts import insert_hits
from sinks.sqlite.database import Database, iso, parse_iso, to_datetime
from sinks.sqlite.filter_words import write_filter_words
from sinks.sqlite.search_sql import compile_where
from wirewatch.core.clock import Clock, SystemClock
from wirewatch.core.folding import ArticleVersion
from wirewatch.core.models import Alert, Article, EnrichedArticle
from wirewatch.core.pacing import DEFAULT_POLICY, HitPolicy
from wirewatch.core.ports import IndexResult, SearchPage, SearchRequest
from wirewatch.core.query.fields import ALIAS_SEPARATOR, body_text
from wirewatch.core.records import StoryRecord, StorySummary


def _index_article(c: Any, e: EnrichedArticle, now: datetime) -> None:
    a = e.article
    row = c.execute("SELECT rowid FROM articles WHERE id=?", (a.id,)).fetchone()
    values = (
        a.feed_id,
        a.source,
        a.source_domain,
        a.canonical_url or a.url,
        a.title,
        iso(a.published_at),
        iso(a.fetched_at),
        iso(now),
        e.language,
        e.story_id,
        e.provenance.enrichment_version,
        e.to_json(),
    )
    if row is None:
        cur = c.execute(
            "INSERT INTO articles(feed_id, source, source_domain, url, title, published_at, "
            "fetched_at, stored_at, language, story_id, enrichment_version, payload, id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (*values, a.id),
        )
        rowid = cur.lastrowid
    else:
        rowid = row[0]
        c.execute(
            "UPDATE articles SET feed_id=?, source=?, source_domain=?, url=?, title=?, "
            "published_at=?, fetched_at=?, stored_at=?, language=?, story_id=?, "
            "enrichment_version=?, payload=?, version=version+1 WHERE rowid=?",
            (*values, rowid),
        )
        c.execute(  # contentless: FTS5 removes an entry given the words it indexed
            "INSERT INTO articles_words(articles_words, rowid, title, text) "
            "SELECT 'delete', rowid, title, text FROM articles_fts WHERE rowid=?",
            (rowid,),
        )
        c.execute("DELETE FROM articles_fts WHERE rowid=?", (rowid,))
        c.execute("DELETE FROM article_entities WHERE article_id=?", (a.id,))
        c.execute("DELETE FROM article_topics WHERE article_id=?", (a.id,))
        c.execute("DELETE FROM filter_words WHERE article_id=?", (a.id,))
    for table in ("articles_fts", "articles_words"):  # stemmed, and as written (prefixes)
        c.execute(
            f"INSERT INTO {table}(rowid, title, text) VALUES (?,?,?)",
            (rowid, a.title, body_text(a)),
        )
    entities = [(en.type.value, en.name, ALIAS_SEPARATOR.join(en.aliases)) for en in e.entities]
    c.executemany(
        "INSERT OR REPLACE INTO article_entities(article_id, name, type, mentions, in_title, "
        "salience, aliases) VALUES (?,?,?,?,?,?,?)",
        [
            (
                a.id,
                en.name,
                en.type.value,
                en.mentions,
                int(en.in_title),
                en.salience,
                ALIAS_SEPARATOR.join(en.aliases),
            )
            for en in e.entities
        ],
    )
    c.executemany(
        "INSERT OR REPLACE INTO article_topics(article_id, topic_id, label, score) "
        "VALUES (?,?,?,?)",
        [(a.id, t.id, t.label, t.score) for t in e.topics],
    )
    write_filter_words(c, a.id, entities, [(t.id, t.label) for t in e.topics])


def _settle(
    c: sqlite3.Connection,
    batch: Sequence[tuple[int | None, EnrichedArticle]],
    story_records: Sequence[StoryRecord],
    hits: Sequence[Alert],
    policy: HitPolicy,
) -> list[Alert]:
    """What follows indexing, inside the caller's transaction: outbox ack, story state, hits.

    The hits' article versions come from the batch: an alerted article that changed
    materially fires an update alert.
    """
    for seq, e in batch:
        if seq is not None:
            c.execute("DELETE FROM outbox WHERE article_id=? AND seq=?", (e.id, seq))
    c.executemany(
        "INSERT OR REPLACE INTO story_records(article_id, story_id, published_at, payload) "
        "VALUES (?,?,?,?)",
        [(s.article_id, s.story_id, iso(s.published_at), s.payload) for s in story_records],
    )
    fired = {h.article_id for h in hits}
    versions = {e.id: ArticleVersion.of(e.article) for _, e in batch if e.id in fired}
    return insert_hits(c, hits, versions, policy)


class ArticleStore:
    """The embedded adapter behind `ArticleIndex`, `EnrichedCommit` and `StoryState`."""

    def __init__(
        self,
        db: Database,
        clock: Clock | None = None,
        policy: HitPolicy = DEFAULT_POLICY,
    ) -> None:
        self.db = db
        self.clock = clock or SystemClock()
        self.policy = policy

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexResult:
        """Index (or re-index) a batch in one transaction; SQLite refuses none of them."""
        now = self.clock.now()
        with self.db.transaction() as c:
            for e in batch:
                _index_article(c, e, now)
        return IndexResult(indexed=len(batch))

    def commit_enriched(
        self,
        batch: Sequence[tuple[int | None, EnrichedArticle]],
        story_records: Sequence[StoryRecord],
        hits: Sequence[Alert],
        *,
        now: datetime,
    ) -> list[Alert]:
        """Index a batch, persist story state, record hits, clear the outbox; one transaction.

        `batch` pairs each article with its outbox seq (None when it did not come from
        the outbox). Returns the hits that were new (a re-run records none twice).
        """
        with self.db.transaction() as c:
            for _, e in batch:
                _index_article(c, e, now)
            return _settle(c, batch, story_records, hits, self.policy)

    def commit_indexed(
        self,
        batch: Sequence[tuple[int | None, EnrichedArticle]],
        story_records: Sequence[StoryRecord],
        hits: Sequence[Alert],
    ) -> list[Alert]:
        """`commit_enriched` without the indexing, for a batch a search engine holds."""
        with self.db.transaction() as c:
            return _settle(c, batch, story_records, hits, self.policy)

    def story_records_since(self, since: datetime) -> list[StoryRecord]:
        rows = self.db.conn.execute(
            "SELECT article_id, story_id, published_at, payload FROM story_records "
            "WHERE published_at >= ? ORDER BY published_at, article_id",
            (iso(since),),
        )
        return [StoryRecord(str(a), str(s), parse_iso(p), bytes(b)) for a, s, p, b in rows]  # type: ignore[arg-type]

    def expire_story_records(self, before: datetime) -> int:
        with self.db.transaction() as c:
            return c.execute(
                "DELETE FROM story_records WHERE published_at < ?", (iso(before),)
            ).rowcount

    def get(self, article_id: str) -> EnrichedArticle | None:
        r = self.db.conn.execute(
            "SELECT payload FROM articles WHERE id=?", (article_id,)
        ).fetchone()
        return EnrichedArticle.model_validate_json(r[0]) if r else None

    def count(self) -> int:
        return int(self.db.conn.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def articles_after(self, article_id: str, limit: int) -> list[Article]:
        """Stored articles as ingest published them, by id after `article_id` ('' first)."""
        rows = self.db.conn.execute(
            "SELECT payload FROM articles WHERE id > ? ORDER BY id LIMIT ?", (article_id, limit)
        )
        return [EnrichedArticle.model_validate_json(r[0]).article for r in rows]

    def search(self, request: SearchRequest) -> SearchPage:
        """Articles matching the query (compiled to SQL over FTS5), newest published first."""
        where, params = compile_where(request.query)
        clauses = [f"({where})"]
        if request.since is not None:
            clauses.append("a.published_at >= ?")
            params.append(iso(request.since))
        if request.until is not None:
            clauses.append("a.published_at < ?")
            params.append(iso(request.until))
        order = "ORDER BY published_at DESC, id"
        # the page's rows are sorted first, the payloads (large JSON) read for them only
        sql = (
            "SELECT payload FROM articles WHERE rowid IN (SELECT a.rowid FROM articles a "
            f"WHERE {' AND '.join(clauses)} {order} LIMIT ? OFFSET ?) {order}"
        )
        # one more than asked tells whether another page follows
        params += [request.limit + 1, request.offset]
        found = [
            EnrichedArticle.model_validate_json(p) for (p,) in self.db.conn.execute(sql, params)
        ]
        more = len(found) > request.limit
        return SearchPage(found[: request.limit], request.offset + request.limit if more else None)

    def stories(
        self, *, since: datetime | None, until: datetime | None, min_size: int, limit: int
    ) -> list[StorySummary]:
        """The largest stories of a period, with their sources."""
        params: list[Any] = []
        cond = "story_id IS NOT NULL"
        if since is not None:
            cond += " AND published_at >= ?"
            params.append(iso(since))
        if until is not None:
            cond += " AND published_at < ?"
            params.append(iso(until))
        rows = self.db.conn.execute(
            f"SELECT story_id, COUNT(*) AS n, MIN(published_at), MAX(published_at) FROM articles "
            f"WHERE {cond} GROUP BY story_id HAVING n >= ? "
            "ORDER BY n DESC, MAX(published_at) DESC, story_id LIMIT ?",
            (*params, min_size, limit),
        ).fetchall()
        out = []
        for story_id, n, first, last in rows:
            members = self.db.conn.execute(
                f"SELECT id, title, source FROM articles WHERE story_id=? AND {cond} "
                "ORDER BY published_at, id",
                (story_id, *params),
            ).fetchall()
            sources = sorted({str(m[2]) for m in members})
            out.append(
                StorySummary(
                    story_id=str(story_id),
                    size=int(n),
                    title=str(members[0][1]),
                    first_published=to_datetime(first),
                    last_published=to_datetime(last),
                    sources=sources,
                    article_ids=[str(m[0]) for m in members],
                )
            )
        return out
