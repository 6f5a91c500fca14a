"""The saved objects as NDJSON, the file format Kibana's and Dashboards' import API reads.

One object per line, keys sorted, so the committed files under deploy/ are stable and
a test can compare them with what the code generates (`scripts/kibana_objects.py`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any, Literal

from sinks.kibana import dashboards, kibana
from sinks.kibana.coverage import coverage, rule_search
from sinks.search.layout import Layout

Flavour = Literal["kibana", "opensearch"]
SavedObject = dict[str, Any]


def saved_objects(layout: Layout, flavour: Flavour) -> list[SavedObject]:
    """The data views, saved searches and the Coverage dashboard for `layout`'s indices."""
    c = coverage(layout)
    return kibana.kibana_objects(c) if flavour == "kibana" else dashboards.dashboards_objects(c)


def rule_objects(
    layout: Layout, flavour: Flavour, rule_id: str, rule_name: str, lucene: str
) -> list[SavedObject]:
    """A rule's saved search, with the article view it reads so the file imports alone."""
    search = rule_search(layout, rule_id, rule_name, lucene)
    if flavour == "kibana":
        return [kibana.data_view(search.view), kibana.saved_search(search)]
    return [dashboards.index_pattern(search.view), dashboards.saved_search(search)]


def to_ndjson(objects: Iterable[SavedObject]) -> str:
    return "".join(json.dumps(o, sort_keys=True, ensure_ascii=False) + "\n" for o in objects)
