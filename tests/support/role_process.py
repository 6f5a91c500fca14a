"""A distributed role (`wirewatch poll`, `worker`, `sink`) run as a user runs it."""

from __future__ import annotations

import subprocess
import sys

from tests.e2e.conftest import Cli


class RoleProcess:
    """`wirewatch <role>` with `cli`'s config and environment (and `env` over it: a port
    of its own), its output in a file (a full pipe would stall it); `stop` sends SIGTERM
    and expects a clean exit, `kill` crashes it."""

    def __init__(self, role: str, cli: Cli, env: dict[str, str] | None = None) -> None:
        self.role, self.cli, self.env = role, cli, env or {}
        self.log = cli.home / f"{role}.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def base(self) -> str:
        """Where its metrics and health are served (`metrics_env` set the port)."""
        return f"http://127.0.0.1:{({**self.cli.env, **self.env})['WIREWATCH_METRICS__PORT']}"

    def start(self) -> None:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "wirewatch", self.role],
                cwd=self.cli.home,
                env={**self.cli.env, **self.env},
                stdout=out,
                stderr=subprocess.STDOUT,
            )

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=60)
        assert self.process.returncode == 0, self.log.read_text()[-3000:]

    def kill(self) -> None:
        """SIGKILL (`kill -9`), as a crash or the OOM killer: no handler runs, nothing is
        flushed or committed on the way out."""
        assert self.process is not None
        self.process.kill()
        self.process.wait(timeout=30)
