"""Matched terms: what fired, as a reader of an alert would want to see it."""

from __future__ import annotations

import pytest

from processors.matching import doc_for
from processors.matching.explain import matched_terms
from processors.matching.rules import compile_rules, hits_for
from tests.unit.processors.test_matching import ARTICLES, T
from tests.unit.processors.test_matching_rules import rule
from wirewatch.core.query import parse_query

GAZA = ARTICLES[0]  # "Gallant and Austin discuss Rafah", Yoav Gallant, Gaza, conflict topic


def terms(query: str, article_index: int = 0) -> list[str]:
    return matched_terms(parse_query(query).root, doc_for(ARTICLES[article_index]))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("title:rafah", ["title:rafah"]),
        ('person:"Yoav Gallant" AND gaza', ["person:yoav gallant", "gaza"]),
        ("ceasefire OR gaza OR rafah", ["gaza", "rafah"]),  # only the true children of an OR
        ("gaza AND NOT iraq", ["gaza"]),  # an absence fired nothing
        ('"Yoav Gallant" OR Gaz*', ["yoav gallant", "gaz*"]),
        ("Gaza gaza GAZA", ["gaza"]),  # deduplicated, folded
        (
            'topic:"conflict, war and peace" AND (pentagon OR cairo)',
            [
                "topic:conflict, war and peace",
                "pentagon",
            ],
        ),
        ("org:pentagon AND source:bbc.co.uk", ["org:pentagon", "source:bbc.co.uk"]),
    ],
)
def test_the_true_positive_leaves_in_query_order(query: str, expected: list[str]) -> None:
    assert terms(query) == expected


def test_a_rule_that_does_not_match_explains_nothing() -> None:
    assert terms("ceasefire AND gaza") == []


def test_a_huge_or_is_capped() -> None:
    words = ["gaza", "rafah", "gallant", "austin", "pentagon", "israel", "crisis", "defense"]
    assert terms(" OR ".join(words), 0) == words
    assert len(matched_terms(parse_query(" OR ".join(words)).root, doc_for(GAZA), cap=3)) == 3


def test_hits_carry_their_matched_terms() -> None:
    rule_set = compile_rules([rule("gaza", "gaza OR cairo"), rule("fed", "org:fed")])
    assert [(h.rule_name, h.matched_terms) for h in hits_for(GAZA, rule_set, T)] == [
        ("gaza", ["gaza"])
    ]
    assert [h.matched_terms for h in hits_for(ARTICLES[1], rule_set, T)] == [["cairo"]]
