"""Kibana saved objects: data views, saved searches and a dashboard of Lens charts by value.

Written in the format of Kibana's own sample data (Kibana 8.11 and later, 9.x):
`coreMigrationVersion` 8.8.0 with each type's migration version, so Kibana migrates
them forward on import. A Lens chart lives inside the dashboard (by value); its data
view references are lifted to the dashboard as `<panelIndex>:<name>`, as Kibana
stores them. Queries are Lucene syntax (see `sinks.search.lucene`).
"""

from __future__ import annotations

import json
from typing import Any

from sinks.kibana.coverage import Chart, Coverage, Search, View

SavedObject = dict[str, Any]

CORE_MIGRATION = "8.8.0"
TYPE_MIGRATION = {"index-pattern": "7.11.0", "search": "7.9.3", "dashboard": "8.7.0"}
PANEL_VERSION = "8.11.0"
LAYER = "layer1"
INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"
GRID_WIDTH = 48
CHART_HEIGHT = 12
_LUCENE_ALL = {"query": "", "language": "lucene"}


def _object(
    kind: str, id_: str, attributes: dict[str, Any], refs: list[dict[str, str]]
) -> SavedObject:
    return {
        "type": kind,
        "id": id_,
        "attributes": attributes,
        "references": refs,
        "coreMigrationVersion": CORE_MIGRATION,
        "typeMigrationVersion": TYPE_MIGRATION[kind],
        "managed": False,
    }


def data_view(view: View) -> SavedObject:
    """A data view; `url` is shown as a link in Discover and tables."""
    return _object(
        "index-pattern",
        view.id,
        {
            "title": view.pattern,
            "name": view.name,
            "timeFieldName": view.time_field,
            "fieldFormatMap": json.dumps({"url": {"id": "url"}}),
            "fieldAttrs": "{}",
            "fields": "[]",
            "runtimeFieldMap": "{}",
            "typeMeta": "{}",
        },
        [],
    )


def saved_search(search: Search) -> SavedObject:
    source = {
        "query": {**_LUCENE_ALL, "query": search.query},
        "filter": [],
        "indexRefName": INDEX_REF,
    }
    return _object(
        "search",
        search.id,
        {
            "title": search.title,
            "description": search.description,
            "columns": list(search.columns),
            "sort": [[search.view.time_field, "desc"]],
            "kibanaSavedObjectMeta": {"searchSourceJSON": json.dumps(source)},
        },
        [{"type": "index-pattern", "id": search.view.id, "name": INDEX_REF}],
    )


def _count() -> dict[str, Any]:
    return {
        "label": "Articles",
        "dataType": "number",
        "operationType": "count",
        "sourceField": "___records___",
        "isBucketed": False,
        "scale": "ratio",
        "params": {"emptyAsNull": True},
    }


def _terms(fld: str, size: int, order_by: str) -> dict[str, Any]:
    return {
        "label": f"Top {size} values of {fld}",
        "dataType": "string",
        "operationType": "terms",
        "sourceField": fld,
        "isBucketed": True,
        "scale": "ordinal",
        "params": {
            "size": size,
            "orderBy": {"type": "column", "columnId": order_by},
            "orderDirection": "desc",
            "otherBucket": False,
            "missingBucket": False,
        },
    }


def _columns(chart: Chart) -> dict[str, dict[str, Any]]:
    """Lens columns by id: `x` the bucketed field, `y` the count, then split or label."""
    cols: dict[str, dict[str, Any]] = {}
    if chart.kind == "timeline":
        cols["x"] = {
            "label": chart.field,
            "dataType": "date",
            "operationType": "date_histogram",
            "sourceField": chart.field,
            "isBucketed": True,
            "scale": "interval",
            "params": {"interval": "auto", "includeEmptyRows": True, "dropPartials": False},
        }
        if chart.split:
            cols["split"] = _terms(chart.split, chart.size, "y")
    else:
        cols["x"] = _terms(chart.field, chart.size, "y")
    cols["y"] = _count()
    if chart.label:
        cols["label"] = {
            "label": f"Latest {chart.label}",
            "dataType": "string",
            "operationType": "last_value",
            "sourceField": chart.label,
            "isBucketed": False,
            "scale": "ordinal",
            "params": {"sortField": chart.view.time_field},
        }
    return cols


def _visualization(chart: Chart) -> tuple[str, dict[str, Any]]:
    """The Lens visualization type and state for a chart's columns."""
    layer: dict[str, Any] = {"layerId": LAYER, "layerType": "data"}
    if chart.kind == "donut":
        pie = {
            **layer,
            "primaryGroups": ["x"],
            "metrics": ["y"],
            "numberDisplay": "percent",
            "categoryDisplay": "default",
            "legendDisplay": "default",
            "nestedLegend": False,
        }
        return "lnsPie", {"shape": "donut", "layers": [pie]}
    if chart.kind == "table":
        columns = [{"columnId": c} for c in ("x", "y", "label") if c != "label" or chart.label]
        return "lnsDatatable", {**layer, "columns": columns}
    series = "bar_stacked" if chart.kind == "timeline" else "bar_horizontal"
    layer |= {
        "seriesType": series,
        "xAccessor": "x",
        "accessors": ["y"],
    }
    if chart.split:
        layer["splitAccessor"] = "split"
    legend = {"isVisible": bool(chart.split), "position": "right"}
    return "lnsXY", {
        "preferredSeriesType": series,
        "legend": legend,
        "valueLabels": "hide",
        "layers": [layer],
    }


def lens_attributes(chart: Chart) -> dict[str, Any]:
    """A chart as Lens attributes (what a `lens` saved object or a by-value panel holds)."""
    cols = _columns(chart)
    vis_type, visualization = _visualization(chart)
    return {
        "title": chart.title,
        "type": "lens",
        "visualizationType": vis_type,
        "references": [
            {
                "type": "index-pattern",
                "id": chart.view.id,
                "name": f"indexpattern-datasource-layer-{LAYER}",
            }
        ],
        "state": {
            "datasourceStates": {
                "formBased": {"layers": {LAYER: {"columnOrder": list(cols), "columns": cols}}}
            },
            "visualization": visualization,
            "query": _LUCENE_ALL,
            "filters": [],
        },
    }


def grid(n: int, charts: int) -> dict[str, int]:
    """Where the n-th panel goes: charts two per row, in order, then one table below them."""
    if n >= charts:
        return {"x": 0, "y": (charts + 1) // 2 * CHART_HEIGHT, "w": GRID_WIDTH, "h": 18}
    half = GRID_WIDTH // 2
    return {"x": (n % 2) * half, "y": (n // 2) * CHART_HEIGHT, "w": half, "h": CHART_HEIGHT}


def dashboard(c: Coverage) -> SavedObject:
    """The Coverage dashboard: the charts two by two, then the latest articles."""
    panels: list[dict[str, Any]] = []
    refs: list[dict[str, str]] = []
    for n, chart in enumerate(c.charts):
        index = chart.key
        attributes = lens_attributes(chart)
        panels.append(
            {
                "version": PANEL_VERSION,
                "type": "lens",
                "gridData": {**grid(n, len(c.charts)), "i": index},
                "panelIndex": index,
                "embeddableConfig": {"attributes": attributes, "enhancements": {}},
                "title": chart.title,
            }
        )
        refs += [{**r, "name": f"{index}:{r['name']}"} for r in attributes["references"]]
    table = "latest"
    panels.append(
        {
            "version": PANEL_VERSION,
            "type": "search",
            "gridData": {**grid(len(c.charts), len(c.charts)), "i": table},
            "panelIndex": table,
            "embeddableConfig": {"enhancements": {}},
            "panelRefName": f"panel_{table}",
            "title": c.latest_articles.title,
        }
    )
    refs.append({"type": "search", "id": c.latest_articles.id, "name": f"{table}:panel_{table}"})
    return _object("dashboard", c.dashboard_id, dashboard_attributes(c, panels), refs)


def dashboard_attributes(c: Coverage, panels: list[dict[str, Any]]) -> dict[str, Any]:
    """The dashboard's attributes around its panels, the same in Kibana and Dashboards:
    the last seven days, refreshed every minute, no query of its own."""
    return {
        "title": c.dashboard_title,
        "description": "What the feeds covered: topics, names, sources, languages, "
        "stories and alert hits over the chosen time.",
        "panelsJSON": json.dumps(panels),
        "optionsJSON": json.dumps({"useMargins": True, "hidePanelTitles": False}),
        "timeRestore": True,
        "timeFrom": "now-7d",
        "timeTo": "now",
        "refreshInterval": {"pause": False, "value": 60000},
        "kibanaSavedObjectMeta": {
            "searchSourceJSON": json.dumps({"query": _LUCENE_ALL, "filter": []})
        },
    }


def kibana_objects(c: Coverage) -> list[SavedObject]:
    """Every object, referenced ones first (the order Kibana's own exports use)."""
    return [
        data_view(c.articles),
        data_view(c.hits),
        saved_search(c.latest_articles),
        saved_search(c.latest_hits),
        dashboard(c),
    ]
