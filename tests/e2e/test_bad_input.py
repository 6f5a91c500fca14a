"""Hostile input through the real command line: one error line, exit 2, nothing stored.

The in-process tests (tests/unit/cli) cover every case; these few need a real
process: argv bytes decoded by Python itself, and variables exported in a shell.
"""

from __future__ import annotations

import os

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def one_error(stderr: str, *needles: str) -> None:
    lines = stderr.splitlines()
    assert 1 <= len(lines) <= 2 and lines[0].startswith("error: "), stderr
    assert len(lines) == 1 or lines[1].startswith("hint: "), stderr
    for needle in needles:
        assert needle in lines[0], (needle, stderr)


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        ((b"alerts", b"add", b"n\xff", b"gaza"), r"argument 3 'n\xff' is not valid UTF-8"),
        ((b"feeds", b"add", b"http://a.example/\xff"), r"'http://a.example/\xff' is not valid"),
    ],
    ids=["alert-name", "feed-url"],
)
def test_argv_bytes_that_are_not_utf8(cli: Cli, args: tuple[bytes, ...], shown: str) -> None:
    r = cli(*(os.fsdecode(a) for a in args), ok=False)  # subprocess re-encodes the same bytes
    assert r.returncode == 2
    one_error(r.stderr, shown)
    assert cli.json("alerts", "list") == [] and cli.json("feeds", "list") == []  # nothing added


def test_a_config_file_that_is_not_utf8(cli: Cli) -> None:
    (cli.home / "b.yaml").write_bytes(b"\x00\xff")
    r = cli("feeds", "list", "-c", "b.yaml", ok=False)
    assert r.returncode == 2
    one_error(r.stderr, "is not UTF-8 text (byte 2 is 0xff)")


def test_the_dev_tools_variables_no_longer_break_commands(cli: Cli) -> None:
    """deploy/dev/services reads WWDEV_*; exporting them leaves wirewatch alone."""
    tools = {"WWDEV_KAFKA_PORT": "19092", "WWDEV_CORPORA": "/nowhere"}
    assert cli("feeds", "list", env=tools).returncode == 0
    stale = cli("feeds", "list", env={"WIREWATCH_KAFKA_PORT": "19092"}, ok=False)
    assert stale.returncode == 2
    one_error(stale.stderr, "unknown setting 'kafka_port' in environment variable")
    assert "WWDEV_" in stale.stderr
