"""Alert rules as a stage: compile the enabled rules once, turn matches into hits.

Pure functions with explicit state (a `RuleSet`), so the embedded runtime and a
distributed worker holding the rules table build the same hits for an article:
one per rule and article, with the id `ids.alert_id(rule, article)` and the terms
that fired (`explain.matched_terms`). Whether a hit is sent, folded into its story's
first alert or is an update is the hit log's decision (`wirewatch.core.folding`): it
needs what was alerted before.
"""

from __future__ import annotations

import gc
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from processors.matching import doc_for
from processors.matching.explain import matched_terms
from processors.matching.presearch import PresearchMatcher
from wirewatch.core.ids import alert_id
from wirewatch.core.models import Alert, AlertRule, EnrichedArticle

Signature = tuple[tuple[str, str, bool], ...]


def signature(rules: Sequence[AlertRule]) -> Signature:
    """What decides whether rules need compiling again: ids, queries, enabled flags."""
    return tuple((r.id, r.query, r.enabled) for r in rules)


@dataclass(frozen=True)
class RuleSet:
    """The compiled enabled rules, and the rules that no longer parse (with the reason)."""

    matcher: PresearchMatcher = field(default_factory=PresearchMatcher)
    rules: dict[str, AlertRule] = field(default_factory=dict)
    signature: Signature = ()
    refused: list[tuple[AlertRule, str]] = field(default_factory=list)


def compile_rules(rules: Sequence[AlertRule]) -> RuleSet:
    """Compile the enabled rules; a rule that does not parse is refused, the others still run.

    The cyclic garbage collector is paused meanwhile: compiling makes millions of small
    objects that hold no cycles, and the collector, walking the growing heap again at
    every allocation threshold, took over half of a 100,000-rule start-up.
    """
    matcher = PresearchMatcher()
    refused: list[tuple[AlertRule, str]] = []
    collecting = gc.isenabled()
    gc.disable()
    try:
        for r in rules:
            if not r.enabled:
                continue
            try:
                matcher.add(r.id, r.query)
            except Exception as e:  # a bad rule must never stop the others
                refused.append((r, str(e)))
    finally:
        if collecting:
            gc.enable()
    return RuleSet(matcher, {r.id: r for r in rules}, signature(rules), refused)


def hits_for(e: EnrichedArticle, rule_set: RuleSet, now: datetime) -> list[Alert]:
    """The hits of one enriched article: one per rule it matches, with its matched terms."""
    if not len(rule_set.matcher):
        return []
    a = e.article
    doc = doc_for(e)  # once, for matching and for the matched terms
    out = []
    matched = rule_set.matcher.match_doc(doc)
    for rule_id in matched:
        rule = rule_set.rules[rule_id]
        out.append(
            Alert(
                id=alert_id(rule.id, a.id),
                rule_id=rule.id,
                rule_name=rule.name,
                query=rule.query,
                article_id=a.id,
                story_id=e.story_id,
                title=a.title,
                url=a.canonical_url or a.url,
                source=a.source,
                published_at=a.published_at,
                matched_at=now,
                matched_terms=matched_terms(rule_set.matcher.compiled(rule_id).query.root, doc),
            )
        )
    return out
