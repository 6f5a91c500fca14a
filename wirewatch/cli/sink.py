"""`wirewatch sink`: the distributed mode's indexing and alerting role.

Kafka, the search client and the senders are imported when the command runs, so
`--help` and the other commands stay fast (see wirewatch/cli/app.py).
"""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING

from wirewatch.cli.common import (
    BootstrapOpt,
    ConfigOpt,
    DataDirOpt,
    app_context,
    create_missing_topics,
    err,
    fail,
    load,
    out,
    setup_logging,
    user_errors,
)

if TYPE_CHECKING:
    from wirewatch.runtime.sink.app import SinkCounts
    from wirewatch.runtime.sink.build import BuiltSink


def sink(
    bootstrap: BootstrapOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Index articles.enriched in the search engine, record and deliver alerts, until stopped.

    Missing topics are created first. Offsets are committed only once what they cover
    is indexed or recorded. Hits and deliveries are kept in the data directory (`alerts
    hits`, `alerts deliveries` and the counts of `alerts list` read them there); one
    sink per data directory.
    """
    from wirewatch.runtime.lock import runtime_lock
    from wirewatch.runtime.sink.build import build_sink

    extra = {"kafka.bootstrap_servers": bootstrap} if bootstrap is not None else {}
    settings = load(config, data_dir, extra).settings
    if settings.mode != "distributed":
        raise fail(
            "`wirewatch sink` is a role of the distributed mode, and mode is embedded",
            hint="set `mode: distributed` (docs/distributed.md), or run `wirewatch run`",
        )
    if settings.search.engine == "sqlite":
        raise fail(
            "`wirewatch sink` indexes into a search engine, and search.engine is sqlite",
            hint="set search.engine to opensearch or elasticsearch, and search.urls",
        )
    setup_logging(settings)
    with user_errors():
        create_missing_topics(settings.kafka)
    with app_context(config, data_dir, extra) as ctx:
        down = ctx.start_index()
        if down is not None:
            err.print(f"warning: {down}; indexing waits until it answers", style="yellow")
        with runtime_lock(ctx.data_dir, command="wirewatch sink", now=ctx.clock.now()):
            built = build_sink(ctx)
            counts = asyncio.run(_run_with_signals(built))
    out.print(
        f"sink stopped: {counts.indexed} articles indexed, {counts.hits_new} new hits, "
        f"{counts.dead_lettered} dead letters"
    )


async def _run_with_signals(built: BuiltSink) -> SinkCounts:
    """SIGINT/SIGTERM finish (or give up) the batch in hand and stop; a second exits at once."""
    loop = asyncio.get_running_loop()
    task = asyncio.current_task()
    sink = built.sink

    def on_signal(signame: str) -> None:
        if sink.stop.is_set() and task is not None:
            err.print(f"{signame} again: exiting now; uncommitted records come again")
            task.cancel()
            return
        err.print(f"{signame}: finishing the batch in hand, then stopping")
        sink.request_stop()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal, sig.name)
    try:
        with user_errors():
            return await sink.run()
    except asyncio.CancelledError:
        return sink.counts
    finally:
        await built.aclose()
