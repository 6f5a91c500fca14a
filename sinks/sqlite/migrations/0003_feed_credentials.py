"""Step 3: feed credentials get their own column, `feeds.auth`, out of feed URLs.

Releases before it stored a feed added as `https://user:pw@host/f` with the
credentials inside `feeds.url`. Python, not SQL, because splitting user info off
a URL needs the URL parser.
"""

from __future__ import annotations

import sqlite3

from sinks.sqlite.feed_auth import auth_to_json
from wirewatch.core.credentials import split_credentials


def upgrade(conn: sqlite3.Connection) -> None:
    """Add `feeds.auth` and move credentials out of stored feed URLs.

    A feed stored as `https://user:pw@host/f` becomes `https://host/f` with its
    credentials in `auth` (its id stays). If `https://host/f` is also subscribed,
    that row keeps the credentials (unless it has its own) and the duplicate goes;
    its articles stay, as with `feeds rm`.
    """
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
