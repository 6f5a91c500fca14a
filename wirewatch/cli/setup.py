"""`wirewatch setup`: prepare the configured search engine (templates, policies).

The engine's client is imported by the context factory only when `search.engine`
names one (see wirewatch/cli/app.py), so `--help` stays light.
"""

from __future__ import annotations

from wirewatch.cli.common import ConfigOpt, DataDirOpt, JsonOpt, app_context, out, print_json


def setup(config: ConfigOpt = None, data_dir: DataDirOpt = None, json_out: JsonOpt = False) -> None:
    """Create the search engine's index templates and retention policy; safe to run again.

    With search.engine: sqlite (the default) there is nothing to set up: the embedded
    index is created with the data directory.
    """
    with app_context(config, data_dir) as ctx:
        engine = ctx.settings.search.engine
        steps = ctx.setup_index() if ctx.setup_index else []
    if json_out:
        print_json({"engine": engine, "steps": steps})
        return
    if not steps:
        out.print(
            f"search.engine is {engine}: nothing to set up "
            "(the embedded index lives in the data directory)"
        )
        return
    for line in steps:
        out.print(line)
    out.print(f"{engine} is ready: `wirewatch run` indexes there, `wirewatch search` reads it")
