"""CI runs the README's own commands: the quick start first, then the test command.

.ci/quickstart reads the quick start with scripts/readme_commands.py and .ci/run
holds the test command verbatim (checked here), so what a new user copies is what CI
proves. These tests pin the shape CI relies on: if the
README's sections move or the commands change what they do, this fails here, with
the reason, rather than CI running something else.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def readme_commands(*args: str) -> subprocess.CompletedProcess[str]:
    script = REPO / "scripts" / "readme_commands.py"
    return subprocess.run(
        [sys.executable, str(script), *args], capture_output=True, text=True, timeout=60
    )


def readme_block(section: str, *block: str) -> str:
    r = readme_commands(section, *block)
    assert r.returncode == 0, r.stderr
    return r.stdout


def commands(block: str) -> list[str]:
    return [line.partition("#")[0].strip() for line in block.splitlines() if line.strip()]


def test_the_quick_start_sets_up_plainly_and_runs_the_example_once() -> None:
    assert commands(readme_block("Quick start", "--block", "1")) == [
        "./scripts/setup && .venv/bin/wirewatch run --once --config examples/wirewatch.yaml"
    ]


def test_the_quick_start_then_searches_and_lists_alert_hits_with_the_same_config() -> None:
    looks = commands(readme_block("Quick start", "--block", "2"))
    assert any(c.startswith(".venv/bin/wirewatch search ") for c in looks)
    assert ".venv/bin/wirewatch alerts hits --config examples/wirewatch.yaml" in looks
    assert all(c.startswith(".venv/bin/wirewatch ") for c in looks)
    assert all("--config examples/wirewatch.yaml" in c for c in looks)


def test_the_test_command_is_one_line_that_sets_up_with_dev_extras_and_runs_pytest() -> None:
    assert commands(readme_block("Tests")) == [
        "./scripts/setup --dev && .venv/bin/python -m pytest"
    ]


def test_ci_runs_the_quick_start_before_the_readme_test_command() -> None:
    run = (REPO / ".ci" / "run").read_text()
    quickstart = (REPO / ".ci" / "quickstart").read_text()
    (test_command,) = commands(readme_block("Tests"))
    lines = run.splitlines()
    assert test_command in lines  # the README's test command, word for word, on its own line
    assert run.index(".ci/quickstart") < run.index(test_command)
    assert 'readme_commands.py "Quick start" --block' in quickstart


def test_a_missing_section_fails_with_the_reason(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# Wirewatch\n\n## Quick start\n\nNo commands here.\n")
    r = readme_commands("Quick start", "--readme", str(readme))
    assert r.returncode == 2 and r.stdout == ""
    assert "no ```sh block under a '## Quick start' heading" in r.stderr
