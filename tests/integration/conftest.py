"""Real servers for integration tests, started by the project's own script.

`deploy/dev/services up kafka` fetches and starts a single-node Kafka 4.4 broker
(reusing one that already runs). Under CI=true a server that cannot start fails
the tests; elsewhere they skip with the reason (Java or Maven missing, say).
"""

from __future__ import annotations

import gc
import os
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import REPO, require

SERVICES = REPO / "deploy" / "dev" / "services"


@dataclass
class Kafka:
    bootstrap: str
    port: int
    env: dict[str, str]

    def services(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(SERVICES), *args, "kafka"],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=300,
        )

    def stop(self) -> None:
        r = self.services("down")
        assert r.returncode == 0, r.stderr

    def start(self) -> None:
        r = self.services("up")
        assert r.returncode == 0, r.stdout + r.stderr


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kafka]:
    port = int(os.environ.get("WWDEV_TEST_KAFKA_PORT", "19392"))
    env = {
        **os.environ,
        "WWDEV_KAFKA_PORT": str(port),
        "WWDEV_KAFKA_CONTROLLER_PORT": str(port + 1),
        "WWDEV_SERVICES_DIR": str(tmp_path_factory.mktemp("services")),
    }
    k = Kafka(f"127.0.0.1:{port}", port, env)
    r = k.services("up")
    require(r.returncode == 0, f"Kafka did not start: {r.stderr.strip()[-500:]}")
    yield k
    k.services("down")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).is_relative_to(Path(__file__).parent):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(autouse=True)
def _collect_client_sockets() -> Iterator[None]:
    """kafka-python leaks the socket of a failed connection attempt (broker down); collect
    it here, ignoring its ResourceWarning, instead of in some later, unrelated test."""
    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
