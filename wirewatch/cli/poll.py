"""`wirewatch poll`: the distributed ingest role — poll feeds, publish to Kafka.

Kafka (the `kafka` extra) is imported when the command runs, so the other commands
work on a plain install (see wirewatch/cli/app.py).
"""

from __future__ import annotations

import asyncio
import signal
from typing import TYPE_CHECKING, Annotated

import typer

from wirewatch.cli.common import (
    BootstrapOpt,
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    err,
    load,
    out,
    print_json,
    print_problem,
    setup_logging,
    user_errors,
)

if TYPE_CHECKING:
    from wirewatch.runtime.poller import KafkaPoller, PollSummary


def poll(
    once: Annotated[
        bool, typer.Option("--once", help="Poll every feed of this poller once, publish, and exit.")
    ] = False,
    bootstrap: BootstrapOpt = None,
    index: Annotated[
        int | None,
        typer.Option("--index", min=0, help="This poller's number (kafka.poller_index)."),
    ] = None,
    count: Annotated[
        int | None,
        typer.Option(
            "--count", min=1, help="How many pollers split the feeds (kafka.poller_count)."
        ),
    ] = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Poll feeds and publish each new or updated article to Kafka (topic articles.raw).

    Several pollers split the feed list by a stable hash of the feed id (--index/--count),
    so no two poll the same feed. A feed's state advances only after Kafka acknowledged
    its articles.
    """
    from ingest.publish import KafkaPublisher
    from sinks.kafka.admin import ensure_topics
    from wirewatch.core.clock import SystemClock
    from wirewatch.runtime.build import build_fetcher, build_parser
    from wirewatch.runtime.poller import KafkaPoller

    extra = {
        k: v
        for k, v in {
            "kafka.bootstrap_servers": bootstrap,
            "kafka.poller_index": index,
            "kafka.poller_count": count,
        }.items()
        if v is not None
    }
    loaded = load(config, data_dir, extra)
    settings = loaded.settings
    setup_logging(settings)
    with user_errors():
        # first: in distributed mode the poller reads its feeds from the `feeds` topic
        try:
            problems = ensure_topics(settings.kafka).problems
        except Exception as e:  # the broker may come later; publishing retries per feed
            if settings.mode == "distributed":
                raise  # but the feed list is on the broker
            problems = [str(e)]
        for problem in problems:
            err.print(f"warning: {problem}", style="yellow")
        clock = SystemClock()
        publisher = KafkaPublisher(settings.kafka)
        poller = KafkaPoller(
            settings,
            config_dir=loaded.config_file.parent if loaded.config_file else None,
            clock=clock,
            fetcher=build_fetcher(settings, clock),
            parse=build_parser(settings),
            publisher=publisher,
        )
        summary = asyncio.run(_run(poller, once))
    if json_out:
        print_json(summary.to_dict())
    else:
        out.print(
            f"polled {summary.feeds_polled} feeds · {summary.articles_published} articles "
            f"published · {summary.publish_failures} feeds not published (retried later)"
            f" · {len(summary.feeds_failed)} feeds failed"
        )
        for f in summary.feeds_failed:
            print_problem("failed", f"{f['url']}: {f['error']}")


async def _run(poller: KafkaPoller, once: bool) -> PollSummary:
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, poller.stop.set)
    return await poller.run(once=once)
