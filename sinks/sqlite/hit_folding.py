"""The hit log's side of one alert per rule per story (decisions: `wirewatch.core.folding`).

Runs at the top of `insert_hits`, inside the caller's transaction, hit by hit so two
copies in one batch see each other: it loads what the log holds for the rule (the
article's own alert and last alerted version, the story's first alert), applies the
decision, records a folded copy itself (no delivery; its first alert's `story_size`
grows in the stored payload, so a delivery not yet sent shows the current size) and
returns the hits to record as new: first alerts and update alerts. A replay finds its
article already alerted at the same version and returns nothing.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence

from sinks.sqlite.database import iso
from wirewatch.core.folding import Action, ArticleVersion, Prior, decide
from wirewatch.core.ids import alert_id
from wirewatch.core.models import Alert


def _prior(c: sqlite3.Connection, h: Alert) -> Prior | None:
    r = c.execute(
        "SELECT alert_id, folded, headline, words, alerted FROM hit_folding "
        "WHERE rule_id=? AND article_id=?",
        (h.rule_id, h.article_id),
    ).fetchone()
    if r is None:
        return None
    into, folded, headline, blob, alerted = r
    version = None if headline is None else ArticleVersion.from_stored(headline, bytes(blob))
    return Prior(str(into), bool(folded), version, frozenset(str(alerted).split()))


def _story_first(c: sqlite3.Connection, h: Alert) -> str | None:
    if h.story_id is None:
        return None
    r = c.execute(
        "SELECT alert_id FROM hit_folding WHERE rule_id=? AND story_id=? AND folded=0 "
        "ORDER BY first_at, alert_id LIMIT 1",
        (h.rule_id, h.story_id),
    ).fetchone()
    return None if r is None else str(r[0])


def _remember(
    c: sqlite3.Connection, h: Alert, into: str, *, folded: bool, version: ArticleVersion | None
) -> None:
    c.execute(
        "INSERT INTO hit_folding(rule_id, article_id, story_id, alert_id, folded, first_at, "
        "headline, words, alerted) VALUES (?,?,?,?,?,?,?,?,?) "
        "ON CONFLICT(rule_id, article_id) DO UPDATE SET headline=excluded.headline, "
        "words=excluded.words, alerted=trim(alerted || ' ' || excluded.alerted)",
        (
            h.rule_id,
            h.article_id,
            h.story_id,
            into,
            int(folded),
            iso(h.matched_at),
            version and version.headline,
            version and version.words_blob(),
            version.digest() if version else "",
        ),
    )


def _record_folded(c: sqlite3.Connection, h: Alert, into: str, batch: dict[str, Alert]) -> None:
    """Record the copy; its first alert counts it (in this batch, not stored yet, or stored)."""
    c.execute(
        "INSERT OR IGNORE INTO hits(id, rule_id, article_id, matched_at, payload, folded_into) "
        "VALUES (?,?,?,?,?,?)",  # no delivery: its state (if hits keep one) defaults to none
        (h.id, h.rule_id, h.article_id, iso(h.matched_at), h.to_json(), into),
    )
    if into in batch:
        batch[into] = batch[into].model_copy(update={"story_size": batch[into].story_size + 1})
        return
    c.execute(
        "UPDATE hits SET payload=json_set(payload, '$.story_size', "
        "coalesce(json_extract(payload, '$.story_size'), 1) + 1) WHERE id=?",
        (into,),
    )


def fold_hits(
    c: sqlite3.Connection,
    hits: Sequence[Alert],
    versions: Mapping[str, ArticleVersion],
    threshold: float,
) -> list[Alert]:
    """Fold copies into their story's first alert; return first alerts and update alerts.

    `versions` holds each hit's article version by article id; a hit without one can
    start or fold into an alert but never be an update.
    """
    out: dict[str, Alert] = {}
    for h in hits:
        version = versions.get(h.article_id)
        prior = _prior(c, h)
        d = decide(version, prior, None if prior else _story_first(c, h), threshold)
        if d.action is Action.NEW:
            _remember(c, h, h.id, folded=False, version=version)
            out[h.id] = h
        elif d.action is Action.FOLD and d.into is not None:
            _remember(c, h, d.into, folded=True, version=None)
            _record_folded(c, h, d.into, out)
        elif d.action is Action.UPDATE and version is not None:
            _remember(c, h, h.id, folded=False, version=version)  # keeps its first alert
            update_id = alert_id(h.rule_id, f"{h.article_id}\x1f{version.digest()}")
            out[update_id] = h.model_copy(update={"id": update_id, "kind": "update"})
    return list(out.values())
