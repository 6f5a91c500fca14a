"""`wirewatch setup`: prepare the configured search engine (templates, policies) and, in
distributed mode, the Kafka topics.

The engine's client is imported by the context factory only when `search.engine`
names one, and Kafka's only in distributed mode (see wirewatch/cli/app.py), so
`--help` stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wirewatch.cli.common import (
    EXIT_FAILED,
    ConfigOpt,
    DataDirOpt,
    JsonOpt,
    app_context,
    err,
    out,
    print_json,
    user_errors,
)

if TYPE_CHECKING:
    from wirewatch.core.settings import Settings


def setup(config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False) -> None:
    """Create the search engine's index templates and retention policy and, with
    mode: distributed, the Kafka topics; safe to run again.

    With search.engine: sqlite (the default) there is nothing to set up for the index:
    it is created with the data directory. An existing topic with fewer partitions than
    configured, or a control topic that is not compacted, is reported (exit status 1).
    """
    with app_context(config, data_dir, sync_config=False) as ctx:
        engine = ctx.settings.search.engine
        steps = ctx.setup_index() if ctx.setup_index else []
        distributed = ctx.settings.mode == "distributed"
        topics, problems = _topics(ctx.settings) if distributed else ([], [])
    if json_out:
        kafka = {"topics": topics, "problems": problems} if distributed else {}
        print_json({"engine": engine, "steps": steps, **kafka})
    else:
        _report(engine, steps, topics, problems)
    if problems:
        raise SystemExit(EXIT_FAILED)


def _topics(settings: Settings) -> tuple[list[str], list[str]]:
    from sinks.kafka.admin import ensure_topics

    with user_errors():
        report = ensure_topics(settings.kafka)
    return report.lines, report.problems


def _report(engine: str, steps: list[str], topics: list[str], problems: list[str]) -> None:
    for line in [*steps, *topics]:
        out.print(line)
    for problem in problems:
        err.print(f"problem: {problem}", style="yellow", highlight=False)
    if steps:
        out.print(f"{engine} is ready: `wirewatch run` indexes there, `wirewatch search` reads it")
    else:
        out.print(
            f"search.engine is {engine}: nothing to set up "
            "(the embedded index lives in the data directory)"
        )
    if topics and not problems:
        out.print("the topics are ready: `wirewatch feeds add` and `wirewatch poll` use them")
