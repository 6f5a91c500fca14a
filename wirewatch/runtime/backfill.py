"""`alerts backfill`: record the hits a rule would have had on stored articles.

The candidates come from the index's search (as `alerts test`: the newest
`PREVIEW_CAP` at most), each is evaluated by the matcher (exact alert semantics and
the matched terms), and the hits go through the hit log's own recording path, oldest
article first: a story folds into its first alert, an article alerted before records
nothing (so a second backfill records nothing new), and the new alerts' deliveries
wait for `wirewatch run`, which sends what is due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from processors.matching.rules import compile_rules, hits_for
from wirewatch.core.errors import WirewatchError
from wirewatch.core.folding import ArticleVersion
from wirewatch.core.models import AlertRule
from wirewatch.core.ports import ArticleIndex, HitLog
from wirewatch.core.query import parse_query
from wirewatch.runtime.preview import stored_matches

_ALL = 1_000_000  # every hit of one rule, to tell the folded ones from those alerted before


@dataclass(frozen=True)
class Backfill:
    matched: int  # stored articles the rule matches (within the cap)
    new_hits: int  # alerts recorded now (first alerts and updates), their deliveries pending
    folded: int  # copies recorded now, folded into their story's first alert
    already: int  # matched articles that had alerted (or been folded) before
    capped: bool  # more matched than the search could page through


def backfill(
    rule: AlertRule, index: ArticleIndex, hit_log: HitLog, since: datetime | None, now: datetime
) -> Backfill:
    """Match the rule against stored articles since `since` and record its hits."""
    if not rule.enabled:
        raise WirewatchError(
            f"alert {rule.name!r} is paused: a backfill would record hits it cannot deliver",
            hint=f"`wirewatch alerts resume {rule.name}` first",
        )
    found, capped = stored_matches(index, parse_query(rule.query), since)
    found.reverse()  # oldest first: a story's first alert is its earliest article
    rule_set = compile_rules([rule])
    hits = [h for e in found for h in hits_for(e, rule_set, now)]
    before = {h.alert.id for h in hit_log.hits(rule=rule.id, limit=_ALL)}
    new = hit_log.record_hits(hits, {e.id: ArticleVersion.of(e.article) for e in found})
    folded = sum(
        1
        for h in hit_log.hits(rule=rule.id, limit=_ALL)
        if h.folded_into is not None and h.alert.id not in before
    )
    fresh = sum(1 for h in new if h.kind == "article")
    return Backfill(len(hits), len(new), folded, len(hits) - fresh - folded, capped)
