"""A data dir made by release 0.1.0, opened by this Wirewatch as its user would."""

from __future__ import annotations

import gzip

import pytest

from sinks.sqlite.migrate import latest_version
from tests.e2e.conftest import Cli
from tests.unit.sinks.test_sqlite_migrate import FIXTURE

pytestmark = pytest.mark.e2e


def test_an_old_data_dir_keeps_its_feeds_alerts_hits_and_articles(cli: Cli) -> None:
    cli.data_dir.mkdir()
    (cli.data_dir / "wirewatch.db").write_bytes(gzip.decompress(FIXTURE.read_bytes()))

    found = cli.json("search", "iran OR place:israel", "--limit", "100")
    hits = cli.json("alerts", "hits", "--limit", "100")
    assert len(hits) == 11 and {h["article_id"] for h in hits} <= {a["id"] for a in found}
    assert [a["name"] for a in cli.json("alerts", "list")] == ["iran", "ukraine"]
    assert len(cli.json("feeds", "list")) == 4
    assert cli.json("status")["articles"]["stored"] == 35
    assert cli.scalar("SELECT value FROM meta WHERE key='schema_version'") == str(latest_version())
