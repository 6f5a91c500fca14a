"""Tables read well in a terminal: one line per row at 80 and 120 columns, `--wide` in full.

Each table is compared with the same command's `--json`: as many body lines as
items (a title that wrapped would add lines), each line within the terminal's
width, and the row's title (its start, at least) on its own line.
"""

from __future__ import annotations

from typing import Any

import pytest
from rich.cells import cell_len

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e

CONFIG = ("--config", str(EXAMPLE_CONFIG))
LONG_NAME = "A feed that is not a feed at all, with a name long enough to need cutting short"

# command → how to get each row's title from the command's --json
VIEWS: dict[str, tuple[list[str], Any]] = {
    "search": (["search", "gaza OR place:israel OR trump"], lambda item: item["title"]),
    "stories": (["stories", "--since", "2026-01-01"], lambda item: item["title"]),
    "alerts hits": (["alerts", "hits"], lambda item: item["title"]),
    "feeds list": (["feeds", "list"], lambda item: item["feed"]["title"]),
}


@pytest.fixture(scope="module")
def stored(tmp_path_factory: pytest.TempPathFactory) -> Cli:
    """The example run, plus a failing feed so `feeds list` has a long problem to show."""
    home = tmp_path_factory.mktemp("terminal")
    cli = Cli(home, home / "data")
    broken = home / "broken.xml"
    broken.write_text("<html><body>" + "this page is not a feed " * 40 + "</body></html>")
    cli("feeds", "add", broken.as_uri(), "--title", LONG_NAME, *CONFIG)
    cli("run", "--once", "--quiet", *CONFIG)
    return cli


def body_lines(text: str) -> list[str]:
    """The table's rows: lines between its vertical borders, without the header row."""
    return [line for line in text.splitlines() if line.startswith("│")]


def titles(cli: Cli, view: str) -> list[str]:
    args, title_of = VIEWS[view]
    return [" ".join(title_of(item).split()) for item in cli.json(*args, *CONFIG)]


@pytest.mark.parametrize("columns", [80, 120])
@pytest.mark.parametrize("view", list(VIEWS))
def test_each_row_is_one_line_that_fits_and_starts_with_its_title(
    stored: Cli, view: str, columns: int
) -> None:
    expected = titles(stored, view)
    assert len(expected) >= 3, f"{view}: too few rows to show anything"
    args, _ = VIEWS[view]
    text = stored(*args, *CONFIG, env={"COLUMNS": str(columns)}).stdout
    rows = body_lines(text)
    assert len(rows) == len(expected), text
    for row, title in zip(rows, expected, strict=True):
        assert cell_len(row) <= columns, row
        cells = [c.strip() for c in row.strip("│").split("│")]
        shown = next(c for c in cells if c and title.startswith(c.removesuffix("…")[:20]))
        assert len(shown) >= min(len(title), 30), (shown, title)


@pytest.mark.parametrize("view", list(VIEWS))
def test_wide_shows_every_title_whole_on_one_line(stored: Cli, view: str) -> None:
    expected = titles(stored, view)
    args, _ = VIEWS[view]
    text = stored(*args, *CONFIG, "--wide", env={"COLUMNS": "80"}).stdout
    rows = body_lines(text)
    assert len(rows) == len(expected), text
    for row, title in zip(rows, expected, strict=True):
        assert title in row, (title, row)
