"""Each input of the hostile run (issue 14) gets one clear error line, in-process.

Before, every one of these ended in a Python traceback and exit 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.unit.cli.conftest import InProcessCli, Outcome
from wirewatch.cli.common import MAX_ROWS
from wirewatch.core.query.parser import MAX_DEPTH

NOT_CHAIN = "b " + "NOT " * 990 + "a"  # 3,963 characters, under the 4,000 length limit


def refused(outcome: Outcome, *needles: str) -> str:
    """The error line, after checking the outcome is a clean refusal that says each needle."""
    outcome.assert_clean()
    assert outcome.exit_code == 2, outcome
    line = outcome.error_lines()[0]
    for needle in needles:
        assert needle in line, (needle, outcome.stderr)
    return line


def config(home: Path, name: str, content: bytes) -> str:
    path = home / name
    path.write_bytes(content)
    return str(path)


# --- config files and the environment ------------------------------------------------------


def test_a_config_file_that_is_not_utf8(wirewatch: InProcessCli) -> None:
    cfg = config(wirewatch.home, "b.yaml", b"\x00\xff")
    refused(wirewatch("feeds", "list", "-c", cfg), "is not UTF-8 text", "0xff")


def test_a_directory_as_config(wirewatch: InProcessCli) -> None:
    line = refused(
        wirewatch("feeds", "list", "-c", str(wirewatch.home)), "is a directory, not a file"
    )
    assert "does not exist" not in line


@pytest.mark.parametrize(
    ("content", "says"),
    [
        (b"- a\n", "holds a list, not a mapping"),
        (b"fetch: [unclosed\n", "line 2, column 1 is not valid YAML"),
        (b'fetch:\n  allow_private: ["127.0.0.1:abc"]\n', "port 'abc' is not a number"),
    ],
)
def test_a_bad_config_file(wirewatch: InProcessCli, content: bytes, says: str) -> None:
    refused(wirewatch("feeds", "list", "-c", config(wirewatch.home, "bad.yaml", content)), says)


def test_an_empty_config_file_is_all_defaults(wirewatch: InProcessCli) -> None:
    cfg = config(wirewatch.home, "empty.yaml", b"")
    r = wirewatch("config", "show", "-c", cfg)
    r.assert_clean()
    assert r.exit_code == 0


def test_an_unreadable_config_file(
    wirewatch: InProcessCli, monkeypatch: pytest.MonkeyPatch
) -> None:
    cfg = config(wirewatch.home, "locked.yaml", b"queue_size: 1\n")

    def denied(self: Path) -> bytes:  # chmod 000 does not stop root, who runs CI
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    refused(wirewatch("feeds", "list", "-c", cfg), "cannot read config file", "Permission denied")


def test_a_group_given_a_scalar_in_the_environment(wirewatch: InProcessCli) -> None:
    refused(
        wirewatch("feeds", "list", env={"WIREWATCH_FETCH": "x"}),
        "setting 'fetch' (from WIREWATCH_FETCH)",
    )


@pytest.mark.parametrize("name", ["WIREWATCH_KAFKA_PORT", "WIREWATCH_CORPORA"])
def test_an_old_tooling_variable_points_to_wwdev(wirewatch: InProcessCli, name: str) -> None:
    r = wirewatch("feeds", "list", env={name: "19092"})
    refused(r, f"environment variable {name}")
    assert "WWDEV_" in r.error_lines()[1]


def test_the_dev_tools_variables_leave_every_command_working(wirewatch: InProcessCli) -> None:
    env = {"WWDEV_KAFKA_PORT": "19092", "WWDEV_CORPORA": "/nowhere", "WWDEV_SERVICES_DIR": "/x"}
    r = wirewatch("feeds", "list", env=env)
    r.assert_clean()
    assert r.exit_code == 0


@pytest.mark.parametrize(
    ("where", "says"),
    [("no-such-folder/x.opml", "No such file or directory"), (".", "Is a directory")],
)
def test_an_export_that_cannot_be_written(wirewatch: InProcessCli, where: str, says: str) -> None:
    refused(wirewatch("feeds", "export", "-o", where), "cannot write", says)


# --- numbers and dates -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("search", "foo", "--since", "99999999999999d"),
        ("search", "foo", "--until", "9999-12-31T23:59:59-23:00"),
        ("stories", "--since", "99999999999999w"),
    ],
)
def test_a_date_out_of_range(wirewatch: InProcessCli, args: tuple[str, ...]) -> None:
    refused(wirewatch(*args), "is out of range: dates run from year 1 to 9999")


@pytest.mark.parametrize(
    "args",
    [
        ("search", "foo", "--limit", "99999999999999999999"),
        ("stories", "--limit", "99999999999999999999"),
        ("stories", "--min-size", "99999999999999999999"),
        ("alerts", "hits", "--limit", str(MAX_ROWS + 1)),
    ],
)
def test_a_count_too_large(wirewatch: InProcessCli, args: tuple[str, ...]) -> None:
    line = refused(wirewatch(*args), "less than or equal to 1000000")
    assert line.startswith("error: Invalid value for '--")


def test_the_largest_limit_is_accepted(wirewatch: InProcessCli) -> None:
    r = wirewatch("search", "foo", "--limit", str(MAX_ROWS))
    r.assert_clean()
    assert r.exit_code == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("--count", "99999999999999999999"), "less than or equal to 1024"),
        (("--index", "2", "--count", "2"), "poller_index 2 must be below kafka.poller_count 2"),
    ],
)
def test_poller_numbers_out_of_range(
    wirewatch: InProcessCli, args: tuple[str, ...], says: str
) -> None:
    refused(wirewatch("poll", "--once", *args), says)


# --- queries ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args", [("search", NOT_CHAIN), ("alerts", "add", "deep", NOT_CHAIN)], ids=["search", "alert"]
)
def test_a_long_not_chain_names_the_depth_limit(
    wirewatch: InProcessCli, args: tuple[str, ...]
) -> None:
    refused(wirewatch(*args), f"nested more than {MAX_DEPTH} levels deep")


def test_a_query_at_the_depth_limit_searches(wirewatch: InProcessCli) -> None:
    r = wirewatch("search", "(a OR " * (MAX_DEPTH - 2) + "(b -c)" + ")" * (MAX_DEPTH - 2))
    r.assert_clean()
    assert r.exit_code == 0


# --- arguments that are not UTF-8, and text that looks like markup ------------------------


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (("alerts", "add", b"n\xff", "gaza"), r"argument 3 'n\xff'"),
        (("feeds", "add", b"http://a.example/\xff"), r"argument 3 'http://a.example/\xff'"),
        (("search", "gaza", "--since", b"\xfe7d"), r"argument 4 '\xfe7d'"),
    ],
)
def test_an_argument_that_is_not_utf8_is_named(
    wirewatch: InProcessCli, args: tuple[str | bytes, ...], shown: str
) -> None:
    as_argv = [a.decode("utf-8", "surrogateescape") if isinstance(a, bytes) else a for a in args]
    refused(wirewatch(*as_argv), shown, "is not valid UTF-8")


def test_nothing_is_stored_from_an_argument_that_is_not_utf8(wirewatch: InProcessCli) -> None:
    wirewatch("alerts", "add", "n\udcff", "gaza")
    assert "n\\udcff" not in wirewatch("alerts", "list", "--json").stdout


def test_names_that_look_like_markup_are_printed_as_written(wirewatch: InProcessCli) -> None:
    r = wirewatch("alerts", "add", "[/x] [bold]", "gaza")
    r.assert_clean()
    assert "added alert '[/x] [bold]'" in r.stdout
    listed = wirewatch("alerts", "list")
    listed.assert_clean()
    assert "[/x] [bold]" in listed.stdout


def test_a_usage_error_is_one_line_with_a_hint(wirewatch: InProcessCli) -> None:
    r = wirewatch("search")
    refused(r, "Missing argument 'query'")
    assert r.error_lines()[1] == "hint: see 'wirewatch search --help'"


@pytest.mark.parametrize("command", [["search", "gaza"], ["stories"]])
def test_reading_articles_in_distributed_mode_without_an_engine_names_the_setting(
    wirewatch: InProcessCli, command: list[str]
) -> None:
    r = wirewatch(*command, env={"WIREWATCH_MODE": "distributed"})
    refused(r, f"`wirewatch {command[0]}` in distributed mode", "search.engine is sqlite")


@pytest.mark.parametrize("role", ["worker", "sink"])
def test_a_role_in_embedded_mode_is_refused_naming_the_setting(
    wirewatch: InProcessCli, role: str
) -> None:
    refused(wirewatch(role), "a role of the distributed mode", "mode is embedded")
