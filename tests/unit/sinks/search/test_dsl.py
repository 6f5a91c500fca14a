"""Every node of the query language compiles to the clause that means the same in the engines.

The semantics are the matcher's (processors.matching); the integration tests run
these clauses on a real OpenSearch node. Here: the shape each node compiles to.
"""

from __future__ import annotations

import pytest

from sinks.search.dsl import MATCH_NONE, compile_node
from wirewatch.core.query import And, Not, Or, Phrase, Term, parse_query


def clause(text: str) -> dict:
    return compile_node(parse_query(text).root)


def both(title: dict, text: dict) -> dict:
    return {"bool": {"should": [title, text], "minimum_should_match": 1}}


def test_a_word_is_a_phrase_of_one_on_title_or_text_so_the_engine_analyses_it():
    assert clause("Running") == both(
        {"match_phrase": {"title": {"query": "Running"}}},
        {"match_phrase": {"text": {"query": "Running"}}},
    )


def test_a_field_limits_a_word_or_phrase_to_that_column():
    assert clause('title:"cease fire"') == {"match_phrase": {"title": {"query": "cease fire"}}}
    assert clause("text:gaza") == {"match_phrase": {"text": {"query": "gaza"}}}


def test_a_prefix_is_a_prefix_query_on_the_folded_unstemmed_word():
    assert compile_node(Term("Élys", field="title", prefix=True)) == {
        "prefix": {"title.words": {"value": "elys"}}
    }


def test_a_prefix_after_words_is_an_ordered_gapless_interval_on_words_as_written():
    rules = [{"match": {"query": "cease"}}, {"prefix": {"prefix": "fi"}}]
    assert compile_node(Term("cease-fi", field="text", prefix=True)) == {
        "intervals": {
            "text.words": {"all_of": {"ordered": True, "max_gaps": 0, "intervals": rules}}
        }
    }


def test_proximity_is_an_unordered_interval_within_n_words():
    near = compile_node(Phrase("hamas israel", field="title", proximity=3))
    assert near == {
        "intervals": {
            "title": {
                "all_of": {
                    "ordered": False,
                    "max_gaps": 3,
                    "intervals": [{"match": {"query": "hamas"}}, {"match": {"query": "israel"}}],
                }
            }
        }
    }


def test_proximity_counts_words_with_one_stem_once_as_fts5_and_the_matcher_do():
    near = compile_node(Phrase("talks gaza talk", field="text", proximity=0))
    rules = near["intervals"]["text"]["all_of"]["intervals"]
    assert rules == [{"match": {"query": "talks"}}, {"match": {"query": "gaza"}}]


def test_a_value_without_words_matches_nothing():
    assert compile_node(Term("+", field="title", prefix=True)) == MATCH_NONE
    assert compile_node(Phrase("--", field="text", proximity=2)) == MATCH_NONE


def test_boolean_structure_maps_onto_bool_queries():
    a, b = Term("gaza"), Term("rafah")
    assert compile_node(And((a, b))) == {"bool": {"filter": [compile_node(a), compile_node(b)]}}
    assert compile_node(Or((a, b))) == {
        "bool": {"should": [compile_node(a), compile_node(b)], "minimum_should_match": 1}
    }
    assert compile_node(Not(a)) == {"bool": {"must_not": [compile_node(a)]}}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("lang:EN", {"term": {"language": "en"}}),
        ("story:S1", {"term": {"story_id": "s1"}}),
    ],
)
def test_exact_fields_are_term_filters_on_folded_values(text, expected):
    assert clause(text) == expected


def test_source_matches_the_domain_or_its_parents_or_words_of_the_name():
    assert clause("source:BBC.co.uk") == {
        "bool": {
            "should": [
                {"term": {"source_domains": "bbc.co.uk"}},
                {"match_phrase": {"source": {"query": "BBC.co.uk"}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_topic_matches_the_id_or_words_of_the_label():
    assert clause("topic:Politics") == {
        "bool": {
            "should": [
                {"term": {"topics.id": "politics"}},
                {"match_phrase": {"topics.label": {"query": "Politics"}}},
            ],
            "minimum_should_match": 1,
        }
    }


def test_entity_fields_search_the_names_and_aliases_of_their_types():
    assert clause("person:netanyahu") == {
        "match_phrase": {"entity_names.person": {"query": "netanyahu"}}
    }
    assert clause("place:gaza") == {"match_phrase": {"entity_names.place": {"query": "gaza"}}}
    any_type = clause("entity:hamas")["bool"]["should"]
    fields = {next(iter(c["match_phrase"])) for c in any_type}
    assert {"entity_names.person", "entity_names.org", "entity_names.place"} <= fields
    assert clause("org:un*") == {"prefix": {"entity_names.org": {"value": "un"}}}
