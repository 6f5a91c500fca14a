"""One runtime per data dir: a second `wirewatch run` is refused and names the first;
every other command keeps working beside it; a SIGKILLed runtime leaves no stale lock."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e


def wait_for_lock_holder(cli: Cli, proc: subprocess.Popen[str]) -> None:
    """Until the runtime wrote itself into the lock file (it does so before loading models)."""
    lock = cli.data_dir / "runtime.lock"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the first runtime exited"
        try:
            if json.loads(lock.read_text())["pid"] == proc.pid:
                return
        except (OSError, ValueError):
            pass
        time.sleep(0.1)
    raise AssertionError("the first runtime never took the lock")


def test_a_second_runtime_is_refused_and_the_rest_works_beside_the_first(
    cli: Cli, tmp_path: Path
) -> None:
    config = ("--config", str(EXAMPLE_CONFIG))
    first = cli.popen("run", "--quiet", *config)
    try:
        wait_for_lock_holder(cli, first)

        second = cli("run", "--once", *config, ok=False)
        assert second.returncode == 2, second.stderr
        assert f"pid {first.pid}" in second.stderr and "in use" in second.stderr
        assert "wirewatch run --quiet --config" in second.stderr
        assert "Traceback" not in second.stderr and len(second.stderr.splitlines()) <= 2

        feed = tmp_path / "extra.xml"
        shutil.copy(EXAMPLE_CONFIG.parent / "recorded" / "npr-world.xml", feed)
        assert cli.json("feeds", "add", feed.as_uri(), *config)["created"] is True
        cli.json("search", "gaza OR israel", *config)  # exits 0 beside the runtime
        status = cli.json("status", *config)
        assert status["held_by"]["pid"] == first.pid

        deadline = time.monotonic() + 120  # let it store something: it is mid-work when killed
        while cli.scalar("SELECT COUNT(*) FROM articles") == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=30)
    finally:
        if first.poll() is None:
            first.kill()
            first.wait()
        first.communicate()

    status = cli.json("status", *config)
    assert status["held_by"] is None
    assert status["runtime"]["running"] is False  # it wrote "running", then it was killed
    after = cli.json("run", "--once", *config)
    assert after["feeds_polled"] == 7 and after["feeds_failed"] == []
    assert cli.scalar("SELECT COUNT(*) FROM articles") > 0
