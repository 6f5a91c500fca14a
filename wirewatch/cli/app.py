"""The `wirewatch` command.

The command modules import only typer, rich and the option types at the top; each
command imports its adapters (SQLite, Kafka, spaCy…) when it runs, so `--help` and
`--version` stay fast and a command whose optional extra is missing fails alone.
"""

from __future__ import annotations

import typer

from wirewatch import __version__
from wirewatch.cli import (
    alerts,
    deadletters,
    feeds,
    inspect,
    kibana,
    migrate,
    poll,
    reprocess,
    run,
    setup,
    sink,
    worker,
)
from wirewatch.cli.group import CheckedGroup

app = typer.Typer(
    name="wirewatch",
    help="Watch news feeds, enrich and index every article, fire keyword alerts.\n\n"
    "Every command takes --config (else $WIREWATCH_CONFIG, ./wirewatch.yaml, the user "
    "config dir) and --help.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
    add_completion=False,
    cls=CheckedGroup,
)
app.add_typer(feeds.app, name="feeds")
app.add_typer(alerts.app, name="alerts")
app.add_typer(deadletters.app, name="deadletters")
app.add_typer(kibana.app, name="kibana")
app.command("run")(run.run)
app.command("poll")(poll.poll)
app.command("worker")(worker.worker)
app.command("sink")(sink.sink)
app.command("search")(inspect.search)
app.command("stories")(inspect.stories)
app.command("status")(inspect.status)
app.command("setup")(setup.setup)
app.command("migrate")(migrate.migrate)
app.command("reprocess")(reprocess.reprocess)

config_app = typer.Typer(help="Inspect the settings.", no_args_is_help=True)
config_app.command("show")(inspect.config_show)
app.add_typer(config_app, name="config")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"wirewatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Wirewatch: streaming news monitoring."""


def main() -> None:
    app()


if __name__ == "__main__":
    main()
