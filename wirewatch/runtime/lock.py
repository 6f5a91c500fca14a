"""One runtime per data directory: an OS lock on `runtime.lock` in the data dir.

Two `wirewatch run` on one data dir would both poll every feed (double traffic to the
publishers) and could both deliver a hit. The lock is `flock` on a file in the data
dir, which the kernel releases when the holding process ends, however it ends (also
SIGKILL), so there is never a stale lock to clean up by hand. The descriptor is not
inherited by the worker processes (they are spawned, and Python opens files
close-on-exec), so a worker left behind by a killed runtime does not hold it either.

The file also says who holds it (pid, host, since when, command) for the refusal
message and `wirewatch status`; whether it is held is always asked of the kernel, never
read from the file. Other commands (`search`, `feeds add`, …) never take the lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

from wirewatch.core.errors import WirewatchError

LOCK_FILENAME = "runtime.lock"
# A command that only looks (`wirewatch status`) holds the lock for a moment; a starting
# runtime tries a few times so such a look never makes it refuse to start.
_ATTEMPTS, _PAUSE = 5, 0.05


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as that process wrote it down."""

    pid: int
    host: str
    since: str
    command: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host}, since {self.since}: {self.command}"


# Held, but the holder has not written its details yet (it took the lock a moment ago).
_STARTING = Holder(pid=0, host="?", since="now", command="a runtime that is just starting")


class DataDirBusy(WirewatchError):
    """Another runtime holds this data dir."""


def _lock_path(data_dir: Path) -> Path:
    return data_dir / LOCK_FILENAME


def _try_lock(fd: int, mode: int) -> bool:
    try:
        fcntl.flock(fd, mode | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _read_holder(fd: int) -> Holder | None:
    """What the holder wrote; None when it has not written yet or it is unreadable."""
    try:
        return Holder(**json.loads(os.pread(fd, 4096, 0)))
    except (ValueError, TypeError):
        return None


@contextlib.contextmanager
def runtime_lock(data_dir: Path, *, command: str, now: datetime) -> Iterator[Holder]:
    """Hold the data dir's runtime lock for the `with` block, or raise DataDirBusy."""
    path = _lock_path(data_dir)
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as e:
        raise WirewatchError(
            f"cannot create the runtime lock {path}: {e.strerror}",
            hint="set data_dir (or WIREWATCH_DATA_DIR) to a writable folder",
        ) from e
    try:
        for attempt in range(_ATTEMPTS):
            if _try_lock(fd, fcntl.LOCK_EX):
                break
            if attempt < _ATTEMPTS - 1:
                time.sleep(_PAUSE)
        else:
            raise _busy(data_dir, _read_holder(fd) or _STARTING)
        me = Holder(
            pid=os.getpid(),
            host=socket.gethostname(),
            since=now.isoformat(timespec="seconds").replace("+00:00", "Z"),
            command=command,
        )
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(asdict(me)).encode(), 0)
        yield me
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def _busy(data_dir: Path, holder: Holder) -> DataDirBusy:
    return DataDirBusy(
        f"data dir {data_dir} is in use by another wirewatch runtime ({holder.describe()})",
        hint="stop that one first, or run this one with another --data-dir",
    )


def current_holder(data_dir: Path) -> Holder | None:
    """The running runtime of this data dir, or None when no process holds the lock."""
    try:
        fd = os.open(_lock_path(data_dir), os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        if _try_lock(fd, fcntl.LOCK_SH):
            return None  # nobody holds it exclusively (closing releases our shared lock)
        return _read_holder(fd) or _STARTING
    finally:
        os.close(fd)
