"""A plain install lacks the `kafka` extra: `wirewatch poll` says how to add it, in one line.

The CLI runs in a subprocess whose import system refuses `kafka` (a meta path hook,
as if the package were not installed), the way a user meets it after the plain
`./scripts/setup`.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, REPO, Cli

pytestmark = pytest.mark.e2e

WITHOUT = """
import runpy, sys

class NotInstalled:
    def find_spec(self, name, path=None, target=None):
        if name.partition(".")[0] in BLOCKED:
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None

BLOCKED = set(sys.argv.pop(1).split(","))
sys.meta_path.insert(0, NotInstalled())
runpy.run_module("wirewatch", run_name="__main__", alter_sys=True)
"""


def run_without(
    cli: Cli, blocked: str, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT, blocked, *args],
        cwd=REPO,
        env={**cli.env, **(env or {})},
        text=True,
        capture_output=True,
        timeout=120,
    )


def test_poll_without_kafka_names_the_extra_and_the_install_command(cli: Cli) -> None:
    r = run_without(cli, "kafka", "poll", "--once", "--config", str(EXAMPLE_CONFIG))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert "'kafka'" in lines[0] and "extra 'kafka'" in lines[0]
    # run from the checkout: this environment's own pip, the checkout as ".", the extra
    pip = Path(sys.executable).parent / "pip"
    shown = pip.relative_to(REPO) if pip.is_relative_to(REPO) else pip
    assert lines[0].endswith(f"install it with: {shown} install -e '.[kafka]'"), lines[0]
    assert "Traceback" not in r.stderr
    assert r.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        ["feeds", "list"],
        ["search", "gaza"],
        ["alerts", "hits"],
        ["stories"],
        ["status"],
        ["config", "show"],
    ],
    ids=" ".join,
)
def test_the_plain_install_commands_need_no_kafka_or_search_client(
    cli: Cli, command: list[str]
) -> None:
    blocked = "kafka,faust,aiokafka,mode,opensearchpy,elasticsearch"
    r = run_without(cli, blocked, *command, "--config", str(EXAMPLE_CONFIG), "--json")
    assert r.returncode == 0, r.stderr
    json.loads(r.stdout)


@pytest.mark.parametrize(
    ("engine", "module"), [("opensearch", "opensearchpy"), ("elasticsearch", "elasticsearch")]
)
def test_a_configured_engine_without_the_search_extra_names_it(
    cli: Cli, engine: str, module: str
) -> None:
    cli.env["WIREWATCH_SEARCH__ENGINE"] = engine
    r = run_without(cli, module, "search", "gaza", "--config", str(EXAMPLE_CONFIG))
    assert r.returncode == 2, r.stderr
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in r.stderr, r.stderr
    assert f"'{module}'" in lines[0] and "extra 'search'" in lines[0]
    assert lines[0].endswith("install -e '.[search]'"), lines[0]


@pytest.mark.parametrize(
    "command",
    [
        ["feeds", "list"],
        ["alerts", "add", "x", "gaza"],
        ["deadletters", "list"],
        ["setup"],
        ["status"],
    ],
    ids=" ".join,
)
def test_distributed_mode_without_kafka_names_the_extra(cli: Cli, command: list[str]) -> None:
    distributed = {"WIREWATCH_MODE": "distributed"}
    r = run_without(cli, "kafka", *command, "--config", str(EXAMPLE_CONFIG), env=distributed)
    assert r.returncode == 2, r.stderr
    (line,) = r.stderr.strip().splitlines()
    assert f"`wirewatch {command[0]}` needs the optional package 'kafka'" in line
