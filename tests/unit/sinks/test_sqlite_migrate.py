"""Upgrades keep data: a data dir made by an earlier release opens, migrates and searches.

The fixture is a real data dir made by release 0.1.0 (see fixtures/README.md).
"""

from __future__ import annotations

import gzip
import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from processors.matching import compile_rule, doc_for
from processors.matching.rules import compile_rules, hits_for
from sinks.sqlite import migrate
from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import DB_FILENAME, Database
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.errors import ConfigError
from wirewatch.core.models import EnrichedArticle
from wirewatch.core.ports import SearchRequest
from wirewatch.core.query import parse_query

FIXTURE = Path(__file__).parent / "fixtures" / "datadir-f27b383.db.gz"


def old_data_dir(tmp_path: Path) -> Path:
    """A copy of the data dir release 0.1.0 made (schema version 1)."""
    data = tmp_path / "old"
    data.mkdir()
    (data / DB_FILENAME).write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    return data


def version_of(data_dir: Path) -> int:
    con = sqlite3.connect(data_dir / DB_FILENAME)
    try:
        return int(con.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
    finally:
        con.close()


def schema_of(db: Database) -> set[tuple[str, str, str]]:
    rows = db.conn.execute("SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL")
    return {(str(t), str(n), " ".join(str(s).split())) for t, n, s in rows}


def test_a_data_dir_from_release_0_1_0_migrates_and_keeps_everything(tmp_path: Path) -> None:
    data = old_data_dir(tmp_path)
    assert version_of(data) == 1
    db = Database.open(data)
    try:
        assert version_of(data) == migrate.latest_version() > 1
        feeds = {r.feed.title for r in FeedStore(db).all()}
        assert {"NPR – World (recorded)", "Al Jazeera (recorded)", "BBC World"} <= feeds
        assert len(feeds) == 4
        alerts = AlertStore(db)
        assert {r.name for r in alerts.rules()} == {"iran", "ukraine"}
        ukraine = alerts.get_rule("ukraine")
        assert ukraine is not None and ukraine.webhook_url == "https://hooks.example.org/x"
        hits = alerts.hits(limit=1000)
        assert len(hits) == 11 and {h.alert.rule_name for h in hits} == {"iran"}
        articles = ArticleStore(db)
        assert articles.count() == 35
        found = articles.search(SearchRequest(parse_query("iran"), limit=100)).articles
        assert found and all("iran" in (e.article.title + e.article.summary).lower() for e in found)
        by_prefix = articles.search(SearchRequest(parse_query("ira*"), limit=100)).articles
        assert {e.id for e in found} <= {e.id for e in by_prefix}  # step 4 indexed old articles
        by_place = articles.search(SearchRequest(parse_query("place:israel"), limit=100)).articles
        assert by_place
        assert FeedStore(db).content_hashes([h.alert.article_id for h in hits])  # dedup memory
    finally:
        db.close()


@pytest.mark.parametrize(
    "query",
    [
        "place:iran",
        'place:"united states"',
        "place:u*",
        "person:trump",
        "org:trump",
        "entity:gaza",
        "topic:politics",
        "topic:medtop:16000000",
        'topic:"peace process"',
        "topic:gov*",
    ],
)
def test_step_5_indexes_the_entities_and_topics_already_stored(tmp_path: Path, query: str) -> None:
    """The filters read `filter_words`: an upgraded data dir finds what the matcher fires on."""
    db = Database.open(old_data_dir(tmp_path))
    try:
        stored = [
            EnrichedArticle.model_validate_json(p)
            for (p,) in db.conn.execute("SELECT payload FROM articles")
        ]
        rule = compile_rule(query)
        fired = {e.id for e in stored if rule.matches(doc_for(e))}
        page = ArticleStore(db).search(SearchRequest(parse_query(query), limit=100))
        assert fired and {e.id for e in page.articles} == fired
    finally:
        db.close()


def test_a_migrated_database_has_exactly_the_schema_of_a_new_one(tmp_path: Path) -> None:
    """Step 1 is what release 0.1.0 created, and the steps after it change old and new alike.

    Fails when someone edits a released step instead of adding a new one.
    """
    old, new = Database.open(old_data_dir(tmp_path)), Database.open(tmp_path / "new")
    try:
        assert schema_of(old) == schema_of(new)
    finally:
        old.close()
        new.close()


def test_a_database_from_a_newer_wirewatch_is_refused_and_left_alone(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "data")
    newer = migrate.latest_version() + 1
    db.set_meta("schema_version", str(newer))
    db.set_meta("written_by", "9.9.9")
    db.close()
    with pytest.raises(ConfigError) as e:
        Database.open(tmp_path / "data")
    message = e.value.message
    assert "Wirewatch 9.9.9" in message and f"schema version {newer}" in message
    assert f"up to {migrate.latest_version()}" in message
    assert e.value.hint and "upgrade Wirewatch" in e.value.hint
    assert version_of(tmp_path / "data") == newer


def test_a_failing_step_leaves_the_database_whole_at_the_previous_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = old_data_dir(tmp_path)
    real = migrate.steps()
    broken = migrate.Step(
        len(real) + 1,
        "bad.sql",
        migrate.sql_step(
            "ALTER TABLE feeds ADD COLUMN secret TEXT;\nINSERT INTO no_such_table VALUES (1);"
        ),
    )
    monkeypatch.setattr(migrate, "steps", lambda: [*real, broken])
    with pytest.raises(ConfigError, match="no_such_table"):
        Database.open(data)
    assert version_of(data) == len(real)  # the good steps stayed, the bad one left nothing
    con = sqlite3.connect(data / DB_FILENAME)
    columns = [r[1] for r in con.execute("PRAGMA table_info(feeds)")]
    con.close()
    assert "secret" not in columns


def test_a_new_step_is_one_sql_file_and_carries_the_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    data = old_data_dir(tmp_path)
    real = migrate.steps()
    step = migrate.Step(
        len(real) + 1, "x.sql", migrate.sql_step("ALTER TABLE feeds ADD COLUMN secret TEXT;")
    )
    monkeypatch.setattr(migrate, "steps", lambda: [*real, step])
    db = Database.open(data)
    try:
        assert len(FeedStore(db).all()) == 4
        assert db.conn.execute("SELECT COUNT(secret) FROM feeds").fetchone()[0] == 0
    finally:
        db.close()
    assert version_of(data) == step.version


@pytest.mark.parametrize("attempt", range(5))  # a race: several tries make a miss unlikely
def test_commands_opening_an_old_database_at_once_upgrade_it_once(
    tmp_path: Path, attempt: int
) -> None:
    data = old_data_dir(tmp_path)
    start = threading.Barrier(6)
    errors: list[BaseException] = []

    def open_it() -> None:
        start.wait()
        try:
            Database.open(data).close()
        except BaseException as e:  # collected: a thread's exception would be lost
            errors.append(e)

    threads = [threading.Thread(target=open_it) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert version_of(data) == migrate.latest_version()


def test_a_file_that_is_not_a_database_is_one_clear_error(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    (data / DB_FILENAME).write_text("hello, I am a text file\n" * 100)
    with pytest.raises(ConfigError, match="not a database"):
        Database.open(data)


def test_step_7_lets_hits_from_before_the_upgrade_fold_and_update(tmp_path: Path) -> None:
    """Alerted articles stored before the upgrade: a replay adds nothing, a new headline
    fires one update alert (their versions came from the stored articles)."""
    db = Database.open(old_data_dir(tmp_path))
    try:
        alerts, articles = AlertStore(db), ArticleStore(db)
        before = alerts.hits(limit=1000)
        alerted = articles.get(before[0].alert.article_id)
        assert alerted is not None
        now = datetime(2026, 11, 30, tzinfo=UTC)
        rules = compile_rules(alerts.rules())

        def commit(e: EnrichedArticle) -> list[str]:
            new = articles.commit_enriched([(None, e)], [], hits_for(e, rules, now), now=now)
            return [h.kind for h in new]

        assert commit(alerted) == []
        renamed = alerted.article.model_copy(update={"title": "Iran: " + alerted.article.title})
        assert commit(alerted.model_copy(update={"article": renamed})) == ["update"]
        assert len(alerts.hits(limit=1000)) == len(before) + 1
    finally:
        db.close()
