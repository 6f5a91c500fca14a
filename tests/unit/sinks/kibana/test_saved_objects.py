"""The saved objects read together with the index template, as Kibana would read them.

Kibana cannot run here, so the checks are the ones an import and a dashboard load
would fail on: every reference resolves to an object in the same file (data views,
saved searches, dashboard panels), and every field a chart aggregates, a search
shows or sorts by, or a view filters time on, is mapped with a type that can do it.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sinks.kibana.export import saved_objects, to_ndjson
from sinks.search.layout import Layout

ROOT = Path(__file__).resolve().parents[4]
COMMITTED = {
    "kibana": ROOT / "deploy" / "kibana" / "wirewatch.ndjson",
    "opensearch": ROOT / "deploy" / "opensearch-dashboards" / "wirewatch.ndjson",
}
AGGREGATABLE = {"keyword", "date", "integer", "long", "float", "boolean"}
FLAVOURS = ["kibana", "opensearch"]


def _mapped(layout: Layout) -> dict[str, dict[str, str]]:
    """Index pattern -> every field its template maps (sub-fields too) -> its type."""

    def walk(props: dict[str, Any], path: str, out: dict[str, str]) -> dict[str, str]:
        for name, m in props.items():
            full = f"{path}{name}"
            if "properties" in m:
                walk(m["properties"], f"{full}.", out)
                continue
            out[full] = m["type"]
            walk(m.get("fields", {}), f"{full}.", out)
        return out

    return {p: walk(props, "", {}) for p, props in layout.existing_index_properties().items()}


def _read(flavour: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in COMMITTED[flavour].read_text("utf-8").splitlines()]


def _by_key(objects: list[dict[str, Any]]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(o["type"], o["id"]): o for o in objects}


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_committed_files_are_what_the_code_generates(flavour):
    assert COMMITTED[flavour].read_text("utf-8") == to_ndjson(saved_objects(Layout(), flavour)), (
        "regenerate them: python scripts/kibana_objects.py"
    )


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_reference_resolves_to_an_object_in_the_file(flavour):
    objects = _read(flavour)
    known = _by_key(objects)
    assert len(known) == len(objects), "two objects share a type and id"
    for o in objects:
        for ref in o["references"]:
            assert (ref["type"], ref["id"]) in known, (o["id"], ref)
        names = {r["name"] for r in o["references"]}
        meta = o["attributes"].get("kibanaSavedObjectMeta", {})
        source = json.loads(meta.get("searchSourceJSON", "{}"))
        if "indexRefName" in source:
            assert source["indexRefName"] in names, o["id"]
        if o["type"] == "dashboard":
            for panel in json.loads(o["attributes"]["panelsJSON"]):
                if "panelRefName" in panel:
                    expected = panel["panelRefName"]
                    if flavour == "kibana":
                        expected = f"{panel['panelIndex']}:{expected}"
                    assert expected in names, panel
                lens = panel.get("embeddableConfig", {}).get("attributes")
                for ref in (lens or {}).get("references", []):
                    assert f"{panel['panelIndex']}:{ref['name']}" in names, ref


def _aggregated_fields(o: dict[str, Any]) -> list[tuple[str, str]]:
    """(data view id, field) of what a chart aggregates: the Lens columns by value in a
    dashboard, or a visualization's aggs."""
    if o["type"] == "visualization":
        (view,) = [r["id"] for r in o["references"] if r["type"] == "index-pattern"]
        aggs = json.loads(o["attributes"]["visState"])["aggs"]
        return [
            (view, a["params"][k]) for a in aggs for k in ("field", "sortField") if k in a["params"]
        ]
    if o["type"] != "dashboard":
        return []
    out = []
    for panel in json.loads(o["attributes"]["panelsJSON"]):
        lens = panel.get("embeddableConfig", {}).get("attributes")
        if not lens:
            continue
        views = {r["name"]: r["id"] for r in lens["references"]}
        for layer_id, layer in lens["state"]["datasourceStates"]["formBased"]["layers"].items():
            view = views[f"indexpattern-datasource-layer-{layer_id}"]
            for col in layer["columns"].values():
                if col["sourceField"] != "___records___":
                    out.append((view, col["sourceField"]))
                if "sortField" in col.get("params", {}):
                    out.append((view, col["params"]["sortField"]))
    return out


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_every_field_used_is_mapped_and_aggregatable_where_aggregated(flavour):
    objects = _read(flavour)
    by_pattern = _mapped(Layout())
    mapped = {
        o["id"]: by_pattern[o["attributes"]["title"]]
        for o in objects
        if o["type"] == "index-pattern"
    }
    aggregated = [f for o in objects for f in _aggregated_fields(o)]
    assert {"published_at", "topics.label.keyword", "entities.person", "language"} <= {
        f for _, f in aggregated
    }
    for view, fld in aggregated:
        assert mapped[view].get(fld) in AGGREGATABLE, (view, fld, mapped[view].get(fld))
    for o in objects:
        a = o["attributes"]
        if o["type"] == "index-pattern":
            assert mapped[o["id"]][a["timeFieldName"]] == "date", o["id"]
        if o["type"] == "search":
            (view,) = [r["id"] for r in o["references"]]
            assert all(c in mapped[view] for c in a["columns"]), a["columns"]
            assert all(mapped[view][f] in AGGREGATABLE for f, _ in a["sort"]), a["sort"]


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_views_cover_the_indices_the_sink_writes(flavour):
    layout = Layout()
    views = {o["id"]: o["attributes"] for o in _read(flavour) if o["type"] == "index-pattern"}
    patterns = {v["title"] for v in views.values()}
    assert layout.articles_pattern in patterns and layout.hits_index in patterns
    assert views[f"{layout.prefix}-articles"]["timeFieldName"] == "published_at"


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_the_coverage_dashboard_shows_every_chart_and_the_latest_articles(flavour):
    objects = _read(flavour)
    (dash,) = [o for o in objects if o["type"] == "dashboard"]
    assert dash["attributes"]["title"] == "Coverage"
    titles = [o["attributes"]["title"] for o in objects if o["type"] == "visualization"]
    if flavour == "kibana":
        panels = json.loads(dash["attributes"]["panelsJSON"])
        titles = [p["title"] for p in panels if p["type"] == "lens"]
    for wanted in ("topic", "people", "organisations", "places", "sources", "Languages",
                   "stories", "Alert hits"):  # fmt: skip
        assert any(wanted in t for t in titles), (wanted, titles)
    assert any(
        r["type"] == "search" and r["id"] == "wirewatch-latest-articles" for r in dash["references"]
    )


def test_a_prefix_names_every_object_and_index():
    objects = saved_objects(Layout(prefix="news"), "kibana")
    assert all(o["id"].startswith("news-") for o in objects)
    assert {o["attributes"]["title"] for o in objects if o["type"] == "index-pattern"} == {
        "news-articles-*",
        "news-alert-hits",
    }
