"""The deployment files under deploy/ (compose files, their example variables, the image).

`compose_cli` is Docker Compose v2 built from its Go module by `deploy/dev/compose` (once,
cached outside the repository): the development and CI machines have no Docker engine,
but `docker compose config` needs none to check a file.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, require

DEPLOY = REPO / "deploy"
COMPOSE_FILES = ("compose.yaml", "compose.embedded.yaml")
COMPOSE_SCRIPT = DEPLOY / "dev" / "compose"

_ASSIGNMENT = re.compile(r"^\s*#?\s*([A-Z][A-Z0-9_]*)=(.*)$")


def example_variables(path: Path, *, commented: bool = True) -> dict[str, str]:
    """NAME -> value of each `NAME=value` line of an env example (`# NAME=…` too if asked)."""
    out: dict[str, str] = {}
    for line in path.read_text().splitlines():
        m = _ASSIGNMENT.match(line)
        if m and (commented or not line.lstrip().startswith("#")):
            out[m.group(1)] = m.group(2)
    return out


def load_compose(name: str) -> dict[str, Any]:
    data = yaml.safe_load((DEPLOY / name).read_text())
    assert isinstance(data, dict), f"{name} is not a mapping"
    return data


@pytest.fixture(scope="session")
def compose_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """Run `docker compose ARGS` (the v2 CLI, standalone) from deploy/."""
    built = subprocess.run(
        [str(COMPOSE_SCRIPT), "version"], capture_output=True, text=True, timeout=1200
    )
    require(built.returncode == 0, f"Docker Compose did not build: {built.stderr[-800:]}")

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(COMPOSE_SCRIPT), *args], cwd=DEPLOY, capture_output=True, text=True, timeout=120
        )

    return run
