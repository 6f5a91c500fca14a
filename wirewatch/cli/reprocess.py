"""`wirewatch reprocess`: re-enrich stored articles with the current enrichment.

spaCy and the index's client are imported when the command runs (see app.py).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

import typer

from wirewatch.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    err,
    fail,
    out,
    parse_when,
    print_json,
    setup_logging,
    user_errors,
)
from wirewatch.cli.inspect import SinceOpt


def reprocess(
    since: SinceOpt = None,
    where: Annotated[
        str | None,
        typer.Option("--where", help="Only the stored articles this query matches."),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Re-enrich stored articles whose provenance is not the current enrichment's, and
    re-index them; hits already recorded are not alerted again.

    Safe to stop and run again: articles already re-enriched are skipped.
    """
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from wirewatch.core.query import parse_query
    from wirewatch.runtime.build import EnricherAdapter, build_enricher
    from wirewatch.runtime.lock import runtime_lock
    from wirewatch.runtime.reprocess import Reprocessed, by_id, by_search
    from wirewatch.runtime.reprocess import reprocess as run_reprocess

    with user_errors():
        query = parse_query(where) if where is not None else None
    start = parse_when(since, "--since")
    with app_context(config, data_dir, command="reprocess") as ctx:
        stored = ctx.stored
        if query is not None:
            selected = by_search(ctx.articles, query, start)
        elif stored is not None:
            selected = by_id(stored, ctx.articles, start)
        else:
            raise fail(
                "with a search engine as the index, reprocess needs --where QUERY",
                "e.g. --where 'lang:en'",
            )
        with runtime_lock(ctx.data_dir, command="wirewatch reprocess", now=ctx.clock.now()):
            setup_logging(ctx.settings)
            if (down := ctx.start_index()) is not None:
                raise fail(f"the index cannot be reached: {down}", "start it and run again")
            enricher = build_enricher(ctx)
            try:
                show = not json_out and out.is_terminal
                with Progress(
                    TextColumn("{task.description}"),
                    BarColumn(),
                    TextColumn("{task.fields[detail]}"),
                    TimeElapsedColumn(),
                    console=err,
                    disable=not show,
                ) as bar:
                    task = bar.add_task("articles examined", total=None, detail="")

                    def progress(done: Reprocessed) -> None:
                        bar.update(
                            task,
                            completed=done.examined,
                            detail=f"{done.reenriched} re-enriched, {done.current} current",
                        )

                    done = asyncio.run(
                        run_reprocess(
                            selected,
                            EnricherAdapter(enricher),
                            ctx.store,
                            ctx.rules,
                            ctx.clock.now,
                            progress,
                        )
                    )
            finally:
                enricher.close()
    if json_out:
        print_json({"since": start, "where": where, **vars(done)})
        return
    out.print(
        f"{done.examined} stored articles examined: {done.reenriched} re-enriched and "
        f"re-indexed, {done.current} already current; {done.new_hits} new hits"
    )
