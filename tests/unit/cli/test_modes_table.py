"""docs/distributed.md's table names every command, and marks as refused exactly those
the CLI refuses in distributed mode."""

from __future__ import annotations

import re

from tests.conftest import REPO
from wirewatch.cli.app import app
from wirewatch.cli.common import NOT_YET_DISTRIBUTED

TABLE = REPO / "docs" / "distributed.md"


def _commands() -> set[str]:
    """Every command path of the CLI: 'run', 'feeds add', 'config show'…"""
    from typer.main import get_group

    group = get_group(app)
    found = set()
    for name, cmd in group.commands.items():
        subs = getattr(cmd, "commands", None)
        found |= {f"{name} {s}" for s in subs} if subs else {name}
    return found


def _rows() -> dict[str, str]:
    """Each command the table names (`feeds add` / `import` …) → its distributed cell."""
    rows = {}
    for line in TABLE.read_text().splitlines():
        cells = [c.strip() for c in line.strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = [re.sub(r" (--|\[).*", "", n) for n in re.findall(r"`([^`]+)`", cells[0])]
        group = names[0].split()[0] if " " in names[0] else None
        for n in names:
            rows[n if " " in n or group is None else f"{group} {n}"] = cells[2]
    return rows


def test_every_command_is_in_the_table() -> None:
    assert _commands() - set(_rows()) == set()


def test_the_table_marks_refused_exactly_what_the_cli_refuses() -> None:
    refused = {c for c, cell in _rows().items() if cell.startswith("refused")}
    assert refused == set(NOT_YET_DISTRIBUTED)
