"""Feeds, their poll state, the dedup memory and the outbox of accepted articles.

`accept_poll` is the one place ingest's results become durable: the feed's new
state, the ids it has now seen and the articles it accepted are written in one
transaction. A crash before it re-polls the feed (nothing was remembered); a
crash after it finds the articles waiting in the outbox.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from sinks.sqlite.database import Database, iso, parse_iso, to_datetime
from sinks.sqlite.feed_auth import auth_from_json, auth_to_json, restrict_to_owner
from wirewatch.core.credentials import split_credentials
from wirewatch.core.errors import unknown_feed
from wirewatch.core.models import Article, Feed, FeedAuth, FeedState
from wirewatch.core.records import FeedRow, PendingArticle

_FEED_COLS = "id, url, title, site_url, full_text, enabled, added_at, state, auth"


def _row(r: Sequence[object]) -> FeedRow:
    fid, url, title, site_url, full_text, enabled, added_at, state, auth = r
    feed = Feed(
        id=str(fid),
        url=str(url),
        auth=auth_from_json(auth),
        title=title and str(title),
        site_url=site_url and str(site_url),
        full_text=bool(full_text),
        enabled=bool(enabled),
        added_at=to_datetime(str(added_at)),
    )
    return FeedRow(feed, FeedState.model_validate_json(str(state)))


class FeedStore:
    def __init__(self, db: Database) -> None:
        self.db = db

    # --- subscriptions ------------------------------------------------------------------

    def add(self, feed: Feed) -> tuple[FeedRow, bool]:
        """Subscribe; returns (row, created). The same URL twice is the same feed.

        `feed.url` must be without user info (credentials go in `feed.auth`).
        """
        existing = self.find(feed.url) or self.get(feed.id)
        if existing is not None:
            return existing, False
        state = FeedState(feed_id=feed.id)
        with self.db.transaction() as c:
            c.execute(
                f"INSERT INTO feeds ({_FEED_COLS}, next_poll_at) VALUES (?,?,?,?,?,?,?,?,?,NULL)",
                (
                    feed.id,
                    feed.url,
                    feed.title,
                    feed.site_url,
                    int(feed.full_text),
                    int(feed.enabled),
                    iso(feed.added_at),
                    state.model_dump_json(),
                    auth_to_json(feed.auth),
                ),
            )
        if feed.auth is not None:
            restrict_to_owner(self.db.path)
        return FeedRow(feed, state), True

    def set_auth(self, feed_id: str, auth: FeedAuth) -> None:
        """Replace a feed's credentials (a re-add with a new password)."""
        with self.db.transaction() as c:
            c.execute("UPDATE feeds SET auth=? WHERE id=?", (auth_to_json(auth), feed_id))
        restrict_to_owner(self.db.path)

    def update_settings(self, feed_id: str, *, title: str | None, full_text: bool) -> None:
        with self.db.transaction() as c:
            c.execute(
                "UPDATE feeds SET title=COALESCE(?, title), full_text=? WHERE id=?",
                (title, int(full_text), feed_id),
            )

    def get(self, feed_id: str) -> FeedRow | None:
        r = self.db.conn.execute(
            f"SELECT {_FEED_COLS} FROM feeds WHERE id=?", (feed_id,)
        ).fetchone()
        return _row(r) if r else None

    def find(self, id_or_url: str) -> FeedRow | None:
        """By id or URL (a URL given with credentials finds the feed stored without)."""
        url, _ = split_credentials(id_or_url)
        r = self.db.conn.execute(
            f"SELECT {_FEED_COLS} FROM feeds WHERE id=? OR url=?", (id_or_url, url)
        ).fetchone()
        return _row(r) if r else None

    def remove(self, id_or_url: str) -> FeedRow:
        row = self.find(id_or_url)
        if row is None:
            raise unknown_feed(id_or_url)
        with self.db.transaction() as c:
            c.execute("DELETE FROM feeds WHERE id=?", (row.feed.id,))
        return row

    def all(self) -> list[FeedRow]:
        rows = self.db.conn.execute(f"SELECT {_FEED_COLS} FROM feeds ORDER BY added_at, url")
        return [_row(r) for r in rows]

    def due(self, now: datetime) -> list[FeedRow]:
        rows = self.db.conn.execute(
            f"SELECT {_FEED_COLS} FROM feeds WHERE enabled=1 AND "
            "(next_poll_at IS NULL OR next_poll_at <= ?) ORDER BY next_poll_at",
            (iso(now),),
        )
        return [_row(r) for r in rows]

    def next_due_at(self, now: datetime) -> datetime | None:
        """When the next enabled feed is due (`now` if one was never polled); None: no feeds."""
        r = self.db.conn.execute(
            "SELECT COUNT(*), SUM(next_poll_at IS NULL), MIN(next_poll_at) "
            "FROM feeds WHERE enabled=1"
        ).fetchone()
        if not r[0]:
            return None
        if r[1]:
            return now
        return parse_iso(r[2])

    # --- dedup memory ---------------------------------------------------------------------

    def content_hashes(self, article_ids: Sequence[str]) -> Mapping[str, str]:
        """Stored content hash per already-seen id (ingest's SeenLookup).

        `seen` rows expire (`retention.seen_days` after an item was last new or changed),
        but an item can stay in its feed for longer; an id without a `seen` row is
        therefore answered from its stored article, so it is never taken for new.
        """
        out = self._hashes("SELECT article_id, content_hash FROM seen", "article_id", article_ids)
        missing = [i for i in article_ids if i not in out]
        if missing:
            out.update(
                self._hashes(
                    "SELECT id, json_extract(payload, '$.article.content_hash') FROM articles",
                    "id",
                    missing,
                )
            )
        return out

    def _hashes(self, select: str, key: str, ids: Sequence[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        for i in range(0, len(ids), 500):
            chunk = list(ids[i : i + 500])
            marks = ",".join("?" * len(chunk))
            for aid, h in self.db.conn.execute(f"{select} WHERE {key} IN ({marks})", chunk):
                if h is not None:
                    out[str(aid)] = str(h)
        return out

    def seen_count(self) -> int:
        return int(self.db.conn.execute("SELECT COUNT(*) FROM seen").fetchone()[0])

    def expire_seen(self, before: datetime, limit: int) -> int:
        """Forget up to `limit` ids last new or changed before `before`; queued ones stay."""
        with self.db.transaction() as c:
            return c.execute(
                "DELETE FROM seen WHERE rowid IN (SELECT s.rowid FROM seen s "
                "WHERE s.last_seen_at < ? AND NOT EXISTS "
                "(SELECT 1 FROM outbox o WHERE o.article_id = s.article_id) LIMIT ?)",
                (iso(before), limit),
            ).rowcount

    # --- the hand-over ----------------------------------------------------------------------

    def accept_poll(
        self,
        feed: Feed,
        state: FeedState,
        articles: Iterable[Article],
        *,
        now: datetime,
        to_outbox: bool = True,
    ) -> None:
        """Persist one poll atomically: feed URL/title, state, seen ids, (embedded) outbox."""
        arts = list(articles)
        with self.db.transaction() as c:
            c.execute(
                "UPDATE feeds SET url=?, title=COALESCE(?, title), site_url=COALESCE(?, site_url), "
                "state=?, next_poll_at=? WHERE id=?",
                (
                    feed.url,
                    feed.title,
                    feed.site_url,
                    state.model_dump_json(),
                    iso(state.next_poll_at),
                    feed.id,
                ),
            )
            c.executemany(
                "INSERT INTO seen(article_id, content_hash, feed_id, first_seen_at, last_seen_at) "
                "VALUES (?,?,?,?,?) ON CONFLICT(article_id) DO UPDATE SET "
                "content_hash=excluded.content_hash, last_seen_at=excluded.last_seen_at",
                [(a.id, a.content_hash, a.feed_id, iso(now), iso(now)) for a in arts],
            )
            if to_outbox:
                # delete + insert (not upsert) so an updated article gets a fresh, larger seq
                c.executemany("DELETE FROM outbox WHERE article_id=?", [(a.id,) for a in arts])
                c.executemany(
                    "INSERT INTO outbox(article_id, payload, queued_at) VALUES (?,?,?)",
                    [(a.id, a.to_json(), iso(now)) for a in arts],
                )

    def pending(self, after_seq: int = 0, limit: int = 1000) -> list[PendingArticle]:
        rows = self.db.conn.execute(
            "SELECT seq, payload FROM outbox WHERE seq > ? ORDER BY seq LIMIT ?", (after_seq, limit)
        )
        return [PendingArticle(int(s), Article.model_validate_json(p)) for s, p in rows]

    def pending_for(self, article_ids: Sequence[str]) -> list[PendingArticle]:
        marks = ",".join("?" * len(article_ids))
        rows = self.db.conn.execute(
            f"SELECT seq, payload FROM outbox WHERE article_id IN ({marks}) ORDER BY seq",
            list(article_ids),
        )
        return [PendingArticle(int(s), Article.model_validate_json(p)) for s, p in rows]

    def outbox_size(self) -> int:
        return int(self.db.conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0])
