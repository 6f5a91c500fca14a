"""The delivery queue: one row per (hit, channel, target), in the same file as the hits.

A hit is queued for every destination of its rule in the transaction that records
it, so a crash never leaves a hit without its deliveries. Each row is attempted,
retried and dead-lettered on its own: a Slack outage never holds an e-mail back.
Rows are what a restart resumes from: a pending row is sent again after a SIGKILL
with the same idempotency key (the hit id).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Collection, Iterable, Sequence
from datetime import datetime

from sinks.sqlite.database import Database, iso, parse_iso
from wirewatch.core.models import Alert, Channel, DeliveryState
from wirewatch.core.records import Delivery, DeliveryKey

REMOVED_RULE = "the alert was removed before delivery"

_COLUMNS = (
    "h.payload, d.channel, d.target, d.state, d.attempts, d.last_error, "
    "d.next_attempt_at, d.delivered_at"
)
_FROM = "FROM deliveries d JOIN hits h ON h.id = d.alert_id"


def queue_deliveries(
    c: sqlite3.Connection,
    alert: Alert,
    destinations: Iterable[tuple[Channel, str]],
    *,
    held_until: datetime | None = None,
) -> None:
    """Inside the caller's transaction: one delivery per destination, due now — or held
    for its digest until `held_until`."""
    state = DeliveryState.PENDING if held_until is None else DeliveryState.HELD
    due = iso(held_until or alert.matched_at)
    c.executemany(
        "INSERT OR IGNORE INTO deliveries(alert_id, rule_id, channel, target, state, "
        "next_attempt_at, held) VALUES (?,?,?,?,?,?,?)",
        [
            (
                alert.id,
                alert.rule_id,
                ch.value,
                target,
                state.value,
                due,
                int(held_until is not None),
            )
            for ch, target in destinations
        ],
    )


def sent_singly_since(c: sqlite3.Connection, rule_id: str, since: datetime) -> int:
    """How many of a rule's hits since `since` went (or go) out one by one: what a
    throttle counts."""
    row = c.execute(
        "SELECT COUNT(DISTINCT d.alert_id) FROM deliveries d JOIN hits h ON h.id = d.alert_id "
        "WHERE d.rule_id = ? AND d.held = 0 AND h.matched_at >= ?",
        (rule_id, iso(since)),
    ).fetchone()
    return int(row[0])


def _delivery(row: Sequence[object], alert: Alert | None = None) -> Delivery:
    payload, channel, target, state, attempts, error, next_at, delivered = row
    return Delivery(
        alert=alert or Alert.model_validate_json(str(payload)),
        channel=Channel(str(channel)),
        target=str(target),
        state=DeliveryState(str(state)),
        attempts=int(str(attempts)),
        last_error=None if error is None else str(error),
        next_attempt_at=parse_iso(None if next_at is None else str(next_at)),
        delivered_at=parse_iso(None if delivered is None else str(delivered)),
    )


def deliveries_of(conn: sqlite3.Connection, alerts: Sequence[Alert]) -> dict[str, list[Delivery]]:
    """The deliveries of these hits, by hit id, in channel order."""
    by_id = {a.id: a for a in alerts}
    out: dict[str, list[Delivery]] = {a.id: [] for a in alerts}
    ids = list(by_id)
    for start in range(0, len(ids), 500):  # stay under SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        rows = conn.execute(
            f"SELECT d.alert_id, NULL, d.channel, d.target, d.state, d.attempts, d.last_error, "
            f"d.next_attempt_at, d.delivered_at FROM deliveries d "
            f"WHERE d.alert_id IN ({','.join('?' * len(chunk))}) ORDER BY d.rowid",
            chunk,
        )
        for alert_id, *rest in rows:
            out[str(alert_id)].append(_delivery(rest, by_id[str(alert_id)]))
    return out


class DeliveryStore:
    """`DeliveryQueue` on SQLite."""

    def __init__(self, db: Database) -> None:
        self.db = db

    def due_deliveries(
        self, now: datetime, limit: int = 100, exclude: Collection[DeliveryKey] = ()
    ) -> list[Delivery]:
        return self._due("pending", "d.next_attempt_at", now, limit, exclude)

    def due_digests(
        self, now: datetime, limit: int = 1000, exclude: Collection[DeliveryKey] = ()
    ) -> list[Delivery]:
        """Held deliveries whose digest window has ended, grouped by rule, channel, target."""
        order = "d.rule_id, d.channel, d.target, h.matched_at"
        return self._due("held", order, now, limit, exclude)

    def _due(
        self,
        state: str,
        order: str,
        now: datetime,
        limit: int,
        exclude: Collection[DeliveryKey],
    ) -> list[Delivery]:
        """Due rows in `state`, skipping `exclude` (those in flight) before their hits are
        parsed: a busy notifier asks after every finished delivery."""
        rows = self.db.conn.execute(
            f"SELECT d.alert_id, {_COLUMNS} {_FROM} WHERE d.state=? AND d.next_attempt_at <= ? "
            f"ORDER BY {order} LIMIT ?",
            (state, iso(now), limit + len(exclude)),
        )
        skip = set(exclude)
        out = []
        for alert_id, *row in rows:
            if (str(alert_id), Channel(str(row[1])), str(row[2])) not in skip:
                out.append(_delivery(row))
        return out[:limit]

    def next_delivery_at(self) -> datetime | None:
        r = self.db.conn.execute(
            "SELECT MIN(next_attempt_at) FROM deliveries WHERE state IN ('pending', 'held')"
        ).fetchone()
        return parse_iso(r[0]) if r and r[0] else None

    def mark_delivered(self, alert_id: str, channel: Channel, target: str, now: datetime) -> None:
        with self.db.transaction() as c:
            c.execute(
                "UPDATE deliveries SET state='delivered', delivered_at=?, attempts=attempts+1, "
                "last_error=NULL, next_attempt_at=NULL "
                "WHERE alert_id=? AND channel=? AND target=?",
                (iso(now), alert_id, channel.value, target),
            )

    def mark_attempt_failed(
        self,
        alert_id: str,
        channel: Channel,
        target: str,
        error: str,
        *,
        retry_at: datetime | None,
    ) -> None:
        """Count a failed attempt; `retry_at=None` gives up (state 'failed': a dead letter).
        A held delivery (a digest's) stays held, to go out with its digest again."""
        with self.db.transaction() as c:
            c.execute(
                "UPDATE deliveries SET attempts=attempts+1, last_error=?, next_attempt_at=?, "
                "state=CASE WHEN ? IS NULL THEN 'failed' WHEN held THEN 'held' "
                "ELSE 'pending' END WHERE alert_id=? AND channel=? AND target=?",
                (error[:500], iso(retry_at), iso(retry_at), alert_id, channel.value, target),
            )

    def deliveries(
        self, *, rule: str | None = None, failed_only: bool = False, limit: int = 100
    ) -> list[Delivery]:
        sql = f"SELECT {_COLUMNS} {_FROM} LEFT JOIN rules r ON r.id = d.rule_id WHERE 1=1"
        params: list[object] = []
        if rule is not None:
            sql += " AND (d.rule_id = ? OR r.name = ?)"
            params += [rule, rule]
        if failed_only:
            sql += " AND d.state = 'failed'"
        sql += " ORDER BY h.matched_at DESC, d.alert_id, d.rowid LIMIT ?"
        params.append(limit)
        return [_delivery(r) for r in self.db.conn.execute(sql, params)]

    def retry_failed(
        self, *, now: datetime, rule: str | None = None, alert_id: str | None = None
    ) -> int:
        """Dead letters back to pending (a digest's back to its digest), attempts reset, due
        now; a removed rule's stay."""
        sql = (
            "UPDATE deliveries SET state=CASE WHEN held THEN 'held' ELSE 'pending' END, "
            "attempts=0, next_attempt_at=?, "
            "last_error=NULL WHERE state='failed' AND rule_id IN "
            "(SELECT id FROM rules WHERE ? IS NULL OR id = ? OR name = ?)"
        )
        params: list[object] = [iso(now), rule, rule, rule]
        if alert_id is not None:
            sql += " AND alert_id = ?"
            params.append(alert_id)
        with self.db.transaction() as c:
            return c.execute(sql, params).rowcount

    def delivery_counts(self) -> dict[str, int]:
        return {
            str(s): int(n)
            for s, n in self.db.conn.execute(
                "SELECT state, COUNT(*) FROM deliveries GROUP BY state"
            )
        }


def dead_letter_rule(c: sqlite3.Connection, rule_id: str) -> None:
    """Inside the caller's transaction: a removed rule's undelivered deliveries give up."""
    c.execute(
        "UPDATE deliveries SET state='failed', next_attempt_at=NULL, last_error=? "
        "WHERE rule_id=? AND state='pending'",
        (REMOVED_RULE, rule_id),
    )
