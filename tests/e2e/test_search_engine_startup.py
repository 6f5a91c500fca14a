"""Start-up with a search engine configured: one clear error naming the setting, exit 2.

The credential path needs an engine with security, which the test nodes lack: a stub
HTTP server on loopback answers 401 as a secured engine does: `search` and `run` both
refuse to start. (An engine that is down is not fatal to a run:
tests/e2e/test_search_engine_down.py. tests/integration/test_search_engine_cli.py runs
the same commands against the real nodes.)
"""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Cli
from tests.support.http_server import Reply, TestServer

pytestmark = pytest.mark.e2e

ENGINES = ["opensearch", "elasticsearch"]
UNAUTHORIZED = (
    b'{"error":{"type":"security_exception","reason":"missing authentication credentials"},'
    b'"status":401}'
)


def _engine_env(engine: str, url: str, **more: str) -> dict[str, str]:
    env = {"WIREWATCH_SEARCH__ENGINE": engine, "WIREWATCH_SEARCH__URLS": url}
    return env | {f"WIREWATCH_SEARCH__{k.upper()}": v for k, v in more.items()}


@pytest.mark.parametrize("command", [["search", "gaza"], ["run", "--once"]])
@pytest.mark.parametrize("engine", ENGINES)
def test_refused_credentials_name_the_credential_settings(
    cli: Cli, engine: str, command: list[str]
) -> None:
    with TestServer() as server:
        server.route(
            "/_cluster/health",
            lambda r: Reply(401, {"content-type": "application/json"}, UNAUTHORIZED),
        )
        env = _engine_env(engine, server.url(""), username="elastic", password="wr0ngpw")
        r = cli(*command, ok=False, env=env)
    assert r.returncode == 2, r.stderr
    assert r.stderr.count("error:") == 1 and "Traceback" not in r.stderr
    assert "refused the credentials (HTTP 401)" in r.stderr
    assert "search.username/search.password or search.api_key" in r.stderr
    assert "wr0ngpw" not in r.stderr + r.stdout
    assert not (cli.data_dir / "runtime.lock").exists()


def test_setup_with_sqlite_says_there_is_nothing_to_set_up(cli: Cli) -> None:
    assert "nothing to set up" in cli("setup").stdout
    assert cli.json("setup") == {"engine": "sqlite", "steps": []}
