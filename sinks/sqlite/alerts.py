"""Alert rules and hits; each new hit is queued for delivery on every channel of its rule.

A hit's id is `ids.alert_id(rule, article)` (an update alert's adds the article's
version), so a replayed article records nothing new and a resent notification
carries the same idempotency key. A copy of a story that already alerted the rule
is folded into that first alert (`hit_folding`), recorded but not sent. Deliveries
live in `sinks.sqlite.deliveries`.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Mapping, Sequence

from pydantic import ValidationError

from sinks.sqlite.database import Database, iso, to_datetime
from sinks.sqlite.deliveries import (
    dead_letter_rule,
    deliveries_of,
    queue_deliveries,
    sent_singly_since,
)
from sinks.sqlite.hit_folding import fold_hits
from wirewatch.core.errors import WirewatchError, unknown_rule
from wirewatch.core.folding import ArticleVersion
from wirewatch.core.models import Alert, AlertRule
from wirewatch.core.pacing import DEFAULT_POLICY, HitPolicy, hour_start, release_at
from wirewatch.core.records import FoldedInto, HitRow

log = logging.getLogger("wirewatch.sinks.sqlite")

_RULE_COLUMNS = (
    "id, name, query, webhook_url, slack_url, emails, throttle_per_hour, digest, enabled, "
    "created_at"
)


def insert_hits(
    c: sqlite3.Connection,
    hits: Sequence[Alert],
    versions: Mapping[str, ArticleVersion] | None = None,
    policy: HitPolicy = DEFAULT_POLICY,
) -> list[Alert]:
    """Record hits inside the caller's transaction, each new one with a delivery per
    destination of its rule — due now, or held for its digest; returns those not
    recorded before.

    Copies of a story already alerted are folded first (recorded, never delivered);
    `versions` (article id → version) lets a changed article fire an update alert.
    """
    hits = fold_hits(c, hits, versions or {}, policy.update_threshold)
    new: list[Alert] = []
    rules: dict[str, AlertRule | None] = {}
    for h in hits:
        cur = c.execute(
            "INSERT OR IGNORE INTO hits(id, rule_id, article_id, matched_at, payload) "
            "VALUES (?,?,?,?,?)",
            (h.id, h.rule_id, h.article_id, iso(h.matched_at), h.to_json()),
        )
        if not cur.rowcount:
            continue
        if h.rule_id not in rules:
            row = c.execute(f"SELECT {_RULE_COLUMNS} FROM rules WHERE id=?", (h.rule_id,))
            rules[h.rule_id] = (found := row.fetchone()) and _valid_rule(found)
        if (rule := rules[h.rule_id]) is not None and rule.destinations():
            sent = (  # only a throttle counts: the query is per hit
                0
                if rule.throttle_per_hour is None
                else sent_singly_since(c, rule.id, hour_start(h.matched_at))
            )
            until = release_at(rule, h.matched_at, sent, policy.daily_digest_hour)
            queue_deliveries(c, h, rule.destinations(), held_until=until)
        new.append(h)
    return new


def _rule(r: Sequence[object]) -> AlertRule:
    rid, name, query, hook, slack, emails, throttle, digest, enabled, created = r
    return AlertRule(
        id=str(rid),
        name=str(name),
        query=str(query),
        webhook_url=None if hook is None else str(hook),
        slack_url=None if slack is None else str(slack),
        emails=json.loads(str(emails)),
        throttle_per_hour=None if throttle is None else int(str(throttle)),
        digest=str(digest),
        enabled=bool(enabled),
        created_at=to_datetime(str(created)),
    )


def _valid_rule(r: Sequence[object]) -> AlertRule | None:
    """The stored rule, or None (logged) when the row no longer reads as a valid rule."""
    try:
        return _rule(r)
    except (ValidationError, ValueError, TypeError) as e:
        reason = e.errors()[0]["msg"] if isinstance(e, ValidationError) else str(e)
        log.error(
            "alert %r skipped: its stored form is invalid (%s); remove it with "
            "`wirewatch alerts rm %s` and add it again",
            r[1],
            reason,
            r[0],
        )
        return None


class AlertStore:
    def __init__(self, db: Database, policy: HitPolicy = DEFAULT_POLICY) -> None:
        self.db = db
        self.policy = policy

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
                f"INSERT INTO rules({_RULE_COLUMNS}) VALUES (?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(name) DO UPDATE SET query=excluded.query, "
                "webhook_url=excluded.webhook_url, slack_url=excluded.slack_url, "
                "emails=excluded.emails, throttle_per_hour=excluded.throttle_per_hour, "
                "digest=excluded.digest, enabled=excluded.enabled",
                (
                    rule.id,
                    rule.name,
                    rule.query,
                    rule.webhook_url,
                    rule.slack_url,
                    json.dumps(rule.emails),
                    rule.throttle_per_hour,
                    rule.digest,
                    int(rule.enabled),
                    iso(rule.created_at),
                ),
            )
            return existing is None

    def rules(self) -> list[AlertRule]:
        """Every valid rule by name; a stored row that no longer validates is logged, skipped."""
        rows = self.db.conn.execute(f"SELECT {_RULE_COLUMNS} FROM rules ORDER BY name")
        return [rule for rule in map(_valid_rule, rows) if rule is not None]

    def rules_version(self) -> str:
        """The counter the rules table's triggers bump on every change (schema step 9)."""
        row = self.db.conn.execute("SELECT value FROM meta WHERE key='rules_version'").fetchone()
        return str(row[0])

    def get_rule(self, name_or_id: str) -> AlertRule | None:
        r = self._row(name_or_id)
        return _valid_rule(r) if r else None

    def _row(self, name_or_id: str) -> Sequence[object] | None:
        row: Sequence[object] | None = self.db.conn.execute(
            f"SELECT {_RULE_COLUMNS} FROM rules WHERE name=? OR id=?", (name_or_id, name_or_id)
        ).fetchone()
        return row

    def remove_rule(self, name_or_id: str) -> AlertRule:
        """Remove a rule, even one whose stored form no longer validates; its deliveries not
        yet made are dead-lettered."""
        r = self._row(name_or_id)
        if r is None:
            raise unknown_rule(name_or_id)
        rule = _valid_rule(r) or AlertRule.model_construct(  # shown as it was stored
            id=str(r[0]), name=str(r[1]), query=str(r[2]), created_at=to_datetime(str(r[-1]))
        )
        with self.db.transaction() as c:
            c.execute("DELETE FROM rules WHERE id=?", (rule.id,))
            dead_letter_rule(c, rule.id)
        return rule

    def record_hits(
        self, hits: Sequence[Alert], versions: Mapping[str, ArticleVersion] | None = None
    ) -> list[Alert]:
        """Record hits in one transaction; returns those not recorded before."""
        with self.db.transaction() as c:
            return insert_hits(c, hits, versions, self.policy)

    def hits(self, *, rule: str | None = None, limit: int = 100) -> list[HitRow]:
        where, params = "", []
        if rule is not None:
            where, params = " WHERE h.rule_id = ? OR r.name = ?", [rule, rule]
        return self._hit_rows(f"{where} ORDER BY h.matched_at DESC, h.id LIMIT ?", [*params, limit])

    def hits_by_id(self, ids: Sequence[str]) -> list[HitRow]:
        unique, found = list(dict.fromkeys(ids)), []
        for start in range(0, len(unique), 500):  # under SQLite's bound-parameter limit
            chunk = unique[start : start + 500]
            found += self._hit_rows(f" WHERE h.id IN ({','.join('?' * len(chunk))})", chunk)
        return found

    def _hit_rows(self, tail: str, params: Sequence[object]) -> list[HitRow]:
        """Hits with their deliveries and the first alert each folded copy went into."""
        sql = (
            "SELECT h.payload, h.folded_into, json_extract(f.payload, '$.title') FROM hits h "
            "LEFT JOIN rules r ON r.id = h.rule_id LEFT JOIN hits f ON f.id = h.folded_into"
        )
        rows = [
            (Alert.model_validate_json(p), into, into_title)
            for p, into, into_title in self.db.conn.execute(sql + tail, params)
        ]
        by_hit = deliveries_of(self.db.conn, [a for a, _, _ in rows])
        return [
            HitRow(a, by_hit[a.id], None if into is None else FoldedInto(into, into_title or into))
            for a, into, into_title in rows
        ]

    def count_hits(self) -> int:
        return int(self.db.conn.execute("SELECT COUNT(*) FROM hits").fetchone()[0])
