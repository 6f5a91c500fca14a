"""`wirewatch worker`: the distributed enrich, story and match role (a faust app).

faust, Kafka and the NLP models are imported when the command runs, so `--help` and the
other commands stay fast and work without the `kafka` extra (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from wirewatch.cli.common import (
    BootstrapOpt,
    ConfigOpt,
    DataDirOpt,
    create_missing_topics,
    fail,
    load,
    setup_logging,
    user_errors,
)


def worker(
    bootstrap: BootstrapOpt = None,
    config: ConfigOpt = None,
    data_dir: DataDirOpt = None,
) -> None:
    """Enrich articles.raw, assign stories and match alert rules, until stopped.

    Start as many as articles.raw has partitions; each takes its share. One of them owns
    story assignment (a one-partition topic), so every copy of a story is seen in one
    place. faust's web server stays off.
    """
    from wirewatch.runtime.observe.server import metrics_for
    from wirewatch.runtime.worker.app import build_app

    extra = {"kafka.bootstrap_servers": bootstrap} if bootstrap is not None else {}
    settings = load(config, data_dir, extra).settings
    if settings.mode != "distributed":  # its rules would come from a topic nothing writes
        raise fail(
            "`wirewatch worker` is a role of the distributed mode, and mode is embedded",
            hint="set `mode: distributed` (docs/distributed.md), or run `wirewatch run`",
        )
    setup_logging(settings)
    with user_errors():
        create_missing_topics(settings.kafka)
        app = build_app(settings, metrics_for(settings.metrics))
    # our logging stays (redacted, text or JSON): mode would replace it with its own
    worker = app.Worker(loglevel=settings.log_level.lower(), quiet=True, override_logging=False)
    worker.execute_from_commandline()
