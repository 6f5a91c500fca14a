"""Alert rules, hits and the delivery outbox.

A hit's id is `ids.alert_id(rule, article)` (an update alert's adds the article's
version), so a replayed article records nothing new and a resent notification
carries the same idempotency key. A copy of a story that already alerted the rule
is folded into that first alert (`hit_folding`), recorded but not sent.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import datetime

from sinks.sqlite.database import Database, iso, parse_iso, to_datetime
from sinks.sqlite.hit_folding import fold_hits
from wirewatch.core.errors import WirewatchError
from wirewatch.core.folding import ArticleVersion
from wirewatch.core.models import Alert, AlertRule, DeliveryState
from wirewatch.core.records import FoldedInto, HitRow
from wirewatch.core.settings import DEFAULT_UPDATE_THRESHOLD


def insert_hits(
    c: sqlite3.Connection,
    hits: Sequence[Alert],
    versions: Mapping[str, ArticleVersion] | None = None,
    update_threshold: float = DEFAULT_UPDATE_THRESHOLD,
) -> list[Alert]:
    """Record hits inside the caller's transaction; returns those not recorded before.

    `versions` (article id → version) lets a changed article fire an update alert.
    """
    hits = fold_hits(c, hits, versions or {}, update_threshold)
    new: list[Alert] = []
    for h in hits:
        has_hook = c.execute(
            "SELECT webhook_url IS NOT NULL FROM rules WHERE id=?", (h.rule_id,)
        ).fetchone()
        state = DeliveryState.first(bool(has_hook and has_hook[0]))
        cur = c.execute(
            "INSERT OR IGNORE INTO hits(id, rule_id, article_id, matched_at, payload, "
            "delivery_state, next_attempt_at) VALUES (?,?,?,?,?,?,?)",
            (
                h.id,
                h.rule_id,
                h.article_id,
                iso(h.matched_at),
                h.to_json(),
                state.value,
                iso(h.matched_at) if state is DeliveryState.PENDING else None,
            ),
        )
        if cur.rowcount:
            new.append(h)
    return new


def _rule(r: Sequence[object]) -> AlertRule:
    rid, name, query, hook, enabled, created = r
    return AlertRule(
        id=str(rid),
        name=str(name),
        query=str(query),
        webhook_url=None if hook is None else str(hook),
        enabled=bool(enabled),
        created_at=to_datetime(str(created)),
    )


class AlertStore:
    def __init__(self, db: Database, update_threshold: float = DEFAULT_UPDATE_THRESHOLD) -> None:
        self.db = db
        self.update_threshold = update_threshold

    def add_rule(self, rule: AlertRule, *, replace: bool = False) -> bool:
        """Add a rule; with `replace`, an existing rule of that name takes the new query."""
        with self.db.transaction() as c:
            existing = c.execute("SELECT id FROM rules WHERE name=?", (rule.name,)).fetchone()
            if existing and not replace:
                raise WirewatchError(
                    f"an alert named {rule.name!r} already exists",
                    hint="pick another name, or `wirewatch alerts rm` it first",
                )
            c.execute(
                "INSERT INTO rules(id, name, query, webhook_url, enabled, created_at) "
                "VALUES (?,?,?,?,?,?) ON CONFLICT(name) DO UPDATE SET query=excluded.query, "
                "webhook_url=excluded.webhook_url, enabled=excluded.enabled",
                (
                    rule.id,
                    rule.name,
                    rule.query,
                    rule.webhook_url,
                    int(rule.enabled),
                    iso(rule.created_at),
                ),
            )
            return existing is None

    def rules(self) -> list[AlertRule]:
        rows = self.db.conn.execute(
            "SELECT id, name, query, webhook_url, enabled, created_at FROM rules ORDER BY name"
        )
        return [_rule(r) for r in rows]

    def get_rule(self, name_or_id: str) -> AlertRule | None:
        r = self.db.conn.execute(
            "SELECT id, name, query, webhook_url, enabled, created_at FROM rules "
            "WHERE name=? OR id=?",
            (name_or_id, name_or_id),
        ).fetchone()
        return _rule(r) if r else None

    def remove_rule(self, name_or_id: str) -> AlertRule:
        rule = self.get_rule(name_or_id)
        if rule is None:
            raise WirewatchError(
                f"no alert named {name_or_id!r}", hint="see `wirewatch alerts list`"
            )
        with self.db.transaction() as c:
            c.execute("DELETE FROM rules WHERE id=?", (rule.id,))
        return rule

    def record_hits(
        self, hits: Sequence[Alert], versions: Mapping[str, ArticleVersion] | None = None
    ) -> list[Alert]:
        """Record hits in one transaction; returns those not recorded before."""
        with self.db.transaction() as c:
            return insert_hits(c, hits, versions, self.update_threshold)

    def hits(self, *, rule: str | None = None, limit: int = 100) -> list[HitRow]:
        sql = (
            "SELECT h.payload, h.delivery_state, h.attempts, h.last_error, h.delivered_at, "
            "r.webhook_url, h.folded_into, json_extract(f.payload, '$.title') FROM hits h "
            "LEFT JOIN rules r ON r.id = h.rule_id LEFT JOIN hits f ON f.id = h.folded_into"
        )
        params: list[object] = []
        if rule is not None:
            sql += " WHERE h.rule_id = ? OR r.name = ?"
            params += [rule, rule]
        sql += " ORDER BY h.matched_at DESC, h.id LIMIT ?"
        params.append(limit)
        return [
            HitRow(
                Alert.model_validate_json(p),
                DeliveryState(s),
                int(n),
                err,
                parse_iso(d),
                hook,
                None if into is None else FoldedInto(into, into_title or into),
            )
            for p, s, n, err, d, hook, into, into_title in self.db.conn.execute(sql, params)
        ]

    def count_hits(self) -> dict[str, int]:
        return {
            str(s): int(n)
            for s, n in self.db.conn.execute(
                "SELECT delivery_state, COUNT(*) FROM hits GROUP BY delivery_state"
            )
        }

    def due_deliveries(self, now: datetime, limit: int = 100) -> list[HitRow]:
        rows = self.db.conn.execute(
            "SELECT h.payload, h.delivery_state, h.attempts, h.last_error, h.delivered_at, "
            "r.webhook_url FROM hits h JOIN rules r ON r.id = h.rule_id "
            "WHERE h.delivery_state='pending' AND h.next_attempt_at <= ? AND "
            "r.webhook_url IS NOT NULL ORDER BY h.next_attempt_at LIMIT ?",
            (iso(now), limit),
        )
        return [
            HitRow(Alert.model_validate_json(p), DeliveryState(s), int(n), err, parse_iso(d), hook)
            for p, s, n, err, d, hook in rows
        ]

    def next_delivery_at(self) -> datetime | None:
        r = self.db.conn.execute(
            "SELECT MIN(next_attempt_at) FROM hits WHERE delivery_state='pending'"
        ).fetchone()
        return parse_iso(r[0]) if r and r[0] else None

    def mark_delivered(self, alert_id: str, now: datetime) -> None:
        with self.db.transaction() as c:
            c.execute(
                "UPDATE hits SET delivery_state='delivered', delivered_at=?, attempts=attempts+1, "
                "last_error=NULL, next_attempt_at=NULL WHERE id=?",
                (iso(now), alert_id),
            )

    def mark_attempt_failed(self, alert_id: str, error: str, *, retry_at: datetime | None) -> None:
        """Count a failed attempt; `retry_at=None` gives up (state 'failed')."""
        with self.db.transaction() as c:
            c.execute(
                "UPDATE hits SET attempts=attempts+1, last_error=?, next_attempt_at=?, "
                "delivery_state=? WHERE id=?",
                (
                    error[:500],
                    iso(retry_at),
                    DeliveryState.PENDING.value if retry_at else DeliveryState.FAILED.value,
                    alert_id,
                ),
            )
