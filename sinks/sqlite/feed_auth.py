"""Feed credentials in the database: the `feeds.auth` column and the step that adds it.

Credentials are stored as JSON (`{"username": …, "password": …}`) in their own
column, never in `feeds.url`. They are in clear: Wirewatch must send them on
every poll, and a key kept next to the file would protect nothing; instead the
database file is made readable by its owner only once it holds any (see
docs/polling.md, "Feeds behind a password").

Databases made before the column existed get it from schema step 3
(`migrations/0003_feed_credentials.py`).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

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
