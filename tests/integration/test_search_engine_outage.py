"""`wirewatch run` through an outage of the real OpenSearch node: nothing lost, nothing twice.

The node is stopped before the run starts, so the run begins with the engine down: it
must warn once, poll every recorded feed and keep what it accepted in the outbox. The
node is started again; without a restart of the run, the outbox drains into the
engine. Each article is then indexed exactly once (counted by id over every monthly
index) and each hit recorded once, in SQLite and in the alert-hits index. A SIGTERM
then stops the run cleanly. (Stopping the node costs a restart, ~10-20 s: one test.)
"""

from __future__ import annotations

import signal
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from opensearchpy import OpenSearch

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

CONFIG = ("--config", str(EXAMPLE_CONFIG))


def _wait_for(what: str, ok: Callable[[], bool], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not ok():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)


def _all_polled_and_waiting(cli: Cli) -> bool:
    if not cli.ready():
        return False
    unpolled = cli.scalar(
        "SELECT COUNT(*) FROM feeds WHERE json_extract(state, '$.last_status') = 'new'"
    )
    seen, waiting = (
        cli.scalar("SELECT COUNT(*) FROM seen"),
        cli.scalar("SELECT COUNT(*) FROM outbox"),
    )
    return unpolled == 0 and seen > 0 and waiting == seen


def _ids(client: OpenSearch, index: str) -> list[str]:
    client.indices.refresh(index=index)
    found = client.search(index=index, body={"size": 10_000, "_source": False})
    return [d["_id"] for d in found["hits"]["hits"]]


def test_run_waits_out_a_stopped_engine_and_indexes_every_article_once(
    opensearch, opensearch_url: str, tmp_path: Path
) -> None:
    cli = Cli(tmp_path, tmp_path / "data")
    prefix = f"outage{uuid.uuid4().hex[:8]}"
    cli.env |= {
        "WIREWATCH_SEARCH__ENGINE": "opensearch",
        "WIREWATCH_SEARCH__URLS": opensearch_url,
        "WIREWATCH_SEARCH__INDEX_PREFIX": prefix,
        "WIREWATCH_SEARCH__REPLICAS": "0",
    }
    cli("setup", *CONFIG)

    opensearch.stop()
    try:
        run = cli.popen("run", "--quiet", *CONFIG)
        try:
            _wait_for(
                "every feed polled into the outbox", lambda: _all_polled_and_waiting(cli), 300
            )
        except BaseException:
            run.kill()
            raise
    finally:
        opensearch.start()
    _wait_for(
        "the outbox to drain into the engine",
        lambda: cli.scalar("SELECT COUNT(*) FROM outbox") == 0,
        300,
    )
    run.send_signal(signal.SIGTERM)
    out, err = run.communicate(timeout=120)
    assert run.returncode == 0, err
    assert "wait for the search engine" not in out
    warnings = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1 and "(search.urls)" in warnings[0]
    assert "Traceback" not in err

    accepted = cli.scalar("SELECT COUNT(*) FROM seen")
    client = OpenSearch(opensearch_url)
    try:
        articles = _ids(client, f"{prefix}-articles")
        copied = _ids(client, f"{prefix}-alert-hits")
    finally:
        client.close()
    assert len(articles) == len(set(articles)) == accepted
    hits = [h["id"] for h in cli.json("alerts", "hits", *CONFIG)]
    assert hits and len(hits) == len(set(hits))
    assert sorted(copied) == sorted(hits)
