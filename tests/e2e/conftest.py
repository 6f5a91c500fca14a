"""Run the `wirewatch` CLI as a user does: a subprocess, a config file, a data dir."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
EXAMPLE_CONFIG = REPO / "examples" / "wirewatch.yaml"


class Cli:
    def __init__(self, home: Path, data_dir: Path) -> None:
        self.home = home
        self.data_dir = data_dir
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("WIREWATCH_")},
            "XDG_CONFIG_HOME": str(home / "xdg-config"),
            "XDG_DATA_HOME": str(home / "xdg-data"),
            "WIREWATCH_DATA_DIR": str(data_dir),
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }

    def popen(self, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-m", "wirewatch", *args],
            cwd=self.home,
            env={**self.env, **(env or {})},
            text=True,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )

    def __call__(
        self, *args: str, ok: bool = True, env: dict[str, str] | None = None, timeout: float = 600
    ) -> subprocess.CompletedProcess[str]:
        r = subprocess.run(
            [sys.executable, "-m", "wirewatch", *args],
            cwd=self.home,
            env={**self.env, **(env or {})},
            text=True,
            capture_output=True,
            timeout=timeout,
        )
        if ok and r.returncode != 0:
            raise AssertionError(
                f"wirewatch {' '.join(args)} exited {r.returncode}\n"
                f"stdout:\n{r.stdout}\nstderr:\n{r.stderr}"
            )
        return r

    def json(self, *args: str, env: dict[str, str] | None = None) -> Any:
        return json.loads(self(*args, "--json", env=env).stdout)

    def db(self) -> sqlite3.Connection:
        """Read-only, so a missing database is an error instead of a new, empty one."""
        path = self.data_dir / "wirewatch.db"
        return sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)

    def scalar(self, sql: str) -> Any:
        """The first value of the first row. A missing database or table raises: a count
        of 0 must mean the table is empty, never that the run wrote somewhere else."""
        con = self.db()
        try:
            row = con.execute(sql).fetchone()
        finally:
            con.close()
        assert row is not None, f"no row for {sql}"
        return row[0]

    def ready(self) -> bool:
        """Whether a run that was just started has created its database yet; to wait on."""
        try:
            return bool(self.scalar("SELECT COUNT(*) FROM meta WHERE key='schema_version'"))
        except sqlite3.OperationalError:
            return False


@pytest.fixture
def cli(tmp_path: Path) -> Cli:
    return Cli(tmp_path, tmp_path / "data")


@pytest.fixture
def make_cli(tmp_path: Path) -> Callable[[str], Cli]:
    def make(name: str) -> Cli:
        home = tmp_path / name
        home.mkdir()
        return Cli(home, home / "data")

    return make
