"""`wirewatch run`: the embedded pipeline, with progress and a summary.

The runtime (and with it the `nlp` extra) is imported when the command runs (see
wirewatch/cli/app.py).
"""

from __future__ import annotations

import asyncio
import shlex
import signal
import sys
from typing import TYPE_CHECKING, Annotated, Any

import typer

from wirewatch.cli.common import (
    EXIT_FAILED,
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    err,
    out,
    print_json,
    print_problem,
    setup_logging,
    user_errors,
)

if TYPE_CHECKING:
    from wirewatch.runtime.context import AppContext
    from wirewatch.runtime.embedded import RunSummary


def run(
    once: Annotated[
        bool,
        typer.Option(
            "--once", help="Poll every feed once, drain the pipeline, print a summary and exit."
        ),
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress display.")] = False,
) -> None:
    """Run the pipeline in this process: poll → enrich → index → match alerts → notify.

    Exits 0 when the pipeline ran, even if some feeds failed (they are named in the summary
    and in `wirewatch feeds list`); non-zero only when it could not run at all.
    """
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
    )

    from wirewatch.runtime.build import build_embedded
    from wirewatch.runtime.lock import runtime_lock
    from wirewatch.runtime.observe.server import metrics_for

    with app_context(config, data_dir, command="run") as ctx:
        _start_index(ctx, once)  # before the lock: a refused engine leaves the data dir as is
        with runtime_lock(ctx.data_dir, command=_command_line(), now=ctx.clock.now()):
            setup_logging(ctx.settings)
            if not ctx.feeds.all():
                err.print(
                    "no feeds yet: add one with `wirewatch feeds add URL` or list them under "
                    "`feeds:` in the config file",
                    style="yellow",
                )
            show = not (json_out or quiet) and out.is_terminal
            with Progress(
                TextColumn("{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=err,
                disable=not show,
            ) as bar:
                feeds_task = bar.add_task("feeds polled", total=None)
                stored_task = bar.add_task("articles stored", total=None)

                def progress(event: str, data: dict[str, Any]) -> None:
                    if event == "feeds_total":
                        bar.update(feeds_task, total=data["count"])
                    elif event == "feed_polled":
                        bar.advance(feeds_task)
                    elif event == "stored":
                        bar.advance(stored_task, data["count"])

                with user_errors():
                    metrics = metrics_for(ctx.settings.metrics)
                    pipeline = build_embedded(ctx, progress=progress, metrics=metrics)
                    summary = asyncio.run(_run_with_signals(pipeline, once))
    if json_out:
        print_json(summary.to_dict())
    else:
        _print_summary(summary)
    if summary.interrupted and not once:
        raise typer.Exit(0)
    if summary.feeds_polled == 0 and summary.feeds_failed and not summary.articles_stored:
        raise typer.Exit(EXIT_FAILED)


def _start_index(ctx: AppContext, once: bool) -> None:
    """Connect to the index: bad credentials or a URL that is no engine exit 2 here; an
    engine that is down is one warning, and the run polls into the outbox meanwhile."""
    with user_errors():
        down = ctx.start_index()
    if down:
        err.print(
            f"warning: {down}; polling goes on, articles wait in the outbox and are "
            "indexed once the engine is back",
            highlight=False,
        )
        if once:  # a --once run does not wait for the engine to come back
            ctx.store.stop_waiting()


def _command_line() -> str:
    """This command as the user typed it, for the refusal a second runtime prints."""
    return shlex.join(["wirewatch", *sys.argv[1:]])


async def _run_with_signals(pipeline: Any, once: bool) -> RunSummary:
    """SIGINT/SIGTERM stop polling and drain what was accepted; a second one exits at once."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()

    def on_signal(signame: str) -> None:
        if pipeline.stop.is_set():
            err.print(f"{signame} again: exiting now; unfinished work resumes on the next run")
            if task is not None:
                task.cancel()
            return
        err.print(
            f"{signame}: finishing accepted articles, then stopping (send again to exit at once)"
        )
        pipeline.stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig.name)
    from wirewatch.runtime.observe.server import serving

    try:
        async with serving(pipeline.ctx.settings.metrics, pipeline.metrics, pipeline.readiness()):
            return await pipeline.run(once=once)
    except asyncio.CancelledError:
        pipeline.summary.interrupted = True
        return pipeline.summary
    finally:
        await pipeline.aclose()


def _print_summary(s: RunSummary) -> None:
    out.print(
        f"polled {s.feeds_polled} feeds ({s.feeds_ok} ok, {s.feeds_not_modified} not modified, "
        f"{len(s.feeds_failed)} failed) · {s.articles_new} new, {s.articles_updated} updated"
        + (
            f", {s.articles_recovered} recovered from an earlier run"
            if s.articles_recovered
            else ""
        )
        + f" · {s.articles_stored} stored"
        + (
            f" · {s.articles_waiting_for_index} wait for the search engine (kept in the "
            "outbox; the next run indexes them)"
            if s.articles_waiting_for_index
            else ""
        )
        + f" · {s.hits_new} new alert hits"
        + (
            f" · deliveries: {s.deliveries_ok} delivered, {s.deliveries_failed} dead-lettered, "
            f"{s.deliveries_pending} pending"
            if (s.deliveries_ok or s.deliveries_failed or s.deliveries_pending)
            else ""
        )
        + f" · {s.seconds:.1f}s"
    )
    for f in s.feeds_failed:
        print_problem("failed", f"{f['url']}: {f['error']}")
