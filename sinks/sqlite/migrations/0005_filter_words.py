"""Step 5: `filter_words`, an index of entity and topic words for the entity/topic filters.

Python, not SQL, because the words must be folded and split exactly as the matcher does
(`sinks.sqlite.filter_words`); filled here from the entities and topics already stored.
"""

from __future__ import annotations

import sqlite3
from itertools import groupby

from sinks.sqlite.filter_words import write_filter_words


def upgrade(conn: sqlite3.Connection) -> None:
    """Create `filter_words` (clustered by word; by article for re-indexing) and fill it."""
    conn.execute(
        "CREATE TABLE filter_words (word TEXT NOT NULL, kind TEXT NOT NULL, "
        "article_id TEXT NOT NULL, PRIMARY KEY (word, kind, article_id)) WITHOUT ROWID"
    )
    conn.execute("CREATE INDEX filter_words_article ON filter_words (article_id)")
    entities = conn.execute(
        "SELECT article_id, type, name, aliases FROM article_entities ORDER BY article_id"
    )
    for article_id, rows in groupby(entities, key=lambda r: str(r[0])):
        write_filter_words(conn, article_id, [(t, n, al) for _, t, n, al in rows], [])
    topics = conn.execute(
        "SELECT article_id, topic_id, label FROM article_topics ORDER BY article_id"
    )
    for article_id, rows in groupby(topics, key=lambda r: str(r[0])):
        write_filter_words(conn, article_id, [], [(t, label) for _, t, label in rows])
