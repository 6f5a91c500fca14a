"""Schema versions: every database is brought forward to this Wirewatch's schema, step by step.

A step is one file in `sinks/sqlite/migrations/`, named `NNNN_what.sql` (plain SQL) or
`NNNN_what.py` (a module whose `upgrade(conn)` moves data SQL alone cannot, such as
credentials out of URLs), numbered 1, 2, 3 … without gaps; step N takes a database at
version N-1 to version N. A new
database runs every step from 1, so the steps are the one definition of the schema, and
a data dir made by any earlier release is carried forward the same way instead of being
refused. Step 1 is the schema release 0.1.0 (f27b383) created; it never changes.

The version lives in `meta.schema_version`, where 0.1.0 wrote it and where 0.1.0 looks
when it refuses a newer database. Each step runs in one transaction with its version
stamp, so an interrupted upgrade leaves the database whole at the previous version; the
version is read again inside that transaction, so two commands opening an old database
at once upgrade it once.
"""

from __future__ import annotations

import importlib
import re
import sqlite3
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from wirewatch import __version__
from wirewatch.core.errors import ConfigError

_STEP_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.(sql|py)$")
_PACKAGE = "sinks.sqlite.migrations"


@dataclass(frozen=True)
class Step:
    version: int
    name: str
    run: Callable[[sqlite3.Connection], None]


def sql_step(script: str) -> Callable[[sqlite3.Connection], None]:
    def run(conn: sqlite3.Connection) -> None:
        for statement in _statements(script):
            conn.execute(statement)

    return run


def _python_step(filename: str) -> Callable[[sqlite3.Connection], None]:
    module = importlib.import_module(f"{_PACKAGE}.{filename.removesuffix('.py')}")
    upgrade: Callable[[sqlite3.Connection], None] = module.upgrade
    return upgrade


def steps() -> list[Step]:
    """The migration steps in order; a gap or a repeated number is a packaging bug."""
    found = []
    for entry in resources.files(_PACKAGE).iterdir():
        m = _STEP_NAME.match(entry.name)
        if m:
            run = (
                sql_step(entry.read_text("utf-8"))
                if m.group(2) == "sql"
                else _python_step(entry.name)
            )
            found.append(Step(int(m.group(1)), entry.name, run))
    found.sort(key=lambda s: s.version)
    numbers = [s.version for s in found]
    if numbers != list(range(1, len(found) + 1)):
        raise RuntimeError(f"migration steps must be numbered 1…N without gaps, found {numbers}")
    return found


def latest_version() -> int:
    return len(steps())


def current_version(conn: sqlite3.Connection) -> int:
    """The database's schema version; 0 for a new, empty database."""
    has_meta = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type='table' AND name='meta'"
    ).fetchone()
    if not has_meta:
        return 0
    row = conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, path: Path | None, *, up_to: int | None = None) -> int:
    """Bring the database up to the latest version (or `up_to`, to make a database as an
    older release left it); returns the version it had before.

    A database from a newer Wirewatch is refused, naming both versions and what to do.
    """
    todo = steps()
    before = current_version(conn)
    if before > len(todo):
        raise _newer(conn, path, before, len(todo))
    for step in todo[before:up_to]:
        _apply(conn, step)
    return before


def _apply(conn: sqlite3.Connection, step: Step) -> None:
    conn.execute("BEGIN IMMEDIATE")
    try:
        if current_version(conn) < step.version:  # else another process just applied it
            step.run(conn)
            for key, value in (("schema_version", str(step.version)), ("written_by", __version__)):
                conn.execute(
                    "INSERT INTO meta(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value=excluded.value",
                    (key, value),
                )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _statements(script: str) -> Iterator[str]:
    """Split a script into statements (`executescript` would commit the step's transaction)."""
    pending = ""
    for piece in script.split(";"):
        pending += piece + ";"
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def _newer(conn: sqlite3.Connection, path: Path | None, found: int, known: int) -> ConfigError:
    row = conn.execute("SELECT value FROM meta WHERE key='written_by'").fetchone()
    maker = f"Wirewatch {row[0]}" if row else "a newer Wirewatch"
    return ConfigError(
        f"database {path} was made by {maker} (schema version {found}); this Wirewatch "
        f"({__version__}) understands schema versions up to {known}",
        hint="upgrade Wirewatch to that version or later, or set data_dir to another folder",
    )
