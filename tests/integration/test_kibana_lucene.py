"""A rule exported to Kibana finds, on the real engine, exactly what the rule matches.

`alerts export-kibana` writes the rule as Lucene query syntax; Discover sends it as a
`query_string` with Kibana's default options (`analyze_wildcard: true`). Here that
string runs on OpenSearch over the differential corpus and must return the articles
the rule's own matcher picks; a rule Lucene cannot say (proximity, a prefix after
several words) must be refused instead.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from hypothesis import given, settings
from opensearchpy import OpenSearch

from processors.matching import compile_rule, doc_for
from sinks.search.lucene import QueryNotExpressible, to_lucene
from tests.integration import test_search_differential as differential
from wirewatch.core.query import parse_query

CORPUS, queries = differential.CORPUS, differential.queries
engine = differential.engine  # the fixture that indexes CORPUS on OpenSearch


@pytest.fixture(scope="module")
def client(opensearch_url: str, engine: object) -> Iterator[OpenSearch]:
    c = OpenSearch(opensearch_url, timeout=30)
    yield c
    c.close()


def _found(client: OpenSearch, lucene: str) -> set[str]:
    body = {
        "query": {"query_string": {"query": lucene, "analyze_wildcard": True}},
        "size": len(CORPUS) + 1,
        "_source": False,
    }
    return {
        h["_id"] for h in client.search(index="differential-articles", body=body)["hits"]["hits"]
    }


@settings(max_examples=300, deadline=None)
@given(text=queries)
def test_the_exported_query_finds_what_the_rule_matches(text, client):
    query = parse_query(text)
    try:
        lucene = to_lucene(query)
    except QueryNotExpressible:
        assert "~" in text or "-" in text, text  # only proximity and multi-word prefixes
        return
    rule = compile_rule(text)
    expected = {e.id for e in CORPUS if rule.matches(doc_for(e))}
    assert _found(client, lucene) == expected, (text, lucene)


def test_a_group_of_negations_means_everything_but_them(client):
    # a purely negative group matches nothing in plain Lucene; the export relies on the
    # engines' query_string reading it as "everything but", as the rule means it
    text = "gaza (NOT talks NOT run)"
    rule = compile_rule(text)
    expected = {e.id for e in CORPUS if rule.matches(doc_for(e))}
    assert expected and _found(client, to_lucene(parse_query(text))) == expected
