"""The CLI in-process: its app object under CliRunner, in a throw-away home and data dir.

In-process runs take milliseconds where a subprocess takes seconds, so the
property-based test can try hundreds of inputs; they also prove the checks hold
when the app object is called directly, not only through the console script.
"""

from __future__ import annotations

import os
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from typer.testing import CliRunner

from wirewatch.cli.app import app


@dataclass
class Outcome:
    args: Sequence[str]
    exit_code: int
    stdout: str
    stderr: str
    exception: BaseException | None

    def error_lines(self) -> list[str]:
        return self.stderr.splitlines()

    def assert_clean(self) -> None:
        """Exit 0 or 2; on 2 one `error:` line and at most a `hint:` line; no traceback."""
        if self.exception is not None and not isinstance(self.exception, SystemExit):
            tb = "".join(traceback.format_exception(self.exception))
            raise AssertionError(f"wirewatch {list(self.args)!r} raised:\n{tb}")
        assert self.exit_code in (0, 2), (self.args, self.exit_code, self.stderr)
        assert "Traceback" not in self.stdout + self.stderr, self.args
        lines = self.error_lines()
        if self.exit_code == 0:
            assert not any(line.startswith("error:") for line in lines), (self.args, lines)
            return
        assert 1 <= len(lines) <= 2, (self.args, lines)
        assert lines[0].startswith("error: "), (self.args, lines)
        assert len(lines) == 1 or lines[1].startswith("hint: "), (self.args, lines)


class InProcessCli:
    """Runs `wirewatch ARGS` through the app object with a config of its own."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.config = home / "wirewatch.yaml"
        self.config.write_text("data_dir: data\n", encoding="utf-8")
        self.env: dict[str, str | None] = {
            **{k: None for k in os.environ if k.upper().startswith("WIREWATCH_")},
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
            "XDG_DATA_HOME": str(home / "xdg-data"),
            "COLUMNS": "120",
            "NO_COLOR": "1",
        }
        self.runner = CliRunner()

    def __call__(self, *args: str, env: dict[str, str] | None = None) -> Outcome:
        cwd = Path.cwd()
        os.chdir(self.home)  # relative paths an input names stay in the throw-away home
        try:
            r = self.runner.invoke(app, list(args), env={**self.env, **(env or {})})
        finally:
            os.chdir(cwd)
        return Outcome(args, r.exit_code, r.stdout, r.stderr, r.exception)


@pytest.fixture(scope="module")
def wirewatch(tmp_path_factory: pytest.TempPathFactory) -> InProcessCli:
    return InProcessCli(tmp_path_factory.mktemp("home"))
