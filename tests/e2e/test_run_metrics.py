"""A running `wirewatch run` serves /metrics, /healthz and /readyz, and logs JSON lines."""

from __future__ import annotations

import json
import signal

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli
from tests.support.scrape import free_port, get, health, metrics_env, samples, total, wait_for

pytestmark = pytest.mark.e2e


def test_a_running_pipeline_is_scraped_and_its_counters_move(cli: Cli) -> None:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    run = cli.popen("run", "--quiet", "--config", str(EXAMPLE_CONFIG), env=metrics_env(port))
    try:

        def answers() -> bool:
            assert run.poll() is None, run.communicate()[1][-3000:]
            try:
                return get(base + "/healthz")[0] == 200
            except OSError:
                return False

        wait_for(answers, 120, "/healthz")

        def stored() -> bool:
            return (
                total(
                    samples(get(base + "/metrics")[1]),
                    "wirewatch_articles_out_total",
                    stage="store",
                )
                > 0
            )

        wait_for(stored, 300, "articles stored")
        status, ready = health(base, "/readyz")
        assert status == 200, ready
        assert ready == {"ready": True, "checks": {"pipeline": "ok", "index": "ok"}}
        values = samples(get(base + "/metrics")[1])
        assert total(values, "wirewatch_feed_polls_total") > 0
        assert total(values, "wirewatch_articles_out_total", stage="ingest") > 0
        assert total(values, "wirewatch_articles_in_total", stage="enrich") > 0
        assert total(values, "wirewatch_stage_duration_seconds_count", stage="enrich") > 0
        assert total(values, "wirewatch_freshness_seconds_count") > 0
    finally:
        run.send_signal(signal.SIGTERM)
        _, stderr = run.communicate(timeout=120)
    assert run.returncode == 0, stderr[-3000:]
    logs = [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]
    assert any("/metrics" in entry["message"] for entry in logs), stderr[-3000:]
    assert all({"time", "level", "logger", "message"} <= entry.keys() for entry in logs)
