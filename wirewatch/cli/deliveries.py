"""`wirewatch alerts deliveries` and `alerts retry`: each channel of each hit, and dead letters.

A hit is delivered once per destination of its rule (webhook, Slack, each e-mail
address); each delivery is retried with backoff and, after `notify.max_attempts`
or a permanent error, dead-lettered (state failed) until `alerts retry` puts it
back. Targets are shown redacted: a Slack webhook's path is its secret.
Storage is imported when a command runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from wirewatch.cli.common import (
    MAX_ROWS,
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    RuleOpt,
    app_context,
    out,
    print_json,
)
from wirewatch.cli.tables import Column, WideOpt, print_table
from wirewatch.core.redact import redact_target, redact_text

if TYPE_CHECKING:
    from wirewatch.core.records import Delivery

DELIVERY_COLUMNS = (
    Column("matched", 16),
    Column("alert", 16),
    Column("channel", 7),
    Column("state", 9),
    Column("title", None),
    Column("target", 32, drop_order=2),
    Column("attempts", 8, drop_order=3, justify="right"),
    Column("last error", 24, drop_order=1),
)

_MARK = {"delivered": "✓", "failed": "✗", "pending": "…"}


def delivery_json(d: Delivery) -> dict[str, Any]:
    """One delivery as output shows it (the alert apart): its target and error redacted."""
    return {
        "channel": d.channel.value,
        "target": redact_target(d.channel, d.target),
        "state": d.state.value,
        "attempts": d.attempts,
        "last_error": d.last_error and redact_text(d.last_error),
        "next_attempt_at": d.next_attempt_at,
        "delivered_at": d.delivered_at,
    }


def delivery_summary(deliveries: list[Delivery]) -> str:
    """A hit's deliveries on one line: 'webhook ✓, slack ✗ (HTTP 404)'; 'none' without any."""
    parts = []
    for d in deliveries:
        part = f"{d.channel.value} {_MARK.get(d.state.value, d.state.value)}"
        if d.last_error and d.state.value != "delivered":
            part += f" ({redact_text(d.last_error)})"
        parts.append(part)
    return ", ".join(parts) or "none"


def alerts_deliveries(
    failed: Annotated[
        bool, typer.Option("--failed", help="Only dead letters (retry them with `alerts retry`).")
    ] = False,
    rule: RuleOpt = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_ROWS, help="At most this many, newest hit first.")
    ] = 50,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Deliveries per channel: pending (retries due), delivered, failed (dead letters)."""
    with app_context(config, data_dir, command="alerts deliveries") as ctx:
        found = ctx.deliveries.deliveries(rule=rule, failed_only=failed, limit=limit)
    if json_out:
        print_json(
            [
                {
                    "alert_id": d.alert.id,
                    "rule": d.alert.rule_name,
                    "title": d.alert.title,
                    "matched_at": d.alert.matched_at,
                    **delivery_json(d),
                }
                for d in found
            ]
        )
        return
    rows = [
        (
            d.alert.matched_at.strftime("%Y-%m-%d %H:%M"),
            d.alert.rule_name,
            d.channel.value,
            d.state.value,
            d.alert.title,
            redact_target(d.channel, d.target),
            str(d.attempts),
            redact_text(d.last_error or ""),
        )
        for d in found
    ]
    print_table(DELIVERY_COLUMNS, rows, wide=wide)
    out.print(f"{len(found)} {'dead-lettered ' if failed else ''}deliveries")


def alerts_retry(
    name: Annotated[
        str | None, typer.Argument(help="Only this alert's dead letters (name or id).")
    ] = None,
    alert_id: Annotated[
        str | None, typer.Option("--id", help="Only this hit's (its alert id).")
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Put dead-lettered deliveries back to pending: a running `run` sends them within
    seconds, else the next run does."""
    from wirewatch.core.errors import unknown_rule

    with app_context(config, data_dir, command="alerts retry") as ctx:
        if name is not None and ctx.rules.get_rule(name) is None:
            raise unknown_rule(name)
        count = ctx.deliveries.retry_failed(now=ctx.clock.now(), rule=name, alert_id=alert_id)
    if json_out:
        print_json({"retried": count})
    else:
        out.print(f"{count} dead-lettered deliveries put back to pending")
