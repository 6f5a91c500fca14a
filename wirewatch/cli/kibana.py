"""`wirewatch kibana import` and `wirewatch alerts export-kibana`: saved objects for
Kibana or OpenSearch Dashboards (docs/kibana.md).

The objects are generated for the configured `search.index_prefix`, so they name the
indices this deployment writes. httpx and the generators are imported when a
command runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from wirewatch.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    fail,
    load,
    out,
    print_json,
    user_errors,
)
from wirewatch.core.redact import redact_url

if TYPE_CHECKING:
    from sinks.search.layout import Layout
    from wirewatch.core.settings import Settings

app = typer.Typer(
    help="Kibana and OpenSearch Dashboards: load the data views, searches and dashboard.",
    no_args_is_help=True,
)

DashboardsOpt = Annotated[
    Literal["kibana", "opensearch"],
    typer.Option(
        "--dashboards",
        help="kibana (8.11+, 9.x) or opensearch (OpenSearch Dashboards 2.x, 3.x).",
    ),
]


def _layout(settings: Settings) -> Layout:
    from sinks.search.engine import layout_for

    return layout_for(settings.search)


@app.command("import")
def kibana_import(
    url: Annotated[
        str, typer.Option("--url", help="Kibana's address, e.g. http://localhost:5601.")
    ],
    api_key: Annotated[
        str | None,
        typer.Option("--api-key", envvar="KIBANA_API_KEY", help="An API key (base64 id:key)."),
    ] = None,
    user: Annotated[str | None, typer.Option("--user", help="Basic auth user.")] = None,
    password: Annotated[
        str | None,
        typer.Option("--password", envvar="KIBANA_PASSWORD", help="Basic auth password."),
    ] = None,
    space: Annotated[
        str | None, typer.Option("--space", help="A Kibana space (else the default space).")
    ] = None,
    dashboards: DashboardsOpt = "kibana",
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Load the data views, saved searches and the Coverage dashboard; safe to run
    again (objects are overwritten by id)."""
    from sinks.kibana.export import saved_objects, to_ndjson
    from sinks.kibana.importer import Target, import_ndjson

    if api_key and user:
        raise fail("give --api-key or --user, not both")
    if user and not password:
        raise fail("--user needs --password (or $KIBANA_PASSWORD)")
    if space and dashboards == "opensearch":
        raise fail("--space is Kibana's: OpenSearch Dashboards has no spaces")
    objects = saved_objects(_layout(load(config).settings), dashboards)
    target = Target(url, dashboards, space, api_key, user, password)
    with user_errors():
        imported = import_ndjson(target, to_ndjson(objects))
    board = next(o["id"] for o in objects if o["type"] == "dashboard")
    at = f"{url.rstrip('/')}{f'/s/{space}' if space else ''}/app/dashboards#/view/{board}"
    if json_out:
        print_json(
            {
                "url": redact_url(url),
                "dashboards": dashboards,
                "space": space,
                "imported": imported,
                "objects": [{"type": o["type"], "id": o["id"]} for o in objects],
                "dashboard": redact_url(at),
            }
        )
        return
    out.print(f"imported {imported} saved objects into {target.product} at {redact_url(url)}")
    out.print(f"Coverage dashboard: {redact_url(at)}")


def alerts_export_kibana(
    name: Annotated[str, typer.Argument(help="The alert's name or id.")],
    out_file: Annotated[
        Path | None, typer.Option("--out", help="Write the NDJSON here (else to stdout).")
    ] = None,
    dashboards: DashboardsOpt = "kibana",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Turn an alert into a saved search (its query in Lucene syntax) with the article
    data view it reads, as NDJSON to import in Kibana or Dashboards."""
    from sinks.kibana.export import rule_objects, to_ndjson
    from sinks.search.lucene import to_lucene
    from wirewatch.core.errors import unknown_rule
    from wirewatch.core.query import parse_query

    with app_context(config, data_dir) as ctx:
        rule = ctx.rules.get_rule(name)
        if rule is None:
            raise unknown_rule(name)
        layout = _layout(ctx.settings)
    with user_errors():
        lucene = to_lucene(parse_query(rule.query))
    ndjson = to_ndjson(rule_objects(layout, dashboards, rule.id, rule.name, lucene))
    if out_file is None:
        sys.stdout.write(ndjson)
        return
    try:
        out_file.write_text(ndjson, encoding="utf-8")
    except OSError as e:
        raise fail(f"cannot write {out_file}: {e.strerror or e}") from None
    out.print(f"wrote the saved search of alert {rule.name!r} to {out_file}: {lucene}")
