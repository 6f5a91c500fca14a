"""One runtime per data dir: the lock refuses a second holder, names the first, and is
released by the kernel however the holder ends (also SIGKILL)."""

from __future__ import annotations

import fcntl
import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from wirewatch.runtime.lock import DataDirBusy, current_holder, runtime_lock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[3]


def test_a_second_holder_is_refused_with_who_holds_it(tmp_path: Path) -> None:
    with runtime_lock(tmp_path, command="wirewatch run -c a.yaml", now=NOW) as me:
        with (
            pytest.raises(DataDirBusy) as refused,
            runtime_lock(tmp_path, command="wirewatch run", now=NOW),
        ):
            pass
        message = refused.value.message
        assert f"pid {os.getpid()}" in message and me.host in message
        assert "since 2026-11-25T12:00:00Z" in message and "wirewatch run -c a.yaml" in message
        assert current_holder(tmp_path) == me
    assert current_holder(tmp_path) is None
    with runtime_lock(tmp_path, command="wirewatch run", now=NOW):  # free again
        pass


def test_no_holder_before_the_first_runtime_nor_after_one_ended(tmp_path: Path) -> None:
    assert current_holder(tmp_path) is None  # no lock file yet
    with runtime_lock(tmp_path, command="wirewatch run", now=NOW):
        pass
    assert current_holder(tmp_path) is None  # the file stays, the lock does not


def test_a_runtime_starting_while_status_looks_is_not_refused(tmp_path: Path) -> None:
    with runtime_lock(tmp_path, command="wirewatch run", now=NOW):
        pass
    look = os.open(tmp_path / "runtime.lock", os.O_RDONLY)
    fcntl.flock(look, fcntl.LOCK_SH)  # what current_holder holds for a moment
    threading.Timer(0.08, os.close, (look,)).start()
    with runtime_lock(tmp_path, command="wirewatch run", now=NOW) as me:
        assert me.pid == os.getpid()


def test_sigkill_releases_the_lock(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from datetime import UTC, datetime\n"
            "from pathlib import Path\n"
            "from wirewatch.runtime.lock import runtime_lock\n"
            "with runtime_lock(Path(sys.argv[1]), command='held', now=datetime.now(UTC)):\n"
            "    print('held', flush=True)\n"
            "    time.sleep(120)\n",
            str(tmp_path),
        ],
        stdout=subprocess.PIPE,
        text=True,
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        seen = current_holder(tmp_path)
        assert seen is not None and seen.pid == holder.pid and seen.command == "held"
        with (
            pytest.raises(DataDirBusy, match=f"pid {holder.pid}"),
            runtime_lock(tmp_path, command="second", now=NOW),
        ):
            pass
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        if holder.stdout:
            holder.stdout.close()
    assert current_holder(tmp_path) is None
    with runtime_lock(tmp_path, command="after the kill", now=NOW) as me:
        assert me.pid == os.getpid()
