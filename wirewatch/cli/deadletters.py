"""`wirewatch deadletters …`: what the distributed stages could not read or process.

Kafka (the `kafka` extra) is imported when a command runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from wirewatch.cli.common import (
    MAX_ROWS,
    ConfigOpt,
    JsonOpt,
    fail,
    load,
    out,
    print_json,
    user_errors,
)
from wirewatch.cli.tables import Column, WideOpt, print_table

if TYPE_CHECKING:
    from sinks.kafka.deadletters import StoredDeadLetter
    from wirewatch.core.settings import KafkaSettings

app = typer.Typer(
    help="Dead letters of the distributed mode: messages a stage could not process.",
    no_args_is_help=True,
)

COLUMNS = (
    Column("id", 8),
    Column("at", 16),
    Column("reason", None),
    Column("source", 24, drop_order=3),
    Column("key", 32, drop_order=2),
    Column("stage", 10, drop_order=1),
)


def _kafka(config: Any) -> KafkaSettings:
    loaded = load(config)
    if loaded.settings.mode != "distributed":
        raise fail(
            "dead letters are kept on Kafka, in distributed mode only: set mode: distributed "
            "(in embedded mode, failed deliveries are in `wirewatch alerts deliveries --failed`)"
        )
    return loaded.settings.kafka


def _json(s: StoredDeadLetter) -> dict[str, Any]:
    from wirewatch.core.messages import decode_key

    d = s.letter
    return {
        "id": s.id,
        "source_topic": d.source_topic,
        "partition": d.partition,
        "offset": d.offset,
        "key": decode_key(d.key),
        "stage": d.stage,
        "reason": d.reason,
        "at": d.at,
        "value_bytes": len(d.value or b""),
    }


@app.command("list")
def deadletters_list(
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_ROWS, help="At most this many, the newest.")
    ] = 50,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
    wide: WideOpt = False,
) -> None:
    """Dead letters, oldest first: where each came from, its key and why it failed."""
    from sinks.kafka.deadletters import list_dead_letters

    k = _kafka(config)
    with user_errors():
        letters = list_dead_letters(k)[-limit:]
    rows = [_json(s) for s in letters]
    if json_out:
        print_json(rows)
        return
    print_table(
        COLUMNS,
        [
            (
                r["id"],
                r["at"].strftime("%Y-%m-%d %H:%M"),
                r["reason"],
                f"{r['source_topic']} {r['partition']}-{r['offset']}",
                r["key"] or "",
                r["stage"],
            )
            for r in rows
        ],
        wide=wide,
    )
    out.print(f"{len(rows)} dead letters")


@app.command("replay")
def deadletters_replay(
    ids: Annotated[
        list[str] | None,
        typer.Option("--id", help="The dead letter to put back (repeatable; see `list`)."),
    ] = None,
    replay_all: Annotated[
        bool, typer.Option("--all", help="Put back every dead letter the topic keeps.")
    ] = False,
    config: ConfigOpt = None,
    json_out: JsonOpt = False,
) -> None:
    """Put dead letters back on the topic they came from, as they were first received;
    one that fails again is dead-lettered again by its stage."""
    from sinks.kafka.deadletters import list_dead_letters, replay

    if bool(ids) == replay_all:
        raise fail("give --id ID (repeatable) or --all", "see `wirewatch deadletters list`")
    k = _kafka(config)
    with user_errors():
        stored = list_dead_letters(k)
        if not replay_all:
            known = {s.id: s for s in stored}
            unknown = [i for i in ids or [] if i not in known]
            if unknown:
                raise fail(
                    f"no dead letter with id {', '.join(map(repr, unknown))}",
                    "see `wirewatch deadletters list` for ids",
                )
            stored = [known[i] for i in dict.fromkeys(ids or [])]
        count = replay(k, [s.letter for s in stored])
    if json_out:
        print_json({"replayed": [s.id for s in stored]})
    else:
        out.print(f"replayed {count} dead letters to their topics")
