"""The CLI with search.engine: opensearch against the real node, compared with SQLite.

The example config runs once with the embedded index and once with OpenSearch as
the index (`setup` first); `search` and `stories` must answer the same articles in
the same date order, and `status` count the same stored articles.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

QUERIES = [
    "iran",
    "israel OR gaza",
    'iran AND (place:israel OR place:"united states")',
    "trump*",
    '"cease fire"~3 OR ceasefire',
    "lang:en",
]


def _engine_env(url: str, prefix: str) -> dict[str, str]:
    return {
        "WIREWATCH_SEARCH__ENGINE": "opensearch",
        "WIREWATCH_SEARCH__URLS": url,
        "WIREWATCH_SEARCH__INDEX_PREFIX": prefix,
        "WIREWATCH_SEARCH__REPLICAS": "0",
    }


@pytest.fixture(scope="module")
def two_runs(
    opensearch_url: str, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Cli, Cli, dict[str, str]]:
    """The example config run with SQLite and with OpenSearch as the index."""
    homes = [tmp_path_factory.mktemp(n) for n in ("sqlite", "opensearch")]
    sqlite, engine = (Cli(h, h / "data") for h in homes)
    env = _engine_env(opensearch_url, f"cli{uuid.uuid4().hex[:8]}")
    sqlite.json("run", "--once", "--config", str(EXAMPLE_CONFIG))
    engine("setup", "--config", str(EXAMPLE_CONFIG), env=env)
    engine.json("run", "--once", "--config", str(EXAMPLE_CONFIG), env=env)
    return sqlite, engine, env


def _ask(cli: Cli, env: dict[str, str] | None, *args: str) -> object:
    return cli.json(*args, "--config", str(EXAMPLE_CONFIG), env=env)


@pytest.mark.parametrize("query", QUERIES)
def test_search_answers_what_sqlite_answers_in_the_same_order(two_runs, query):
    sqlite, engine, env = two_runs
    expected = _ask(sqlite, None, "search", query, "--limit", "1000")
    assert expected, f"{query!r} finds nothing: pick a query the example feeds answer"
    found = _ask(engine, env, "search", query, "--limit", "1000")
    assert [a["id"] for a in found] == [a["id"] for a in expected]
    assert found == expected


def test_stories_are_the_same(two_runs):
    sqlite, engine, env = two_runs
    args = ("stories", "--since", "3650d", "--limit", "20")
    expected = _ask(sqlite, None, *args)
    assert len(expected) == 20  # the example feeds' stories are single articles: date order
    assert _ask(engine, env, *args) == expected


def test_status_counts_the_articles_in_the_engine_and_nothing_waits(two_runs):
    sqlite, engine, env = two_runs
    want = _ask(sqlite, None, "status")["articles"]
    got = _ask(engine, env, "status")["articles"]
    assert got == want and got["waiting_for_enrichment"] == 0
    assert engine.scalar("SELECT COUNT(*) FROM articles") == 0  # SQLite did not index them


def test_alert_hits_are_recorded_once_and_copied_to_the_engine(two_runs, opensearch_url):
    sqlite, engine, env = two_runs
    expected = sorted(h["id"] for h in _ask(sqlite, None, "alerts", "hits"))
    assert expected
    assert sorted(h["id"] for h in _ask(engine, env, "alerts", "hits")) == expected
    from opensearchpy import OpenSearch

    client = OpenSearch(opensearch_url)
    index = f"{env['WIREWATCH_SEARCH__INDEX_PREFIX']}-alert-hits"
    client.indices.refresh(index=index)
    docs = client.search(index=index, body={"size": 1000, "query": {"match_all": {}}})
    client.close()
    assert sorted(d["_id"] for d in docs["hits"]["hits"]) == expected


def test_setup_is_idempotent_and_reports_each_step(two_runs):
    _, engine, env = two_runs
    report = _ask(engine, env, "setup")
    assert report["engine"] == "opensearch"
    assert report == _ask(engine, env, "setup")
    prefix = env["WIREWATCH_SEARCH__INDEX_PREFIX"]
    assert f"index template {prefix}-articles installed" in report["steps"]
    assert report["steps"][0].startswith("retention: ISM is not installed")


def test_a_url_that_is_not_the_engine_names_search_urls(opensearch_url: str, tmp_path: Path):
    cli = Cli(tmp_path, tmp_path / "data")
    env = _engine_env(f"{opensearch_url}/not-here", "wrong")
    r = cli("search", "gaza", ok=False, env=env)
    assert r.returncode == 2, r.stderr
    assert "search.urls" in r.stderr and "Traceback" not in r.stderr


def test_elasticsearch_with_core_analysis_runs_the_example_end_to_end(
    elasticsearch_url: str, tmp_path: Path
):
    """The ES 9.5.3 test node lacks analysis-common: `analysis: core`, same wiring."""
    cli = Cli(tmp_path, tmp_path / "data")
    env = {
        **_engine_env(elasticsearch_url, f"es{uuid.uuid4().hex[:8]}"),
        "WIREWATCH_SEARCH__ENGINE": "elasticsearch",
        "WIREWATCH_SEARCH__ANALYSIS": "core",
    }
    steps = _ask(cli, env, "setup")["steps"]
    assert steps[0].startswith("retention: ILM is not available")
    summary = _ask(cli, env, "run", "--once")
    assert summary["articles_stored"] > 0
    assert _ask(cli, env, "status")["articles"]["stored"] == summary["articles_stored"]
    found = _ask(cli, env, "search", "iran", "--limit", "1000")
    dates = [a["published_at"] for a in found]
    assert found and dates == sorted(dates, reverse=True)
