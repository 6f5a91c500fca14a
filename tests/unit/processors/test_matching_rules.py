"""Rules as a stage: compiled once, a bad rule refused alone, one hit per rule and article."""

from __future__ import annotations

from processors.matching.rules import compile_rules, hits_for, signature
from tests.unit.processors.test_matching import ARTICLES, T
from wirewatch.core.ids import alert_id
from wirewatch.core.models import AlertRule


def rule(name: str, query: str, *, enabled: bool = True) -> AlertRule:
    return AlertRule(id=f"r-{name}", name=name, query=query, enabled=enabled, created_at=T)


def test_hits_name_the_rule_and_article_with_a_stable_id() -> None:
    rules = [rule("gaza", "gaza"), rule("fed", "org:fed"), rule("off", "gaza", enabled=False)]
    rule_set = compile_rules(rules)
    hits = hits_for(ARTICLES[0], rule_set, T)  # a0 is about Gaza
    assert [(h.rule_name, h.article_id) for h in hits] == [("gaza", "a0")]
    assert hits[0].id == alert_id("r-gaza", "a0") and hits[0].matched_at == T
    assert rule_set.signature == signature(rules)


def test_a_rule_that_no_longer_parses_is_refused_and_the_others_still_fire() -> None:
    rule_set = compile_rules([rule("bad", "NOT iraq"), rule("gaza", "gaza")])
    assert [(r.name, bool(reason)) for r, reason in rule_set.refused] == [("bad", True)]
    assert [h.rule_name for h in hits_for(ARTICLES[0], rule_set, T)] == ["gaza"]
