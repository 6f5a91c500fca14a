"""`wirewatch alerts …`: keyword alerts and their hits."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from wirewatch.cli.common import (
    MAX_ROWS,
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    out,
    print_json,
)
from wirewatch.runtime.subscriptions import make_rule

app = typer.Typer(
    help="Keyword alerts: rules in the query language, and their hits.", no_args_is_help=True
)


@app.command("add")
def alerts_add(
    name: Annotated[str, typer.Argument(help="A unique name for the alert.")],
    query: Annotated[str, typer.Argument(help="A query, e.g. 'person:gallant AND \"rafah\"'.")],
    webhook: Annotated[
        str | None, typer.Option(help="POST each hit here (HMAC-signed JSON).")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add an alert: every new article matching QUERY records a hit (once per article)."""
    with app_context(config, data_dir) as ctx:
        rule = make_rule(name, query, webhook, ctx.clock)
        ctx.alerts.add_rule(rule)
        if json_out:
            print_json(rule)
        else:
            out.print(f"added alert {rule.name!r} ({rule.id}): {rule.query}")


@app.command("list")
def alerts_list(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False
) -> None:
    """The alert rules."""
    with app_context(config, data_dir) as ctx:
        rules = ctx.alerts.rules()
        counts = {r.id: len(ctx.alerts.hits(rule=r.id, limit=1_000_000)) for r in rules}
    if json_out:
        print_json([{**r.model_dump(mode="json"), "hits": counts[r.id]} for r in rules])
        return
    table = Table("name", "query", "webhook", "hits")
    for r in rules:
        table.add_row(r.name, r.query, r.webhook_url or "", str(counts[r.id]))
    out.print(table)


@app.command("rm")
def alerts_rm(
    name: Annotated[str, typer.Argument(help="The alert's name or id.")],
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Remove an alert (its recorded hits stay)."""
    with app_context(config, data_dir) as ctx:
        rule = ctx.alerts.remove_rule(name)
    if json_out:
        print_json({"removed": rule})
    else:
        out.print(f"removed alert {rule.name!r}")


@app.command("hits")
def alerts_hits(
    rule: Annotated[
        str | None, typer.Option("--rule", help="Only this alert (name or id).")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_ROWS, help="At most this many, newest first.")
    ] = 50,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Hits: which article fired which alert, and whether its webhook was delivered."""
    with app_context(config, data_dir) as ctx:
        hits = ctx.alerts.hits(rule=rule, limit=limit)
    if json_out:
        print_json(
            [
                {
                    **h.alert.model_dump(mode="json"),
                    "delivery": h.delivery_state.value,
                    "attempts": h.attempts,
                    "last_error": h.last_error,
                }
                for h in hits
            ]
        )
        return
    table = Table("matched", "alert", "title", "source", "delivery")
    for h in hits:
        a = h.alert
        table.add_row(
            a.matched_at.strftime("%Y-%m-%d %H:%M"),
            a.rule_name,
            a.title,
            a.source,
            h.delivery_state.value + (f" ({h.last_error})" if h.last_error else ""),
        )
    out.print(table)
    out.print(f"{len(hits)} hits")
