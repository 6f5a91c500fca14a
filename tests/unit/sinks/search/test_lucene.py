"""Rules in Lucene query syntax: the forms the export writes, and what it refuses.

That each form finds what the rule matches is proven on the real engine
(tests/integration/test_kibana_lucene.py); here, that the text is what docs/kibana.md
shows and that a backslash in a phrase is escaped.
"""

from __future__ import annotations

import pytest

from sinks.search.lucene import QueryNotExpressible, to_lucene
from wirewatch.core.query import parse_query


@pytest.mark.parametrize(
    ("rule", "lucene"),
    [
        ("iran AND NOT sport",
         '(title:"iran" OR text:"iran") AND NOT (title:"sport" OR text:"sport")'),
        ("title:Élysée*", "title.words:elysee*"),
        ("lang:FR", 'language:"fr"'),
        ("source:bbc.co.uk", '(source_domains:"bbc.co.uk" OR source:"bbc.co.uk")'),
        ("person:gallant OR org:fed", '(entity_names.person:"gallant" OR entity_names.org:"fed")'),
        ('text:"back\\slash"', 'text:"back\\\\slash"'),
        ("gaza (NOT talks NOT run)", '(title:"gaza" OR text:"gaza") AND '
         '(NOT (title:"talks" OR text:"talks") AND NOT (title:"run" OR text:"run"))'),
    ],
)  # fmt: skip
def test_a_rule_reads_as_the_engine_search_means_it(rule, lucene):
    assert to_lucene(parse_query(rule)) == lucene


@pytest.mark.parametrize(
    ("rule", "reason"),
    [('"gaza talks"~3', "sloppy phrases"), ("cease-fi*", "prefix after several words")],
)
def test_what_lucene_cannot_say_is_refused_naming_the_part(rule, reason):
    with pytest.raises(QueryNotExpressible) as e:
        to_lucene(parse_query(rule))
    assert reason in e.value.message and "\n" not in str(e.value)
