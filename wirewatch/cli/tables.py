"""Tables that fit the terminal: one line per row, the title column first.

Left to itself, rich shares an 80-column terminal evenly between six columns and
wraps a headline over six lines. Here every cell stays on one line: the small
columns get the width their content needs up to a cap (cut with "…" past it), the
one flexible column (the title) gets the rest, and when even that leaves the title
too narrow the least important columns are dropped. `--wide` shows every column in
full, one line per row, however wide that makes the table (for `less -S` or a file).
Scripts use `--json`, which these tables never affect.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

import typer
from rich.console import Console, JustifyMethod
from rich.table import Table
from rich.text import Text

from wirewatch.cli.common import out

WideOpt = Annotated[
    bool, typer.Option("--wide", help="Every column in full, however wide the table gets.")
]

# A less important column gives way while the title has fewer columns than this
# (or than its full length, if shorter): at 80 columns a title gets what the date and
# the source leave; at 120 it reads whole before entities and topics appear.
TITLE_MIN = 50


@dataclass(frozen=True)
class Column:
    """One column of a table.

    `max_width` caps the column (longer cells end in "…"); `None` makes it the one
    flexible column, which takes what the others leave. `drop_order` says which
    columns a narrow terminal loses first (1 first); `None` keeps it always.
    """

    header: str
    max_width: int | None
    drop_order: int | None = None
    justify: JustifyMethod = "left"


Cell = str | Text


def print_table(columns: Sequence[Column], rows: Sequence[Sequence[Cell]], *, wide: bool) -> None:
    """Print `rows` under `columns`, fitted to the terminal (or in full with `wide`)."""
    cells = [[_one_line(c) for c in row] for row in rows]
    natural = [
        max([Text(col.header).cell_len, *(row[i].cell_len for row in cells)])
        for i, col in enumerate(columns)
    ]
    if wide:
        shown, widths = list(range(len(columns))), natural
        console = Console(soft_wrap=True, width=max(out.width, _table_width(widths)))
    else:
        shown, widths = _fit(columns, natural, out.width)
        console = out
    table = Table()
    for i in shown:
        col = columns[i]
        table.add_column(
            col.header, width=widths[i], no_wrap=True, overflow="ellipsis", justify=col.justify
        )
    for row in cells:
        table.add_row(*(row[i] for i in shown))
    console.print(table)


def _fit(
    columns: Sequence[Column], natural: Sequence[int], width: int
) -> tuple[list[int], list[int]]:
    """Which columns to show and each one's width, so the table fits in `width`."""
    flex = next(i for i, c in enumerate(columns) if c.max_width is None)
    widths = [
        n if c.max_width is None else min(n, c.max_width)
        for c, n in zip(columns, natural, strict=True)
    ]
    shown = list(range(len(columns)))
    droppable = sorted((c.drop_order, i) for i, c in enumerate(columns) if c.drop_order is not None)

    def room() -> int:
        others = [widths[i] for i in shown if i != flex]
        return width - _table_width([*others, 0])

    while room() < min(TITLE_MIN, natural[flex]) and droppable:
        shown.remove(droppable.pop(0)[1])
    widths[flex] = max(1, min(natural[flex], room()))
    return shown, widths


def _table_width(content_widths: Sequence[int]) -> int:
    """rich's default table: one space of padding each side and a border between columns."""
    return sum(content_widths) + 3 * len(content_widths) + 1


def _one_line(cell: Cell) -> Text:
    """A cell as rich Text on one line; a str is plain text, never markup."""
    return cell if isinstance(cell, Text) else Text(" ".join(cell.split()))
