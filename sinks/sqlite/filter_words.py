"""The `filter_words` index: folded words of entity names and topics, for `person:`, `topic:` …

Entity and topic filters used to call `ww_phrase` on every row of `article_entities` /
`article_topics`, so their cost grew with the whole store, not with the matches. This
table holds, per article, the words (`wirewatch.core.query.text.words`, the very
folding the matcher uses) of each entity's name and aliases under the entity's type,
of each topic label under `TOPIC_LABEL`, and each folded topic id under `TOPIC_ID`.
Tokenized in Python rather than by an FTS5 tokenizer, so a word here is exactly a word
the matcher compares: a one-word filter is answered by the index alone, and a longer
one narrows the rows the exact phrase check reads to the articles holding its words.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from wirewatch.core.query.fields import ALIAS_SEPARATOR
from wirewatch.core.query.text import fold, words

TOPIC_ID = "#topic"  # never an entity type, which are upper-case words
TOPIC_LABEL = "#label"


def filter_words(
    entities: Iterable[tuple[str, str, str]], topics: Iterable[tuple[str, str]]
) -> set[tuple[str, str]]:
    """(kind, word) pairs of entities as (type, name, aliases) and topics as (id, label).

    `aliases` are joined by ALIAS_SEPARATOR, as `article_entities` stores them.
    """
    out: set[tuple[str, str]] = set()
    for kind, name, aliases in entities:
        for n in (name, *aliases.split(ALIAS_SEPARATOR)):
            out.update((kind, w) for w in words(n))
    for topic_id, label in topics:
        out.add((TOPIC_ID, fold(topic_id)))
        out.update((TOPIC_LABEL, w) for w in words(label))
    return out


def write_filter_words(
    c: sqlite3.Connection,
    article_id: str,
    entities: Iterable[tuple[str, str, str]],
    topics: Iterable[tuple[str, str]],
) -> None:
    """Add an article's filter words (the caller deletes the old ones on a re-index)."""
    c.executemany(
        "INSERT OR IGNORE INTO filter_words(word, kind, article_id) VALUES (?,?,?)",
        [(w, kind, article_id) for kind, w in filter_words(entities, topics)],
    )
