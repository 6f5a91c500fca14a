"""What every command shares: the --config/--data-dir options, loading, output, errors.

Settings, pydantic and the storage adapters are imported inside the functions that
use them, so importing the CLI (for `--help`) stays cheap.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from wirewatch.core.errors import WirewatchError
from wirewatch.core.redact import JsonFormatter, RedactingFormatter, redact_text

if TYPE_CHECKING:
    from wirewatch.core.settings import KafkaSettings, LoadedSettings, Settings
    from wirewatch.runtime.context import AppContext

# markup off: titles, names and queries are untrusted text, and a '[/x]' in one would
# raise MarkupError; the few styled lines opt in with markup=True and escape() their data.
out = Console(soft_wrap=True, markup=False)
err = Console(stderr=True, soft_wrap=True, markup=False)

ConfigOpt = Annotated[
    Path | None,
    typer.Option(
        "--config",
        "-c",
        help="Config file (else $WIREWATCH_CONFIG, ./wirewatch.yaml, the user config dir).",
        show_default=False,
    ),
]
DataDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="Where the embedded runtime keeps its state (overrides data_dir).",
        show_default=False,
    ),
]
BootstrapOpt = Annotated[
    str | None,
    typer.Option(
        "--bootstrap-servers", help="Kafka brokers, host:port[,…] (kafka.bootstrap_servers)."
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON for scripts.")]
RuleOpt = Annotated[str | None, typer.Option("--rule", help="Only this alert (name or id).")]

EXIT_FAILED = 1
EXIT_USAGE = 2
MAX_ROWS = 1_000_000
"""Bound of --limit and the like: above any real use, far below SQLite's 64-bit integers."""


def fail(message: str, hint: str | None = None, code: int = EXIT_USAGE) -> typer.Exit:
    """Print one `error:` line (and an optional `hint:` line), URLs in them redacted; the
    caller raises the Exit. Brackets in the text, as in `'.[kafka]'`, are text, not markup.
    """
    err.print(
        f"[bold red]error:[/] {escape(one_line(redact_text(message)))}",
        highlight=False,
        markup=True,
    )
    if hint:
        err.print(
            f"[yellow]hint:[/] {escape(one_line(redact_text(hint)))}", highlight=False, markup=True
        )
    return typer.Exit(code)


def one_line(text: str) -> str:
    """`text` with newlines, control characters and lone surrogates shown as escapes.

    Messages quote user input; a newline in it must not break the one-line error,
    and a surrogate (an undecodable byte) would make printing itself fail.
    """
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


@contextmanager
def user_errors() -> Iterator[None]:
    """Turn a WirewatchError into one clear line and a non-zero exit, not a traceback."""
    try:
        yield
    except WirewatchError as e:
        raise fail(e.message, e.hint) from None


def load(
    config: Path | None, data_dir: Path | None = None, extra: Mapping[str, Any] | None = None
) -> LoadedSettings:
    from wirewatch.core.settings import load_settings

    overrides: dict[str, Any] = dict(extra or {})
    if data_dir is not None:
        overrides["data_dir"] = str(data_dir)
    with user_errors():
        return load_settings(config, overrides=overrides)


NOT_YET_DISTRIBUTED = {
    "run": "it is the embedded runtime; run `wirewatch poll` to publish to Kafka",
    "alerts test": "try the query in embedded mode (mode: embedded) on a copy of the data",
    "alerts backfill": "backfill in embedded mode before `wirewatch migrate --to distributed`",
    "reprocess": "the distributed runtime re-enriches by replaying articles.raw from Kafka",
}
"""Commands that cannot work in distributed mode yet, and what to use instead
(docs/distributed.md has the table of every command in each mode)."""


ENGINE_READERS = frozenset({"search", "stories"})
"""Commands that read the article index, which in distributed mode is the sink's engine."""


def refuse_in_distributed_mode(loaded: LoadedSettings, command: str) -> None:
    """Exit 2 with one line when `command` cannot work in the configured mode yet."""
    if loaded.settings.mode == "distributed" and command in NOT_YET_DISTRIBUTED:
        raise fail(
            f"`wirewatch {command}` does not work in distributed mode yet: "
            f"{NOT_YET_DISTRIBUTED[command]} (docs/distributed.md)"
        )
    if (
        loaded.settings.mode == "distributed"
        and command in ENGINE_READERS
        and loaded.settings.search.engine == "sqlite"
    ):  # the data directory holds no articles then: an empty answer would mislead
        raise fail(
            f"`wirewatch {command}` in distributed mode reads the search engine the sink "
            "indexes into, and search.engine is sqlite",
            hint="set search.engine and search.urls as the sink has them",
        )


@contextmanager
def app_context(
    config: Path | None,
    data_dir: Path | None = None,
    extra: Mapping[str, Any] | None = None,
    *,
    command: str | None = None,
    sync_config: bool = True,
) -> Iterator[AppContext]:
    """Settings and stores for `command` (refused first if its mode cannot serve it)."""
    from wirewatch.runtime.context import open_context

    loaded = load(config, data_dir, extra)
    if command is not None:
        refuse_in_distributed_mode(loaded, command)
    with user_errors():
        ctx = open_context(loaded, sync_config=sync_config)
    try:
        with user_errors():
            yield ctx
    finally:
        ctx.close()


def create_missing_topics(k: KafkaSettings) -> None:
    """Create the distributed mode's topics a role reads (the broker never does, and faust
    ignores a source topic that appears later); warn about one that exists with fewer
    partitions than configured or uncompacted, and start anyway."""
    from sinks.kafka.admin import ensure_topics

    for problem in ensure_topics(k).problems:
        err.print(f"warning: {problem}", style="yellow")


def print_problem(label: str, detail: str) -> None:
    """'  LABEL detail' with the label in red; the detail is untrusted text, never markup."""
    out.print(f"  [red]{escape(label)}[/] {escape(one_line(detail))}", markup=True, highlight=False)


def setup_logging(settings: Settings) -> None:
    """Our logs at the configured level, URLs redacted, as text lines or one JSON object a
    line (`log_format: json`, for a log shipper); chatty client libraries at WARNING."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        JsonFormatter()
        if settings.log_format == "json"
        else RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    level = settings.log_level
    logging.basicConfig(level=level, handlers=[handler])
    for noisy in ("kafka", "aiokafka", "httpx", "httpcore", "trafilatura"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    # the search clients log every failed request with a traceback; the bulk sink and the
    # start-up check say once what is wrong with the engine instead
    for client in ("opensearch", "elastic_transport"):
        logging.getLogger(client).setLevel(logging.CRITICAL)


def to_jsonable(value: Any) -> Any:
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, Mapping):
        return {k: to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(to_jsonable(value), ensure_ascii=False, indent=2) + "\n")


def parse_when(text: str | None, option: str) -> datetime | None:
    """--since/--until: ISO 8601 dates/times (UTC if no offset) or relative '24h', '7d', '30m'."""
    if text is None:
        return None
    t = text.strip()
    units = {"m": 60, "h": 3600, "d": 86400, "w": 604800}
    try:
        if t[:-1].isdecimal() and t[-1:].lower() in units:
            return datetime.now(UTC) - timedelta(seconds=int(t[:-1]) * units[t[-1].lower()])
        dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
        return (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    except OverflowError:
        raise fail(
            f"{option} {text!r} is out of range: dates run from year 1 to 9999 (UTC)",
            "use a shorter span or a nearer date",
        ) from None
    except ValueError:
        raise fail(
            f"{option} {text!r} is not a date",
            "use ISO 8601 (2026-11-25, 2026-11-25T08:00Z) or a span like 24h, 7d",
        ) from None


def ago(dt: datetime | None) -> str:
    if dt is None:
        return "never"
    secs = (datetime.now(UTC) - dt).total_seconds()
    future = secs < 0
    secs = abs(secs)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if secs >= size:
            n = f"{int(secs // size)}{unit}"
            break
    else:
        n = f"{int(secs)}s"
    return f"in {n}" if future else f"{n} ago"
