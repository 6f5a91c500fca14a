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
    RuleOpt,
    app_context,
    out,
    parse_when,
    print_json,
    user_errors,
)
from wirewatch.cli.deliveries import (
    alerts_deliveries,
    alerts_retry,
    delivery_json,
    delivery_summary,
)
from wirewatch.cli.kibana import alerts_export_kibana
from wirewatch.cli.tables import Column, WideOpt, print_table
from wirewatch.core.redact import redact_secret_path, redact_target, redact_url

if TYPE_CHECKING:
    from pathlib import Path

    from wirewatch.core.models import AlertRule, EnrichedArticle
    from wirewatch.core.records import HitRow

app = typer.Typer(
    help="Keyword alerts: rules in the query language, their hits and deliveries.",
    no_args_is_help=True,
)
app.command("deliveries")(alerts_deliveries)
app.command("retry")(alerts_retry)
app.command("export-kibana")(alerts_export_kibana)

NameArg = Annotated[str, typer.Argument(help="The alert's name or id.")]
SinceOpt = Annotated[
    str, typer.Option(help="Stored articles published since: ISO 8601 or 24h, 7d.")
]

# Narrow terminals keep when, which alert and the title; wider ones add the rest,
# the matched terms last.
HIT_COLUMNS = (
    Column("when", 16),
    Column("alert", 16),
    Column("title", None),
    Column("delivery", 32, drop_order=3),
    Column("source", 16, drop_order=2),
    Column("matched", 24, drop_order=1),
)


def rule_json(rule: AlertRule) -> dict[str, Any]:
    """A rule as output shows it: credentials in its webhook URL and the secret path of
    its Slack URL redacted."""
    shown = rule.model_dump(mode="json")
    shown["webhook_url"] = rule.webhook_url and redact_url(rule.webhook_url)
    shown["slack_url"] = rule.slack_url and redact_secret_path(rule.slack_url)
    return shown


def _channels(rule: AlertRule) -> str:
    """Where a rule sends, redacted, one channel after another."""
    return ", ".join(f"{ch} {redact_target(ch, t)}" for ch, t in rule.destinations())


def _pacing(rule: AlertRule) -> str:
    """How a rule's hits go out: each at once, throttled, or in digests."""
    if rule.digest != "off":
        return f"{rule.digest} digest"
    if rule.throttle_per_hour is not None:
        return f"≤ {rule.throttle_per_hour}/hour, then a digest"
    return "each at once"


@app.command("add")
def alerts_add(
    name: Annotated[str, typer.Argument(help="A unique name for the alert.")],
    query: Annotated[str, typer.Argument(help="A query, e.g. 'person:gallant AND \"rafah\"'.")],
    webhook: Annotated[
        str | None, typer.Option(help="POST each hit here (HMAC-signed JSON).")
    ] = None,
    slack: Annotated[
        str | None, typer.Option(help="Post each hit to this Slack incoming-webhook URL.")
    ] = None,
    email: Annotated[
        list[str] | None,
        typer.Option("--email", help="E-mail each hit to this address (repeatable)."),
    ] = None,
    throttle: Annotated[
        int | None,
        typer.Option(
            min=1, help="At most N single messages per hour; the rest in one digest at the hour."
        ),
    ] = None,
    digest: Annotated[
        str, typer.Option(help="off, hourly or daily: one message per period listing the hits.")
    ] = "off",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Add an alert: new articles matching QUERY fire it once per story, delivered to each
    channel given (at once, or in digests)."""
    from wirewatch.runtime.subscriptions import make_rule

    with app_context(config, data_dir) as ctx:
        rule = make_rule(
            name,
            query,
            webhook,
            ctx.clock,
            slack=slack,
            emails=email or [],
            throttle_per_hour=throttle,
            digest=digest,
        )
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
        # distributed: the hits are in the sink's data directory, counted for the rules
        # its sink copied there (`-` elsewhere: run with the sink's config on its machine)
        here = {r.id for r in (ctx.hit_rules or ctx.rules).rules()}
        counts = {
            r.id: len(ctx.hits.hits(rule=r.id, limit=MAX_ROWS)) if r.id in here else None
            for r in rules
        }
    if json_out:
        print_json([{**rule_json(r), "hits": counts[r.id]} for r in rules])
        return
    table = Table("name", "query", "state", "channels", "pacing", "hits")
    for r in rules:
        hits = counts[r.id]
        table.add_row(
            r.name, r.query, _state(r), _channels(r), _pacing(r), "-" if hits is None else str(hits)
        )
    out.print(table)


def _state(rule: AlertRule) -> str:
    return "active" if rule.enabled else "paused"


def _set_enabled(
    name: str, enabled: bool, config: Path | None, data_dir: Path | None, json_out: bool
) -> None:
    from wirewatch.runtime.subscriptions import set_rule_enabled

    with app_context(config, data_dir) as ctx:
        rule = set_rule_enabled(ctx.rules, name, enabled=enabled)
    if json_out:
        print_json(rule_json(rule))
    else:
        out.print(f"alert {rule.name!r} is {_state(rule)}")


@app.command("pause")
def alerts_pause(
    name: NameArg,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Pause an alert: it records no hits until resumed (a running `run` sees it at once)."""
    _set_enabled(name, False, config, data_dir, json_out)


@app.command("resume")
def alerts_resume(
    name: NameArg,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Resume a paused alert: new articles record hits again (missed ones do not)."""
    _set_enabled(name, True, config, data_dir, json_out)


@app.command("test")
def alerts_test(
    query: Annotated[str, typer.Argument(help="The query to try, as `alerts add` takes it.")],
    since: SinceOpt = "7d",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Preview a query before saving it: stored articles it matches, per day, newest five."""
    from wirewatch.core.query import parse_query
    from wirewatch.runtime.preview import PREVIEW_CAP, preview

    with user_errors():
        parsed = parse_query(query)
    start = parse_when(since, "--since")
    with app_context(config, data_dir, command="alerts test") as ctx:
        found = preview(ctx.articles, parsed, start)
    if json_out:
        print_json(
            {
                "query": query,
                "since": start,
                "matched": found.matched,
                "capped": found.capped,
                "per_day": [
                    {"day": d.isoformat(), "articles": n} for d, n in found.per_day.items()
                ],
                "samples": [_sample_json(e) for e in found.samples],
            }
        )
        return
    table = Table("day", "articles")
    for d, n in found.per_day.items():
        table.add_row(d.isoformat(), str(n))
    out.print(table)
    for e in found.samples:
        out.print(f"{e.article.published_at:%Y-%m-%d %H:%M}  {e.article.source}  {e.article.title}")
    more = f" (the newest {PREVIEW_CAP:,} counted; more matched)" if found.capped else ""
    out.print(f"{found.matched} articles since {since}{more}")


@app.command("backfill")
def alerts_backfill(
    name: NameArg,
    since: SinceOpt = "7d",
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Record what an alert would have matched among stored articles; `run` delivers it.

    Copies of a story fold into its first alert, and articles that alerted before are
    not recorded again, so running it twice records nothing new.
    """
    from wirewatch.core.errors import unknown_rule
    from wirewatch.runtime.backfill import backfill
    from wirewatch.runtime.preview import PREVIEW_CAP

    start = parse_when(since, "--since")
    with user_errors(), app_context(config, data_dir, command="alerts backfill") as ctx:
        rule = ctx.rules.get_rule(name)
        if rule is None:
            raise unknown_rule(name)
        done = backfill(rule, ctx.articles, ctx.hits, start, ctx.clock.now())
    if json_out:
        print_json({"alert": rule.name, "since": start, **vars(done)})
        return
    more = f" (the newest {PREVIEW_CAP:,} only; more matched)" if done.capped else ""
    out.print(
        f"{rule.name}: {done.matched} articles matched since {since}{more}; "
        f"{done.new_hits} new hits, {done.folded} folded into a story's first alert, "
        f"{done.already} already alerted"
    )
    if done.new_hits:
        out.print("`wirewatch run` delivers the new hits to the alert's destinations")


def _sample_json(e: EnrichedArticle) -> dict[str, Any]:
    a = e.article
    return {
        "id": a.id,
        "title": a.title,
        "source": a.source,
        "published_at": a.published_at,
        "url": a.canonical_url or a.url,
    }


@app.command("rm")
def alerts_rm(
    name: NameArg,
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


def _delivery(h: HitRow) -> str:
    """A folded copy names the alert it was counted in; others their delivery state."""
    if h.folded_into is not None:
        return f"folded into {h.folded_into.title}"
    return delivery_summary(h.deliveries)


@app.command("hits")
def alerts_hits(
    rule: RuleOpt = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_ROWS, help="At most this many, newest first.")
    ] = 50,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Hits: which article fired which alert on which terms, and how each channel's
    delivery stands. A copy of a story that already alerted is listed as folded into
    that first alert.
    """
    with app_context(config, data_dir, command="alerts hits") as ctx:
        hits = ctx.hits.hits(rule=rule, limit=limit)
    if json_out:
        print_json(
            [
                {
                    **h.alert.model_dump(mode="json"),
                    "deliveries": [delivery_json(d) for d in h.deliveries],
                    "folded_into": h.folded_into and vars(h.folded_into),
                }
                for h in hits
            ]
        )
        return
    rows = [
        (
            h.alert.matched_at.strftime("%Y-%m-%d %H:%M"),
            h.alert.rule_name,
            ("update: " if h.alert.kind == "update" else "") + h.alert.title,
            _delivery(h),
            h.alert.source,
            ", ".join(h.alert.matched_terms),
        )
        for h in hits
    ]
    print_table(HIT_COLUMNS, rows, wide=wide)
    out.print(f"{len(hits)} hits")
