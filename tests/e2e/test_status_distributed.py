"""`wirewatch status` in distributed mode against a broker that is not running: one
error naming the address, a hint naming the setting, exit status 2, within its bounded
timeout (the report itself is tested on a real broker: tests/integration/test_kafka_status.py).
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.e2e.conftest import Cli

pytestmark = pytest.mark.e2e


def test_status_with_the_broker_down_fails_fast_naming_the_setting(cli: Cli) -> None:
    with socket.socket() as s:  # a loopback port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        "WIREWATCH_MODE": "distributed",
        "WIREWATCH_KAFKA__BOOTSTRAP_SERVERS": f"127.0.0.1:{port}",
    }
    started = time.monotonic()
    r = cli("status", "--json", ok=False, env=env, timeout=120)
    took = time.monotonic() - started
    assert r.returncode == 2, r.stderr
    error, hint = r.stderr.strip().splitlines()
    assert error.startswith(f"error: cannot reach Kafka at 127.0.0.1:{port}")
    assert "kafka.bootstrap_servers" in hint
    assert r.stdout == ""
    # the status timeout is 5 s; the bound leaves slack for a loaded machine
    assert took < 60, f"status took {took:.0f} s against a broker that is down"
