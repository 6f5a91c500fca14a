"""The embedded runtime's SQLite file: opening, schema, transactions.

WAL mode so `wirewatch search` reads while `wirewatch run` writes; every hand-over
between stages is one transaction, which is what makes a SIGKILL at any moment
lose nothing and duplicate nothing. Opening a database brings its schema forward
(`sinks.sqlite.migrate`), so a data dir made by an earlier release keeps its data.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sinks.sqlite.migrate import migrate
from sinks.sqlite.search_sql import register_functions
from wirewatch.core.clock import iso
from wirewatch.core.errors import ConfigError

DB_FILENAME = "wirewatch.db"


def parse_iso(text: str | None) -> datetime | None:
    if text is None:
        return None
    return to_datetime(text)


def to_datetime(text: str) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00"))


class Database:
    """One connection to one SQLite file; use `transaction()` for every multi-row write."""

    def __init__(self, conn: sqlite3.Connection, path: Path | None) -> None:
        self.conn = conn
        self.path = path
        self._lock = threading.RLock()

    @classmethod
    def open(cls, data_dir: Path, filename: str = DB_FILENAME) -> Database:
        """Open (creating if needed) the database in `data_dir`; unusable dirs are a ConfigError."""
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise ConfigError(
                f"cannot create data directory {data_dir}: {e.strerror}",
                hint="set data_dir (or WIREWATCH_DATA_DIR) to a writable folder",
            ) from e
        path = data_dir / filename
        try:
            conn = sqlite3.connect(
                path, timeout=30.0, isolation_level=None, check_same_thread=False
            )
            try:
                _use_wal(conn)
                conn.execute("PRAGMA synchronous=NORMAL")
                conn.execute("PRAGMA foreign_keys=ON")
                register_functions(conn)
                migrate(conn, path)
            except BaseException:
                conn.close()
                raise
        except sqlite3.DatabaseError as e:
            raise ConfigError(
                f"cannot open database {path}: {e}",
                hint="check that data_dir is writable and holds Wirewatch's files, "
                "or set data_dir to another folder",
            ) from e
        return cls(conn, path)

    @classmethod
    def memory(cls) -> Database:
        conn = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
        register_functions(conn)
        migrate(conn, None)
        return cls(conn, None)

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self.conn
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def get_meta(self, key: str) -> str | None:
        row = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.conn.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                (key, value),
            )

    def record_event(self, at: datetime, stage: str, subject: str, message: str) -> None:
        """A problem with one thing, counted in `wirewatch status`."""
        with self._lock:
            self.conn.execute(
                "INSERT INTO events(at, stage, subject, message) VALUES (?, ?, ?, ?)",
                (iso(at), stage, subject, message[:2000]),
            )

    def event_counts(self) -> dict[str, int]:
        rows = self.conn.execute("SELECT stage, COUNT(*) FROM events GROUP BY stage")
        return {str(stage): int(n) for stage, n in rows}

    def expire_events(self, before: datetime, limit: int) -> int:
        """Delete up to `limit` events recorded before `before` (`retention.events_days`)."""
        with self.transaction() as c:
            return c.execute(
                "DELETE FROM events WHERE seq IN (SELECT seq FROM events WHERE at < ? LIMIT ?)",
                (iso(before), limit),
            ).rowcount

    def close(self) -> None:
        self.conn.close()


def _use_wal(conn: sqlite3.Connection, attempts: int = 100) -> None:
    """Switch to WAL, waiting for other openers: the switch needs the file to itself and,
    unlike a transaction, does not wait on the busy timeout (two commands opening a new
    or pre-WAL data dir at once would otherwise fail with 'database is locked')."""
    for attempt in range(attempts):
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as e:
            if "locked" not in str(e) or attempt == attempts - 1:
                raise
            time.sleep(0.05)
