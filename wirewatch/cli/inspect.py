"""Read-only commands: search, stories, status, config show.

Each command imports the query language, settings and storage it uses when it runs
(see wirewatch/cli/app.py).
"""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from wirewatch.cli.common import (
    MAX_ROWS,
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    load,
    out,
    parse_when,
    print_json,
    print_problem,
    user_errors,
)
from wirewatch.cli.tables import Column, WideOpt, print_table
from wirewatch.core.errors import ConfigError
from wirewatch.core.redact import redact_text, redact_url

if TYPE_CHECKING:
    from wirewatch.runtime.context import AppContext

SinceOpt = Annotated[str | None, typer.Option(help="From this time: ISO 8601 or 24h, 7d.")]
UntilOpt = Annotated[str | None, typer.Option(help="Before this time: ISO 8601 or 24h, 7d.")]

DATE = "%Y-%m-%d %H:%M"
# Narrow terminals keep the date, the source and the title; wider ones add the rest.
SEARCH_COLUMNS = (
    Column("published", 16),
    Column("source", 16),
    Column("title", None),
    Column("entities", 28, drop_order=3),
    Column("topics", 24, drop_order=2),
    Column("story", 10, drop_order=1),
)
STORY_COLUMNS = (
    Column("articles", 8, justify="right"),
    Column("first published", 16),
    Column("title", None),
    Column("sources", 24, drop_order=2),
    Column("story", 10, drop_order=1),
)


def search(
    query: Annotated[
        str,
        typer.Argument(
            help="e.g. 'gaza AND person:gallant', '\"cease-fire\"',"
            " 'org:hamas -sport'. See docs/query-language.md."
        ),
    ],
    since: SinceOpt = None,
    until: UntilOpt = None,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_ROWS, help="At most this many, newest first.")
    ] = 20,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Search stored articles with the query language (the same one alerts use)."""
    from wirewatch.core.ports import SearchRequest
    from wirewatch.core.query import parse_query

    with user_errors():
        parsed = parse_query(query)
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with app_context(config, data_dir, command="search") as ctx:
        page = ctx.articles.search(SearchRequest(parsed, since=start, until=end, limit=limit))
    results = page.articles
    if json_out:
        print_json([_article_json(e) for e in results])
        return
    rows = [
        (
            e.article.published_at.strftime(DATE),
            e.article.source,
            e.article.title,
            ", ".join(en.name for en in sorted(e.entities, key=lambda x: -x.salience)[:4]),
            ", ".join(t.label for t in e.topics[:3]),
            e.story_id[:10],
        )
        for e in results
    ]
    print_table(SEARCH_COLUMNS, rows, wide=wide)
    out.print(f"{len(results)} articles")


def _article_json(e: Any) -> dict[str, Any]:
    a = e.article
    return {
        "id": a.id,
        "title": a.title,
        "url": a.canonical_url or a.url,
        "source": a.source,
        "published_at": a.published_at,
        "language": e.language,
        "summary": a.summary,
        "entities": e.entities,
        "topics": e.topics,
        "story_id": e.story_id,
        "notes": e.notes,
        "provenance": e.provenance,
        "feed_id": a.feed_id,
    }


def stories(
    since: SinceOpt = "24h",
    until: UntilOpt = None,
    limit: Annotated[int, typer.Option(min=1, max=MAX_ROWS, help="How many stories.")] = 10,
    min_size: Annotated[
        int, typer.Option(min=1, max=MAX_ROWS, help="Only stories with this many articles.")
    ] = 1,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """The largest stories of a period, with their sources."""
    start, end = parse_when(since, "--since"), parse_when(until, "--until")
    with app_context(config, data_dir, command="stories") as ctx:
        found = ctx.articles.stories(since=start, until=end, limit=limit, min_size=min_size)
    if json_out:
        print_json([s.__dict__ for s in found])
        return
    rows = [
        (
            str(s.size),
            s.first_published.strftime(DATE),
            s.title,
            ", ".join(s.sources),
            s.story_id[:10],
        )
        for s in found
    ]
    print_table(STORY_COLUMNS, rows, wide=wide)


def status(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False
) -> None:
    """Articles per stage, failing feeds, queue depths, alert deliveries; in distributed
    mode, consumer lag per role, messages per topic and dead letters."""
    from wirewatch.core.models import FeedStatus
    from wirewatch.runtime.embedded import STATUS_KEY
    from wirewatch.runtime.lock import current_holder

    loaded = load(config, data_dir)
    if loaded.settings.mode == "distributed":
        from wirewatch.cli.cluster import cluster_status

        cluster_status(loaded.settings.kafka, json_out)
        return
    with app_context(config, data_dir, command="status") as ctx:
        stored, index_error = _stored_count(ctx)
        rows = ctx.feeds.all()
        failing = [
            r
            for r in rows
            if r.state.last_status in {FeedStatus.ERROR, FeedStatus.DEAD, FeedStatus.GONE}
        ]
        # the snapshot's run summary quotes feed URLs and errors (redaction keeps JSON intact)
        runtime = json.loads(redact_text(ctx.journal.get_meta(STATUS_KEY) or "null"))
        holder = current_holder(ctx.data_dir)
        counts = ctx.deliveries.delivery_counts()
        if runtime:  # a runtime that was killed could not write that it stopped
            runtime["running"] = holder is not None
        report = {
            "data_dir": str(ctx.data_dir),
            "feeds": {"total": len(rows), "failing": len(failing)},
            "articles": {
                "seen": ctx.feeds.seen_count(),
                "waiting_for_enrichment": ctx.outbox.outbox_size(),
                "stored": stored,
            },
            "index_error": index_error,
            "alerts": {
                "rules": len(ctx.rules.rules()),
                "hits": ctx.hits.count_hits(),
                "deliveries": {
                    state: counts.get(state, 0)
                    for state in ("pending", "held", "delivered", "failed")
                },
            },
            "problems": ctx.journal.event_counts(),
            "failing_feeds": [
                {
                    "id": r.feed.id,
                    "url": redact_url(r.feed.url),
                    "status": r.state.last_status.value,
                    "error": r.state.last_error and redact_text(r.state.last_error),
                    "consecutive_errors": r.state.consecutive_errors,
                }
                for r in failing
            ],
            "runtime": runtime,
            "held_by": asdict(holder) if holder else None,
        }
    if json_out:
        print_json(report)
        return
    a = report["articles"]
    out.print(f"data dir   {report['data_dir']}")
    out.print(f"feeds      {len(rows)} ({len(failing)} failing)")
    out.print(
        f"articles   seen {a['seen']} · waiting for enrichment "
        f"{a['waiting_for_enrichment']} · stored {'unknown' if stored is None else stored}"
    )
    if index_error:
        out.print(f"index      {index_error}", highlight=False)
    sent = report["alerts"]["deliveries"]
    out.print(
        f"alerts     {report['alerts']['rules']} rules · hits {report['alerts']['hits']} · "
        f"deliveries pending {sent['pending']}, held for digests {sent['held']}, "
        f"delivered {sent['delivered']}, dead-lettered {sent['failed']}"
        + (" (see `wirewatch alerts deliveries --failed`)" if sent["failed"] else "")
    )
    if report["problems"]:
        out.print("problems   " + ", ".join(f"{k} {v}" for k, v in report["problems"].items()))
    if runtime:
        state = "running" if runtime.get("running") else "stopped"
        q = runtime.get("queues", {})
        out.print(
            f"runtime    {state} (pid {runtime.get('pid')}, updated "
            f"{runtime.get('updated_at')}) · queues raw {q.get('raw', 0)}/"
            f"{runtime.get('queue_capacity')} enriched {q.get('enriched', 0)}"
        )
    if holder:
        out.print(f"held by    {holder.describe()}", highlight=False)
    for f in report["failing_feeds"]:
        print_problem(f["status"], f"{f['url']}: {f['error']}")


def _stored_count(ctx: AppContext) -> tuple[int | None, str | None]:
    """Articles in the index, or None and why the index cannot say (an engine that is down
    is one line of the report, not a failed `status`)."""
    try:
        return ctx.articles.count(), None
    except ConfigError as e:
        return None, e.message


def config_show(
    config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False
) -> None:
    """The effective settings, where each came from, secrets redacted."""
    from wirewatch.core.settings import effective_view

    loaded = load(config, data_dir)
    rows = effective_view(loaded)
    if json_out:
        print_json(
            {
                "config_file": loaded.config_file,
                "settings": {k: {"value": v, "source": s} for k, v, s in rows},
            }
        )
        return
    out.print(f"config file: {loaded.config_file or '(none found; defaults)'}")
    table = Table("setting", "value", "source")
    for k, v, s in rows:
        table.add_row(k, json.dumps(v, default=str) if not isinstance(v, str) else v, s)
    out.print(table)
