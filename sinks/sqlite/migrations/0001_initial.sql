-- Step 1: the schema Wirewatch 0.1.0 (f27b383) created. Never edit this file: a
-- change to the schema is a new step, NNNN_what.sql (see sinks/sqlite/migrate.py).
--
-- The embedded runtime's one SQLite file: feed state, dedup memory, the outbox of
-- accepted articles, the stored articles with their FTS5 index, rules, hits.
-- Every write that moves an article between stages is one transaction, so a
-- SIGKILL at any moment leaves each article in exactly one stage.

CREATE TABLE IF NOT EXISTS meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS feeds (
    id           TEXT PRIMARY KEY,
    url          TEXT NOT NULL UNIQUE,
    title        TEXT,
    site_url     TEXT,
    full_text    INTEGER NOT NULL DEFAULT 0,
    enabled      INTEGER NOT NULL DEFAULT 1,
    added_at     TEXT NOT NULL,
    next_poll_at TEXT,
    state        TEXT NOT NULL            -- FeedState JSON
);

-- Dedup memory: every article id ever accepted, with the hash of its content.
CREATE TABLE IF NOT EXISTS seen (
    article_id    TEXT PRIMARY KEY,
    content_hash  TEXT NOT NULL,
    feed_id       TEXT NOT NULL,
    first_seen_at TEXT NOT NULL,
    last_seen_at  TEXT NOT NULL
);

-- Accepted by ingest, not yet stored: the hand-over between poll and enrich.
CREATE TABLE IF NOT EXISTS outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    article_id  TEXT NOT NULL UNIQUE,
    payload     TEXT NOT NULL,            -- Article JSON
    queued_at   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS articles (
    rowid              INTEGER PRIMARY KEY,
    id                 TEXT NOT NULL UNIQUE,
    feed_id            TEXT NOT NULL,
    source             TEXT NOT NULL,
    source_domain      TEXT,
    url                TEXT,
    title              TEXT NOT NULL,
    published_at       TEXT NOT NULL,
    fetched_at         TEXT NOT NULL,
    stored_at          TEXT NOT NULL,
    language           TEXT,
    story_id           TEXT,
    enrichment_version TEXT,
    version            INTEGER NOT NULL DEFAULT 1,   -- bumped when an update replaces it
    payload            TEXT NOT NULL      -- EnrichedArticle JSON
);
CREATE INDEX IF NOT EXISTS articles_published ON articles (published_at);
CREATE INDEX IF NOT EXISTS articles_story ON articles (story_id);
CREATE INDEX IF NOT EXISTS articles_feed ON articles (feed_id);

-- rowid = articles.rowid
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, text, tokenize = 'porter unicode61 remove_diacritics 2'
);

CREATE TABLE IF NOT EXISTS article_entities (
    article_id  TEXT NOT NULL,
    name        TEXT NOT NULL,
    type        TEXT NOT NULL,
    mentions    INTEGER NOT NULL,
    in_title    INTEGER NOT NULL,
    salience    REAL NOT NULL,
    aliases     TEXT NOT NULL DEFAULT '',   -- newline-separated
    PRIMARY KEY (article_id, name, type)
);

CREATE TABLE IF NOT EXISTS article_topics (
    article_id TEXT NOT NULL,
    topic_id   TEXT NOT NULL,
    label      TEXT NOT NULL,
    score      REAL NOT NULL,
    PRIMARY KEY (article_id, topic_id)
);
CREATE INDEX IF NOT EXISTS article_topics_topic ON article_topics (topic_id);

-- Story clustering state (opaque per-article records from processors' story index).
CREATE TABLE IF NOT EXISTS story_records (
    article_id   TEXT PRIMARY KEY,
    story_id     TEXT NOT NULL,
    published_at TEXT NOT NULL,
    payload      BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS story_records_published ON story_records (published_at);

CREATE TABLE IF NOT EXISTS rules (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    query       TEXT NOT NULL,
    webhook_url TEXT,
    enabled     INTEGER NOT NULL DEFAULT 1,
    created_at  TEXT NOT NULL
);

-- One hit per rule and article; the id is the notification's idempotency key.
CREATE TABLE IF NOT EXISTS hits (
    id              TEXT PRIMARY KEY,
    rule_id         TEXT NOT NULL,
    article_id      TEXT NOT NULL,
    matched_at      TEXT NOT NULL,
    payload         TEXT NOT NULL,        -- Alert JSON
    delivery_state  TEXT NOT NULL,        -- pending | delivered | failed | none
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error      TEXT,
    delivered_at    TEXT,
    UNIQUE (rule_id, article_id)
);
CREATE INDEX IF NOT EXISTS hits_delivery ON hits (delivery_state, next_attempt_at);

-- Problems with one thing (a feed, an article, a rule), counted for `status`.
CREATE TABLE IF NOT EXISTS events (
    seq     INTEGER PRIMARY KEY AUTOINCREMENT,
    at      TEXT NOT NULL,
    stage   TEXT NOT NULL,
    subject TEXT NOT NULL,
    message TEXT NOT NULL
);
