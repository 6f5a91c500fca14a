"""Feed credentials in SQLite: in their own column, never in the URL; older files migrated."""

from __future__ import annotations

import sqlite3
import stat
from datetime import UTC, datetime
from pathlib import Path

from pydantic import SecretStr

from sinks.sqlite.database import DB_FILENAME, Database
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.models import Feed, FeedAuth, FeedState

T = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
BOB = FeedAuth(username=SecretStr("bob"), password=SecretStr("s3cret"))


def test_credentials_are_stored_apart_from_the_url_and_read_back(tmp_path: Path) -> None:
    db = Database.open(tmp_path)
    store = FeedStore(db)
    store.add(Feed(id="f1", url="https://host/private.xml", auth=BOB, added_at=T))
    store.add(Feed(id="f2", url="https://host/public.xml", added_at=T))
    row = store.find("https://bob:s3cret@host/private.xml")  # found by its URL with credentials
    assert row is not None and row.feed.id == "f1" and row.feed.auth == BOB
    public = store.get("f2")
    assert public is not None and public.feed.auth is None
    urls = [u for (u,) in db.conn.execute("SELECT url FROM feeds")]
    assert urls and not any("s3cret" in u or "bob" in u for u in urls)
    (auth,) = db.conn.execute("SELECT auth FROM feeds WHERE id='f1'").fetchone()
    assert "s3cret" in auth
    db.close()


def test_a_database_holding_credentials_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    db = Database.open(tmp_path)
    store = FeedStore(db)
    store.add(Feed(id="f2", url="https://host/public.xml", added_at=T))
    path = tmp_path / DB_FILENAME
    assert stat.S_IMODE(path.stat().st_mode) & 0o077  # untouched without credentials
    store.add(Feed(id="f1", url="https://host/private.xml", auth=BOB, added_at=T))
    for p in (path, Path(f"{path}-wal")):
        assert stat.S_IMODE(p.stat().st_mode) == 0o600, p
    db.close()


def test_new_credentials_replace_old_ones(tmp_path: Path) -> None:
    db = Database.open(tmp_path)
    store = FeedStore(db)
    store.add(Feed(id="f1", url="https://host/private.xml", auth=BOB, added_at=T))
    new = FeedAuth(username=SecretStr("bob"), password=SecretStr("n3w"))
    store.set_auth("f1", new)
    row = store.get("f1")
    assert row is not None and row.feed.auth == new
    db.close()


def _old_release_database(data_dir: Path, urls: dict[str, str]) -> None:
    """A data dir as schema version 2 left it: credentials inside feed URLs."""
    Database.open(data_dir).close()
    con = sqlite3.connect(data_dir / DB_FILENAME)
    con.execute("DROP TABLE deliveries")  # undo step 6
    con.execute("ALTER TABLE rules DROP COLUMN slack_url")
    con.execute("ALTER TABLE rules DROP COLUMN emails")
    con.execute("ALTER TABLE hits ADD COLUMN delivery_state TEXT NOT NULL DEFAULT 'none'")
    for column in ("attempts INTEGER", "next_attempt_at TEXT", "last_error TEXT", "delivered_at"):
        con.execute(f"ALTER TABLE hits ADD COLUMN {column}")
    con.execute("CREATE INDEX hits_delivery ON hits (delivery_state, next_attempt_at)")
    con.execute("DROP TABLE filter_words")  # undo step 5
    con.execute("DROP TABLE articles_words")  # undo step 4
    con.execute("ALTER TABLE feeds DROP COLUMN auth")  # undo step 3
    con.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    for feed_id, url in urls.items():
        con.execute(
            "INSERT INTO feeds(id, url, added_at, state) VALUES (?, ?, ?, ?)",
            (feed_id, url, T.isoformat(), FeedState(feed_id=feed_id).model_dump_json()),
        )
    con.commit()
    con.close()


def test_opening_an_older_database_moves_credentials_out_of_urls(tmp_path: Path) -> None:
    _old_release_database(
        tmp_path,
        {
            "f1": "https://bob:s3cret@host/private.xml",
            "f2": "https://host/@user/feed.rss",  # an '@' in the path is not user info
            "f3": "https://eve:pw2@host/dup.xml",  # also subscribed without credentials:
            "f4": "https://host/dup.xml",  # that row keeps the feed, with the credentials
        },
    )
    db = Database.open(tmp_path)
    store = FeedStore(db)
    rows = {r.feed.id: r.feed for r in store.all()}
    assert sorted(rows) == ["f1", "f2", "f4"]
    assert rows["f1"].url == "https://host/private.xml" and rows["f1"].auth == BOB
    assert rows["f2"].url == "https://host/@user/feed.rss" and rows["f2"].auth is None
    assert rows["f4"].auth is not None and rows["f4"].auth.password.get_secret_value() == "pw2"
    urls = " ".join(u for (u,) in db.conn.execute("SELECT url FROM feeds"))
    assert "s3cret" not in urls and "pw2" not in urls
    db.close()
    Database.open(tmp_path).close()  # a second open finds nothing left to do
