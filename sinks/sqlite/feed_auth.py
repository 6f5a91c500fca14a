"""Feed credentials in the database: the `feeds.auth` column and the step that adds it.

Credentials are stored as JSON (`{"username": …, "password": …}`) in their own
column, never in `feeds.url`. They are in clear: Wirewatch must send them on
every poll, and a key kept next to the file would protect nothing; instead the
database file is made readable by its owner only once it holds any (see
docs/polling.md, "Feeds behind a password").

`add_auth_column` is a schema step on its own, for databases made before the
column existed: it adds the column and moves user info that older releases
stored inside feed URLs into it.
"""

from __future__ import annotations

import json
import os
import sqlite3
from pathlib import Path

from wirewatch.core.credentials import split_credentials
from wirewatch.core.models import FeedAuth

OWNER_ONLY = 0o600


def auth_to_json(auth: FeedAuth | None) -> str | None:
    if auth is None:
        return None
    return json.dumps(
        {
            "username": auth.username.get_secret_value(),
            "password": auth.password.get_secret_value(),
        }
    )


def auth_from_json(text: object) -> FeedAuth | None:
    return None if text is None else FeedAuth.model_validate_json(str(text))


def restrict_to_owner(db_path: Path | None) -> None:
    """Make the database file (and its WAL and shared-memory files) owner-only."""
    if db_path is None:
        return
    for path in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
        if path.exists():
            os.chmod(path, OWNER_ONLY)


# --- schema step: feeds.auth (a numbered migration once the schema is versioned) -------------


def add_auth_column(conn: sqlite3.Connection) -> None:
    """Add `feeds.auth` if missing and move credentials out of stored feed URLs.

    A feed stored as `https://user:pw@host/f` becomes `https://host/f` with its
    credentials in `auth` (its id stays). If `https://host/f` is also subscribed,
    that row keeps the credentials (unless it has its own) and the duplicate goes;
    its articles stay, as with `feeds rm`.
    """
    columns = {str(r[1]) for r in conn.execute("PRAGMA table_info(feeds)")}
    if "auth" not in columns:
        conn.execute("ALTER TABLE feeds ADD COLUMN auth TEXT")
    rows = conn.execute("SELECT id, url FROM feeds WHERE url LIKE '%@%'").fetchall()
    for feed_id, url in rows:
        bare, auth = split_credentials(str(url))
        if bare == url:
            continue
        stored = auth_to_json(auth)
        twin = conn.execute("SELECT id FROM feeds WHERE url=?", (bare,)).fetchone()
        if twin is None:
            conn.execute(
                "UPDATE feeds SET url=?, auth=COALESCE(auth, ?) WHERE id=?", (bare, stored, feed_id)
            )
        else:
            conn.execute("UPDATE feeds SET auth=COALESCE(auth, ?) WHERE id=?", (stored, twin[0]))
            conn.execute("DELETE FROM feeds WHERE id=?", (feed_id,))
