"""A search engine that is down: one clear line about it, and the rest goes on.

The engine is a loopback port nothing listens on. Commands that never touch the
index work as usual; those that need it (search, stories, setup) exit 2 naming
search.urls; `status` reports it as one line; `run --once` polls and accepts
anyway, and exits promptly saying how many articles wait in the outbox for the
engine. (tests/integration/test_search_engine_outage.py brings a real node back.)
"""

from __future__ import annotations

import signal
import socket
import time

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e


@pytest.fixture
def down_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}"


@pytest.fixture
def engine_down(cli: Cli, down_url: str) -> Cli:
    cli.env |= {"WIREWATCH_SEARCH__ENGINE": "opensearch", "WIREWATCH_SEARCH__URLS": down_url}
    return cli


def test_feeds_alerts_and_config_work_while_the_engine_is_down(engine_down: Cli) -> None:
    cli = engine_down
    added = cli.json("feeds", "add", "https://feeds.bbci.co.uk/news/world/rss.xml")
    assert added["created"] is True
    assert [f["feed"]["url"] for f in cli.json("feeds", "list")] == [added["feed"]["url"]]
    assert cli.json("alerts", "add", "gaza", "gaza OR rafah")["name"] == "gaza"
    assert [r["name"] for r in cli.json("alerts", "list")] == ["gaza"]
    assert cli.json("alerts", "hits") == []
    assert "search.engine" in cli("config", "show").stdout
    cli("feeds", "rm", added["feed"]["id"])
    assert cli.json("feeds", "list") == []


def test_status_says_the_engine_is_unreachable_in_one_line(engine_down: Cli, down_url: str) -> None:
    r = engine_down("status")
    lines = [line for line in r.stdout.splitlines() if "search.urls" in line]
    assert len(lines) == 1 and lines[0].startswith(
        f"index      cannot reach opensearch at {down_url} (search.urls)"
    )
    assert "stored unknown" in r.stdout
    report = engine_down.json("status")
    assert report["articles"]["stored"] is None
    assert f"cannot reach opensearch at {down_url} (search.urls)" in report["index_error"]


@pytest.mark.parametrize("command", [["search", "gaza"], ["stories"], ["setup"]])
def test_commands_that_need_the_index_name_search_urls(
    engine_down: Cli, down_url: str, command: list[str]
) -> None:
    r = engine_down(*command, ok=False)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr and r.stderr.count("error:") == 1
    assert f"cannot reach opensearch at {down_url} (search.urls)" in r.stderr


def test_run_once_polls_anyway_and_says_what_waits_for_the_engine(
    engine_down: Cli, down_url: str
) -> None:
    cli = engine_down
    r = cli("run", "--once", "--config", str(EXAMPLE_CONFIG), timeout=300)
    warnings = [line for line in r.stderr.splitlines() if line.startswith("warning:")]
    assert (
        len(warnings) == 1
        and f"cannot reach opensearch at {down_url} (search.urls)" in (warnings[0])
    )
    assert "Traceback" not in r.stderr
    waiting = cli.scalar("SELECT COUNT(*) FROM outbox")
    assert waiting > 0
    assert f"· 0 stored · {waiting} wait for the search engine" in r.stdout
    assert (
        cli.json("status", "--config", str(EXAMPLE_CONFIG))["articles"]["waiting_for_enrichment"]
        == waiting
    )


def test_a_signal_stops_a_run_waiting_for_the_engine_and_keeps_its_articles(
    engine_down: Cli,
) -> None:
    cli = engine_down
    run = cli.popen("run", "--quiet", "--config", str(EXAMPLE_CONFIG))
    try:
        deadline = time.monotonic() + 300
        while not (cli.ready() and cli.scalar("SELECT COUNT(*) FROM outbox") >= 100):
            assert run.poll() is None and time.monotonic() < deadline, run.stderr
            time.sleep(0.3)
        time.sleep(1)  # the store stage is in the bulk sink's backoff by now
        run.send_signal(signal.SIGTERM)
        out, err = run.communicate(timeout=60)  # the sink stops waiting: no hang
    finally:
        run.kill()
    assert run.returncode == 0, err
    waiting = cli.scalar("SELECT COUNT(*) FROM outbox")
    assert waiting == cli.scalar("SELECT COUNT(*) FROM seen") > 0
    assert f"{waiting} wait for the search engine" in out
    assert "Traceback" not in err
