"""Real servers for integration tests, started by the project's own script.

`deploy/dev/services up SERVICE` fetches and starts a single-node Kafka 4.4 broker,
OpenSearch 3.8.0 or Elasticsearch 9.5.3 (reusing one that already runs). Each starts once
per pytest session, in the session's temp dir, on its own loopback ports, and stops at the
end. Under CI=true a server that cannot start fails the tests; elsewhere they skip with the
reason (Java, the JDK 21+ or Maven missing, say).
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest

from tests.conftest import REPO, require

SERVICES = REPO / "deploy" / "dev" / "services"


@dataclass
class Server:
    """One server of `deploy/dev/services`, with the environment that names its ports and dir."""

    name: str
    port: int
    env: dict[str, str]

    def services(self, *args: str) -> subprocess.CompletedProcess[str]:
        # A first start fetches jars from Maven Central (and compiles a launcher): minutes at most.
        return subprocess.run(
            [str(SERVICES), *args, self.name],
            env=self.env,
            text=True,
            capture_output=True,
            timeout=600,
        )

    def stop(self) -> None:
        r = self.services("down")
        assert r.returncode == 0, r.stderr

    def start(self) -> None:
        r = self.services("up")
        assert r.returncode == 0, r.stdout + r.stderr

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


class Kafka(Server):
    @property
    def bootstrap(self) -> str:
        return f"127.0.0.1:{self.port}"

    @property
    def sasl_bootstrap(self) -> str:
        """The broker's SASL/PLAIN listener (user wirewatch, password wirewatch-dev)."""
        return f"127.0.0.1:{self.port + 2}"

    def records(self, topic: str) -> list[Any]:
        """Every record of `topic` (waiting up to 3 s for the next one), for assertions."""
        from kafka import KafkaConsumer

        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=self.bootstrap,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
            consumer_timeout_ms=3000,
        )
        try:
            return list(consumer)
        finally:
            consumer.close()


S = TypeVar("S", bound=Server)


def _running(server: S) -> Iterator[S]:
    """Start `server` for the session (skip or, under CI, fail if it cannot), stop it after."""
    r = server.services("up")
    require(r.returncode == 0, f"{server.name} did not start: {r.stderr.strip()[-500:]}")
    yield server
    server.services("down")


def _free_port() -> int:
    """A loopback port nothing listens on now, so parallel sessions do not collide."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def kafka(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Kafka]:
    port = int(os.environ.get("WWDEV_TEST_KAFKA_PORT", "19392"))
    env = {
        **os.environ,
        "WWDEV_KAFKA_PORT": str(port),
        "WWDEV_KAFKA_CONTROLLER_PORT": str(port + 1),
        "WWDEV_SERVICES_DIR": str(tmp_path_factory.mktemp("services")),
    }
    yield from _running(Kafka("kafka", port, env))


def _search_engine(name: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One node of `name` (opensearch, elasticsearch): WWDEV_TEST_<NAME>_PORT or a free port."""
    var = name.upper()
    port = int(os.environ.get(f"WWDEV_TEST_{var}_PORT") or _free_port())
    env = {
        **os.environ,
        f"WWDEV_{var}_PORT": str(port),
        f"WWDEV_{var}_TRANSPORT_PORT": str(_free_port()),
        "WWDEV_SERVICES_DIR": str(tmp_path_factory.mktemp(name)),
    }
    yield from _running(Server(name, port, env))


@pytest.fixture(scope="session")
def opensearch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _search_engine("opensearch", tmp_path_factory)


@pytest.fixture(scope="session")
def elasticsearch(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    yield from _search_engine("elasticsearch", tmp_path_factory)


@pytest.fixture(scope="session")
def opensearch_url(opensearch: Server) -> str:
    """http://127.0.0.1:PORT of the session's OpenSearch 3.8.0 node."""
    return opensearch.url


@pytest.fixture(scope="session")
def elasticsearch_url(elasticsearch: Server) -> str:
    """http://127.0.0.1:PORT of the session's Elasticsearch 9.5.3 node (it answers no `GET /`)."""
    return elasticsearch.url


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
