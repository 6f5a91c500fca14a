"""`wirewatch alerts …`: keyword alerts and their hits.

Each command imports storage when it runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

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
from wirewatch.cli.tables import Column, WideOpt, print_table
from wirewatch.core.redact import redact_text, redact_url

if TYPE_CHECKING:
    from wirewatch.core.models import AlertRule

app = typer.Typer(
    help="Keyword alerts: rules in the query language, and their hits.", no_args_is_help=True
)

# Narrow terminals keep when, which alert and the title; wider ones add the rest.
HIT_COLUMNS = (
    Column("matched", 16),
    Column("alert", 16),
    Column("title", None),
    Column("delivery", 24, drop_order=2),
    Column("source", 16, drop_order=1),
)


def rule_json(rule: AlertRule) -> dict[str, Any]:
    """A rule as output shows it: credentials in its webhook URL redacted."""
    shown = rule.model_dump(mode="json")
    shown["webhook_url"] = rule.webhook_url and redact_url(rule.webhook_url)
    return shown


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
    from wirewatch.runtime.subscriptions import make_rule

    with app_context(config, data_dir) as ctx:
        rule = make_rule(name, query, webhook, ctx.clock)
        ctx.rules.add_rule(rule)
        if json_out:
            print_json(rule_json(rule))
        else:
            out.print(f"added alert {rule.name!r} ({rule.id}): {rule.query}")


@app.command("list")
def alerts_list(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False
) -> None:
    """The alert rules."""
    with app_context(config, data_dir) as ctx:
        rules = ctx.rules.rules()
        counts = {r.id: len(ctx.hits.hits(rule=r.id, limit=1_000_000)) for r in rules}
    if json_out:
        print_json([{**rule_json(r), "hits": counts[r.id]} for r in rules])
        return
    table = Table("name", "query", "webhook", "hits")
    for r in rules:
        table.add_row(r.name, r.query, redact_url(r.webhook_url or ""), str(counts[r.id]))
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
        rule = ctx.rules.remove_rule(name)
    if json_out:
        print_json({"removed": rule_json(rule)})
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
    wide: WideOpt = False,
) -> None:
    """Hits: which article fired which alert, and whether its webhook was delivered."""
    with app_context(config, data_dir) as ctx:
        hits = ctx.hits.hits(rule=rule, limit=limit)
    if json_out:
        print_json(
            [
                {
                    **h.alert.model_dump(mode="json"),
                    "delivery": h.delivery_state.value,
                    "attempts": h.attempts,
                    "last_error": h.last_error and redact_text(h.last_error),
                }
                for h in hits
            ]
        )
        return
    rows = [
        (
            h.alert.matched_at.strftime("%Y-%m-%d %H:%M"),
            h.alert.rule_name,
            h.alert.title,
            h.delivery_state.value + (f" ({redact_text(h.last_error)})" if h.last_error else ""),
            h.alert.source,
        )
        for h in hits
    ]
    print_table(HIT_COLUMNS, rows, wide=wide)
    out.print(f"{len(hits)} hits")
