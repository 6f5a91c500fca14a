"""The layer rules and code standards are checked by the test command itself."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def run(*cmd: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=300)


def test_import_contracts_hold() -> None:
    """Kernel at the bottom, stages independent, pure logic free of I/O clients."""
    r = run(str(BIN / "lint-imports"), "--no-cache")
    assert r.returncode == 0, r.stdout + r.stderr


def test_ruff_is_clean() -> None:
    r = run(
        str(BIN / "ruff"),
        "check",
        "wirewatch",
        "ingest",
        "processors",
        "sinks",
        "tests",
        "bench",
        "scripts",
    )
    assert r.returncode == 0, r.stdout + r.stderr


def test_mypy_is_clean_on_the_kernel_and_stages() -> None:
    r = run(str(BIN / "mypy"))
    assert r.returncode == 0, r.stdout + r.stderr
