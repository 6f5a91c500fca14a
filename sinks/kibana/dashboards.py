"""OpenSearch Dashboards saved objects: index patterns, saved searches, visualizations.

Dashboards (2.x and 3.x) has no Lens and no data views: the same charts are classic
`visualization` objects (a `visState` of aggregations) referenced by the dashboard as
`panel_<n>`, and the views are `index-pattern` objects. Saved searches have the same
shape as Kibana's. What is shown comes from `sinks.kibana.coverage`, as for Kibana.
"""

from __future__ import annotations

import json
from typing import Any

from sinks.kibana import kibana
from sinks.kibana.coverage import Chart, Coverage, Search, View
from sinks.kibana.kibana import INDEX_REF, grid

SavedObject = dict[str, Any]

VIS_TYPE = {"timeline": "histogram", "bars": "horizontal_bar", "donut": "pie", "table": "table"}


def index_pattern(view: View) -> SavedObject:
    return {
        "type": "index-pattern",
        "id": view.id,
        "attributes": {
            "title": view.pattern,
            "timeFieldName": view.time_field,
            "fieldFormatMap": json.dumps({"url": {"id": "url"}}),
        },
        "references": [],
    }


def _source() -> str:
    return json.dumps(
        {"query": {"query": "", "language": "lucene"}, "filter": [], "indexRefName": INDEX_REF}
    )


def saved_search(search: Search) -> SavedObject:
    """Kibana's saved search without Kibana's migration versions, which Dashboards lacks."""
    obj = kibana.saved_search(search)
    return {k: obj[k] for k in ("type", "id", "attributes", "references")}


def _aggs(chart: Chart) -> list[dict[str, Any]]:
    """The count, the bucketed field, then the split (timeline) or the latest label (table)."""
    aggs: list[dict[str, Any]] = [{"id": "1", "type": "count", "schema": "metric", "params": {}}]
    if chart.kind == "timeline":
        aggs.append(
            {
                "id": "2",
                "type": "date_histogram",
                "schema": "segment",
                "params": {"field": chart.field, "interval": "auto", "min_doc_count": 1},
            }
        )
    else:
        schema = {"donut": "segment", "table": "bucket", "bars": "segment"}[chart.kind]
        aggs.append(_terms("2", schema, chart.field, chart.size))
    if chart.split:
        aggs.append(_terms("3", "group", chart.split, chart.size))
    if chart.label:
        aggs.append(
            {
                "id": "3",
                "type": "top_hits",
                "schema": "metric",
                "params": {
                    "field": chart.label,
                    "aggregate": "concat",
                    "size": 1,
                    "sortField": chart.view.time_field,
                    "sortOrder": "desc",
                },
            }
        )
    return [{**a, "enabled": True} for a in aggs]


def _terms(id_: str, schema: str, fld: str, size: int) -> dict[str, Any]:
    return {
        "id": id_,
        "type": "terms",
        "schema": schema,
        "params": {"field": fld, "size": size, "order": "desc", "orderBy": "1"},
    }


def visualization(chart: Chart, id_: str) -> SavedObject:
    vis_type = VIS_TYPE[chart.kind]
    params: dict[str, Any] = {"type": vis_type}
    if chart.kind == "donut":
        params["isDonut"] = True
    vis_state = {"title": chart.title, "type": vis_type, "params": params, "aggs": _aggs(chart)}
    return {
        "type": "visualization",
        "id": id_,
        "attributes": {
            "title": chart.title,
            "visState": json.dumps(vis_state),
            "uiStateJSON": "{}",
            "description": "",
            "kibanaSavedObjectMeta": {"searchSourceJSON": _source()},
        },
        "references": [{"type": "index-pattern", "id": chart.view.id, "name": INDEX_REF}],
    }


def dashboards_objects(c: Coverage) -> list[SavedObject]:
    """Every object, referenced ones first: views, searches, charts, the dashboard."""
    charts = [visualization(ch, f"{c.dashboard_id}-{ch.key}") for ch in c.charts]
    targets = [*charts, saved_search(c.latest_articles)]
    panels = []
    for n in range(len(targets)):
        index = str(n + 1)
        g = grid(n, len(charts))
        panels.append(
            {
                "panelIndex": index,
                "gridData": {**g, "i": index},
                "embeddableConfig": {},
                "panelRefName": f"panel_{n}",
            }
        )
    dashboard = {
        "type": "dashboard",
        "id": c.dashboard_id,
        "attributes": kibana.dashboard_attributes(c, panels),
        "references": [
            {"type": t["type"], "id": t["id"], "name": f"panel_{n}"} for n, t in enumerate(targets)
        ],
    }
    return [
        index_pattern(c.articles),
        index_pattern(c.hits),
        *targets,
        saved_search(c.latest_hits),
        dashboard,
    ]
