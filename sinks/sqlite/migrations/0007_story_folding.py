"""Step 7: one alert per rule per story, and update alerts.

`hits` loses UNIQUE(rule_id, article_id) — an update alert is a second hit of the same
rule and article — and gains `folded_into` (the alert a syndicated copy was folded
into); a delivery state, if hits still have one, defaults to 'none' (a folded copy is
never sent). The table is rebuilt from its own stored definition, so columns an earlier step
added come along. `hit_folding` keeps, per rule and article, the alert it belongs to and
the last alerted version (`wirewatch.core.folding`); it is filled from the hits and the
stored articles, so an article alerted before the upgrade is compared with its stored
text when it changes.
"""

from __future__ import annotations

import re
import sqlite3

from wirewatch.core.folding import ArticleVersion
from wirewatch.core.models import EnrichedArticle

_UNIQUE = re.compile(r",\s*UNIQUE\s*\(\s*rule_id\s*,\s*article_id\s*\)", re.IGNORECASE)
# a folded copy is recorded without a delivery: where hits still carry a delivery
# state, its default says so (step 6 of the deliveries branch moves the state out)
_STATE = re.compile(r"(delivery_state\s+TEXT\s+NOT\s+NULL)(?!\s+DEFAULT)", re.IGNORECASE)
_NAME = re.compile(r"^CREATE TABLE\s+(IF NOT EXISTS\s+)?\"?hits\"?", re.IGNORECASE)


def _rebuild_hits(conn: sqlite3.Connection) -> None:
    """Copy `hits` into a table without the unique pair (SQLite cannot drop a constraint)."""
    tables = [str(t) for (t,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    for t in tables:  # dropping `hits` would cascade into a table that references it
        if any(fk[2] == "hits" for fk in conn.execute(f'PRAGMA foreign_key_list("{t}")')):
            raise RuntimeError(f"table {t} references hits: step 7 must rebuild it too")
    (sql,) = conn.execute(
        "SELECT sql FROM sqlite_master WHERE type='table' AND name='hits'"
    ).fetchone()
    new_sql, found = _UNIQUE.subn("", str(sql))
    new_sql = _STATE.sub(r"\1 DEFAULT 'none'", new_sql)
    if found != 1:
        raise RuntimeError("hits has no UNIQUE (rule_id, article_id) to drop: unexpected schema")
    indexes = [
        str(s)
        for (s,) in conn.execute(
            "SELECT sql FROM sqlite_master WHERE type='index' AND tbl_name='hits' "
            "AND sql IS NOT NULL"
        )
    ]
    columns = ", ".join(f'"{r[1]}"' for r in conn.execute("PRAGMA table_info(hits)"))
    conn.execute(_NAME.sub("CREATE TABLE hits_rebuilt", new_sql, count=1))
    conn.execute(f"INSERT INTO hits_rebuilt({columns}) SELECT {columns} FROM hits")
    conn.execute("DROP TABLE hits")
    conn.execute("ALTER TABLE hits_rebuilt RENAME TO hits")
    for s in indexes:
        conn.execute(s)
    conn.execute("ALTER TABLE hits ADD COLUMN folded_into TEXT")
    conn.execute("CREATE INDEX hits_rule_article ON hits (rule_id, article_id)")


def upgrade(conn: sqlite3.Connection) -> None:
    _rebuild_hits(conn)
    conn.execute(
        "CREATE TABLE hit_folding (rule_id TEXT NOT NULL, article_id TEXT NOT NULL, "
        "story_id TEXT, alert_id TEXT NOT NULL, folded INTEGER NOT NULL, "
        "first_at TEXT NOT NULL, headline TEXT, words BLOB, alerted TEXT NOT NULL DEFAULT '', "
        "PRIMARY KEY (rule_id, article_id)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE INDEX hit_folding_story ON hit_folding (rule_id, story_id, first_at) "
        "WHERE folded = 0"
    )
    rows = conn.execute(
        "SELECT h.id, h.rule_id, h.article_id, json_extract(h.payload, '$.story_id'), "
        "h.matched_at, a.payload FROM hits h LEFT JOIN articles a ON a.id = h.article_id"
    ).fetchall()
    for hit_id, rule_id, article_id, story_id, matched_at, article in rows:
        version = (
            ArticleVersion.of(EnrichedArticle.model_validate_json(article).article)
            if article
            else None
        )
        conn.execute(
            "INSERT OR IGNORE INTO hit_folding(rule_id, article_id, story_id, alert_id, "
            "folded, first_at, headline, words, alerted) VALUES (?,?,?,?,0,?,?,?,?)",
            (
                rule_id,
                article_id,
                story_id,
                hit_id,
                matched_at,
                version and version.headline,
                version and version.words_blob(),
                version.digest() if version else "",
            ),
        )
