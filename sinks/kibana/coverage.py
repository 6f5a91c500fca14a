"""What the Kibana and Dashboards objects show, said once for both formats.

The data views, saved searches and the Coverage dashboard's charts are described
here in the index layout's own field names; `kibana` renders them as Kibana 8.11+/9
objects (Lens), `dashboards` as OpenSearch Dashboards objects (visualizations). The
ids derive from the layout's prefix, so importing again overwrites instead of adding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sinks.search.layout import Layout

ChartKind = Literal["timeline", "bars", "donut", "table"]


@dataclass(frozen=True)
class View:
    """A data view (index pattern): which indices, and the field time filters use."""

    id: str
    pattern: str
    name: str
    time_field: str


@dataclass(frozen=True)
class Search:
    """A saved search: the newest documents of a view, these columns, this query."""

    id: str
    title: str
    view: View
    columns: tuple[str, ...]
    query: str = ""
    description: str = ""


@dataclass(frozen=True)
class Chart:
    """One dashboard chart: documents counted per value of `field`.

    `split` breaks a timeline down by a second field; `label` adds, in a table, the
    newest value of another field (a story's latest title)."""

    key: str
    title: str
    view: View
    kind: ChartKind
    field: str
    split: str | None = None
    label: str | None = None
    size: int = 10


@dataclass(frozen=True)
class Coverage:
    """Every object of one deployment: views, searches, the dashboard's charts."""

    articles: View
    hits: View
    latest_articles: Search
    latest_hits: Search
    charts: tuple[Chart, ...]
    dashboard_id: str
    dashboard_title: str = "Coverage"


def coverage(layout: Layout) -> Coverage:
    """The objects for `layout`'s indices."""
    p = layout.prefix
    articles = View(f"{p}-articles", layout.articles_pattern, "Wirewatch articles", "published_at")
    hits = View(f"{p}-alert-hits", layout.hits_index, "Wirewatch alert hits", "matched_at")
    charts = (
        Chart("topics", "Articles over time by topic", articles, "timeline", "published_at",
              split="topics.label.keyword"),
        Chart("people", "Top people", articles, "bars", "entities.person"),
        Chart("orgs", "Top organisations", articles, "bars", "entities.org"),
        Chart("places", "Top places", articles, "bars", "entities.place"),
        Chart("sources", "Top sources", articles, "bars", "source.keyword"),
        Chart("languages", "Languages", articles, "donut", "language"),
        Chart("stories", "Largest stories (articles per story)", articles, "table", "story_id",
              label="title.keyword", size=20),
        Chart("alerts", "Alert hits over time by alert", hits, "timeline", "matched_at",
              split="rule_name"),
    )  # fmt: skip
    return Coverage(
        articles=articles,
        hits=hits,
        latest_articles=Search(
            f"{p}-latest-articles",
            "Latest articles",
            articles,
            ("title", "source", "language", "url"),
            description="Every article, newest first, with a link to it.",
        ),
        latest_hits=Search(
            f"{p}-latest-alert-hits",
            "Alert hits",
            hits,
            ("rule_name", "title", "source", "url", "delivery_state"),
            description="Every alert hit, newest first.",
        ),
        charts=charts,
        dashboard_id=f"{p}-coverage",
    )


def rule_search(layout: Layout, rule_id: str, rule_name: str, lucene: str) -> Search:
    """The saved search of one alert rule: its query, over the article view."""
    c = coverage(layout)
    return Search(
        f"{layout.prefix}-alert-{rule_id}",
        f"Alert: {rule_name}",
        c.articles,
        c.latest_articles.columns,
        query=lucene,
        description=f"Articles the alert {rule_name!r} matches (exported by wirewatch).",
    )
