"""`wirewatch reprocess` after an enrichment change: stored articles are re-enriched
(their provenance says so), no alert fires again, and a run killed half-way completes
on the next one without re-enriching anything twice."""

from __future__ import annotations

import signal
import time
from typing import Any

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, REPO, Cli

pytestmark = pytest.mark.e2e

CONFIG = ("--config", str(EXAMPLE_CONFIG))
# adding the example user topics changes the taxonomy version in every provenance
NEW_TAXONOMY = {"WIREWATCH_ENRICH__TOPICS_FILE": str(REPO / "examples" / "topics.yaml")}
ALL = ("--since", "3650d")  # the recorded example feeds are years old


def taxonomies(cli: Cli) -> set[str]:
    found: list[dict[str, Any]] = cli.json("search", "iran OR the", "--limit", "1000", *CONFIG)
    return {e["provenance"]["taxonomy_version"] for e in found}


def hits(cli: Cli) -> list[str]:
    return sorted(h["id"] for h in cli.json("alerts", "hits", "--limit", "1000", *CONFIG))


def test_reprocess_reenriches_with_the_new_setting_and_alerts_nobody_again(cli: Cli) -> None:
    run = cli.json("run", "--once", "--quiet", *CONFIG)
    before_hits, before_tax = hits(cli), taxonomies(cli)
    assert run["hits_new"] > 0 and len(before_tax) == 1

    unchanged = cli.json("reprocess", *ALL, *CONFIG)
    assert unchanged["reenriched"] == 0 and unchanged["current"] == run["articles_stored"]

    done = cli.json("reprocess", *ALL, *CONFIG, env=NEW_TAXONOMY)
    assert done["reenriched"] == run["articles_stored"] and done["new_hits"] == 0
    after_tax = taxonomies(cli)
    assert len(after_tax) == 1 and after_tax != before_tax
    assert "+user" in after_tax.pop()
    assert hits(cli) == before_hits


def test_a_killed_reprocess_completes_on_the_next_run_without_redoing_any(cli: Cli) -> None:
    stored = cli.json("run", "--once", "--quiet", *CONFIG)["articles_stored"]
    before_hits = hits(cli)
    redone = "SELECT COUNT(*) FROM articles WHERE payload LIKE '%+user%'"
    proc = cli.popen("reprocess", *ALL, "--json", *CONFIG, env=NEW_TAXONOMY)
    try:
        deadline = time.monotonic() + 300
        while not 0 < cli.scalar(redone) < stored:
            assert proc.poll() is None, "reprocess finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for stream in (proc.stdout, proc.stderr):
            if stream:
                stream.close()
    done_before = cli.scalar(redone)

    rest = cli.json("reprocess", *ALL, *CONFIG, env=NEW_TAXONOMY)

    assert rest["current"] == done_before and rest["reenriched"] == stored - done_before
    assert cli.scalar(redone) == stored
    assert hits(cli) == before_hits
