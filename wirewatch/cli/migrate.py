"""`wirewatch migrate --to distributed`: publish the data directory's setup to Kafka.

Kafka (the `kafka` extra) is imported when the command runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from typing import Annotated

import typer

from wirewatch.cli.common import (
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    fail,
    out,
    print_json,
)


def migrate(
    to: Annotated[str, typer.Option("--to", help="The mode to move to: distributed.")],
    articles: Annotated[
        bool,
        typer.Option("--articles", help="Also re-publish every stored article to articles.raw."),
    ] = False,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Publish the data directory's feeds and alert rules to their Kafka topics (and with
    --articles its stored articles), so a distributed deployment starts with them.

    Safe to run again: everything is keyed by its id. Run `wirewatch setup` with
    mode: distributed first, so the topics exist.
    """
    if to != "distributed":
        raise fail(f"--to {to!r}: only distributed is supported", "run migrate --to distributed")
    from dataclasses import asdict

    from ingest.publish import KafkaPublisher
    from wirewatch.runtime.context import open_control_plane
    from wirewatch.runtime.migrate import migrate_to_distributed

    with app_context(config, data_dir, {"mode": "embedded"}) as ctx:
        if articles and ctx.stored is None:
            raise fail(
                "--articles re-publishes the data directory's articles, but search.engine "
                f"is {ctx.settings.search.engine}: the articles are already in that engine",
                "leave out --articles",
            )
        plane = open_control_plane(ctx.settings.kafka)
        publisher = KafkaPublisher(ctx.settings.kafka) if articles else None
        try:
            done = migrate_to_distributed(
                ctx.feeds,
                ctx.rules,
                plane.feeds,
                plane.rules,
                stored=ctx.stored,
                publish=publisher.publish if publisher else None,
            )
        finally:
            plane.close()
            if publisher:
                publisher.close()
    if json_out:
        print_json(asdict(done))
        return
    k = ctx.settings.kafka
    out.print(
        f"{done.feeds} feeds to {k.topic_feeds} ({done.feeds_added} new) · "
        f"{done.rules} alert rules to {k.topic_rules} ({done.rules_added} new)"
        + (f" · {done.articles} articles to {k.topic_raw}" if articles else "")
    )
    out.print("now set mode: distributed in the config and start `wirewatch poll`")
