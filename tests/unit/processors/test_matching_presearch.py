"""The presearcher fires exactly what the naive matcher fires, evaluating far fewer rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.matching import Matcher, doc_for
from processors.matching.presearch import Presearcher, PresearchMatcher, doc_keys
from tests.alert_workload import GENERATOR, generate, load_articles, load_rules
from tests.conftest import CORPORA, require
from tests.unit.processors.test_matching import ARTICLES, QUERIES
from wirewatch.core.query import parse_query

EXTRA = [
    "talks AND NOT cairo",
    "(gaza AND pentagon) OR (markets AND inflation)",
    "(gaza OR cairo) AND (talks OR crisis)",
    '"humanitarian crisis"',
    '"yoav gallant" AND NOT "lloyd austin"',
    '"gallant austin"~3',
    "econom*",
    "econom* AND talks",
    "cease-fi*",
    "title:cease-fi* OR title:rally",
    "org:fed*",
    "person:gall* OR source:npr",
    "source:bbc.co.uk",
    "source:co.uk AND NOT sport",
    'source:"al jazeera"',
    "lang:fr",
    "topic:politics",
    'topic:"medtop:16000000"',
    "place:berlin AND economic",
    "story:story1",
    "talks AND NOT (cairo OR rafah)",
    "NOT gaza AND economic AND berlin",
    "(gaza OR cairo) AND NOT title:talks",
    "talks AND (cairo AND NOT hamas)",
    "talks AND NOT (cairo AND hamas)",
    'talks AND NOT "cairo as"',
    "NOT NOT talks AND cairo",
    "gaza AND crisis AND pentagon AND austin AND gallant",
    "title:rafah AND text:gaza",
    "(talks OR (markets AND rates)) AND NOT crisis",
]


def fired(matcher: Matcher) -> dict[str, list[str]]:
    return {a.article.id: matcher.match(a) for a in ARTICLES}


@pytest.mark.parametrize("query", QUERIES + EXTRA)
def test_the_presearcher_fires_what_the_naive_matcher_fires(query: str) -> None:
    assert fired(PresearchMatcher([("r", query)])) == fired(Matcher([("r", query)]))


def test_a_rule_is_only_evaluated_for_articles_that_carry_its_key() -> None:
    index = Presearcher()
    index.add("gaza", parse_query("gaza AND crisis").root)
    index.add("not", parse_query("cairo AND NOT gaza").root)
    index.add("prefix", parse_query("econom*").root)
    gaza, cairo = (doc_keys(doc_for(a)) for a in ARTICLES[:2])
    assert index.candidates(gaza) == ["gaza", "prefix"]  # 'cairo' is not in article 0
    assert index.candidates(cairo) == ["not", "prefix"]  # a prefix is always evaluated


def test_and_indexes_one_branch_or_indexes_all() -> None:
    index = Presearcher()
    index.add("and", parse_query("talks AND (cairo OR rafah)").root)
    markets = doc_keys(doc_for(ARTICLES[2]))  # no talks, no Cairo, no Rafah
    assert index.candidates(markets) == []


def test_a_candidate_carries_a_key_of_every_posted_clause() -> None:
    index = Presearcher()
    index.add("both", parse_query("gaza AND cairo").root)  # no article has both
    index.add("phrase", parse_query('"cairo gaza"').root)  # every word of a phrase is needed
    assert [index.candidates(doc_keys(doc_for(a))) for a in ARTICLES[:2]] == [[], []]


def test_a_negated_word_the_article_carries_drops_the_rule() -> None:
    index = Presearcher()
    index.add("veto", parse_query("talks AND NOT (hamas OR rafah)").root)
    index.add("nested", parse_query("talks AND (cairo AND NOT hamas)").root)
    index.add("kept", parse_query("talks AND NOT (cairo AND hamas)").root)  # not one clause
    assert index.candidates(doc_keys(doc_for(ARTICLES[1]))) == ["kept"]  # talks, Cairo, Hamas


def test_keys_alone_fire_one_word_rules_and_phrases_are_evaluated() -> None:
    index = Presearcher()
    index.add("words", parse_query("(talks OR rally) AND NOT gaza AND title:cairo").root)
    index.add("phrase", parse_query('"talks resume"').root)
    index.add("cease-fire", parse_query("cease-fire").root)  # two words: a phrase
    fired, unsure = index.presearch(doc_keys(doc_for(ARTICLES[1])))
    assert (fired, unsure) == ({"words"}, {"phrase", "cease-fire"})


def test_rules_are_replaced_and_removed_without_a_rebuild() -> None:
    m = PresearchMatcher([("a", "gaza"), ("b", "cairo"), ("c", "talks")])
    assert m.match(ARTICLES[1]) == ["b", "c"]
    m.add("a", "hamas")  # replaced: it now fires on article 1, still first in order
    assert m.match(ARTICLES[1]) == ["a", "b", "c"]
    assert m.match(ARTICLES[0]) == []
    m.remove("b")
    m.remove("missing")
    assert m.match(ARTICLES[1]) == ["a", "c"]
    assert len(m) == 2
    m.add("c", "talks AND NOT cairo")  # its veto replaced with its postings
    assert m.match(ARTICLES[1]) == ["a"]
    m.add("c", "talks")
    assert m.match(ARTICLES[1]) == ["a", "c"]


def test_the_shared_workload_matches_identically_at_1k_rules(tmp_path: Path) -> None:
    require(GENERATOR.is_file(), f"alert workload generator not found at {GENERATOR}")
    require((CORPORA / "news_topics").is_dir(), f"news corpora not found at {CORPORA}")
    docs, rules = generate(tmp_path, CORPORA, docs=5000, rules=1000)
    articles, pairs = load_articles(docs), load_rules(rules)
    naive, presearch = Matcher(pairs), PresearchMatcher(pairs)
    assert len(presearch) == 1000
    expected = [naive.match(a) for a in articles]
    differ = [
        a.article.id for a, e in zip(articles, expected, strict=True) if presearch.match(a) != e
    ]
    assert differ == [], f"{len(differ)} of {len(articles)} documents differ: {differ[:5]}"
    assert sum(map(len, expected)) > 3000  # the rules do fire (1.4 matches per document)
