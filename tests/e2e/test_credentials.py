"""Feeds behind a password, as a user sets them up: fetched with basic auth, never shown.

One run polls a local server whose feed needs `bob:s3cret-pw` (and a second feed
with a wrong password and a `?token=`). Then every command that shows feeds,
alerts, settings or the run is checked for the secrets, and the database for
where the password is kept.
"""

from __future__ import annotations

import base64
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli
from tests.support.http_server import Reply, Request, TestServer

pytestmark = pytest.mark.e2e

PASSWORD = "s3cret-pw"
SECRETS = (PASSWORD, "WRONG-pw", "T0K3N", "H00KTOKEN", "H00KPW")
FEED = (EXAMPLE_CONFIG.parent / "recorded" / "npr-world.xml").read_bytes()
GOOD = "Basic " + base64.b64encode(f"bob:{PASSWORD}".encode()).decode()


def behind_basic_auth(req: Request) -> Reply:
    if req.headers.get("authorization") != GOOD:
        return Reply(401, {"WWW-Authenticate": 'Basic realm="feeds"'}, b"who are you?")
    return Reply(200, {"Content-Type": "application/rss+xml"}, FEED)


@pytest.fixture(scope="module")
def setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Cli, Path, str, str]]:
    """A user's data dir after adding both feeds, two alerts with secret webhooks, one run."""
    home = tmp_path_factory.mktemp("creds")
    with TestServer() as server:
        server.route("/feed.xml", behind_basic_auth)
        server.route("/other.xml", behind_basic_auth)
        cfg = home / "wirewatch.yaml"
        cfg.write_text(f"fetch:\n  allow_private: ['{server.allow_entry}']\n")
        cli = Cli(home, home / "data")
        host = server.allow_entry
        add = cli("feeds", "add", f"http://bob:{PASSWORD}@{host}/feed.xml", "--config", str(cfg))
        cli(
            "feeds",
            "add",
            f"http://bob:WRONG-pw@{host}/other.xml?token=T0K3N",
            "--config",
            str(cfg),
        )
        for name, hook in (
            ("a", "https://hooks.example/in?token=H00KTOKEN"),
            ("b", "https://hook:H00KPW@hooks.example/in"),
        ):
            cli(
                "alerts",
                "add",
                name,
                "zzyzx-nothing-matches",
                "--webhook",
                hook,
                "--config",
                str(cfg),
            )
        run = cli("run", "--once", "--config", str(cfg))
        yield cli, cfg, add.stdout + add.stderr, run.stdout + run.stderr


def test_the_feed_behind_basic_auth_is_fetched(setup: tuple[Cli, Path, str, str]) -> None:
    cli, cfg, _, run = setup
    feeds = {
        f["feed"]["url"].rsplit("/", 1)[1]: f["state"]
        for f in cli.json("feeds", "list", "--config", str(cfg))
    }
    assert feeds["feed.xml"]["last_status"] == "ok"
    assert cli.scalar("SELECT COUNT(*) FROM articles") > 0
    # the wrong password is the publisher's refusal, reported with the URL redacted
    assert feeds["other.xml?token=***"]["last_error"].startswith("HTTP 401 from http://")
    assert "1 failed" in run and "other.xml?token=***" in run


@pytest.mark.parametrize(
    "command",
    [
        ["feeds", "list"],
        ["feeds", "list", "--json"],
        ["feeds", "export"],
        ["config", "show"],
        ["config", "show", "--json"],
        ["alerts", "list"],
        ["alerts", "list", "--json"],
        ["status"],
        ["status", "--json"],
        ["feeds", "rm", "http://bob:WRONG-pw@127.0.0.1:9/nope.xml?token=T0K3N"],
    ],
)
def test_no_output_shows_a_secret(setup: tuple[Cli, Path, str, str], command: list[str]) -> None:
    cli, cfg, add, run = setup
    r = cli(*command, "--config", str(cfg), ok=False)
    assert r.returncode in (0, 2), r.stderr
    shown = r.stdout + r.stderr + add + run
    for secret in SECRETS:
        assert secret not in shown, (secret, command)


def test_adding_and_removing_never_echo_a_secret(cli: Cli) -> None:
    url = "https://bob:s3cret-pw@feeds.example/f.xml?token=T0K3N"
    outputs = [
        cli("feeds", "add", url),
        cli("feeds", "add", url, "--json"),
        cli("feeds", "add", "ftp://bob:s3cret-pw@feeds.example/f.xml?token=T0K3N", ok=False),
        cli("feeds", "rm", url, "--json"),
    ]
    assert "with basic-auth credentials" in outputs[0].stdout
    assert outputs[2].returncode == 2 and "unsupported URL scheme" in outputs[2].stderr
    assert cli.scalar("SELECT COUNT(*) FROM feeds") == 0  # rm found it by the URL with secrets
    for r in outputs:
        for secret in SECRETS:
            assert secret not in r.stdout + r.stderr, secret


def test_the_password_is_kept_only_in_the_credentials_column(
    setup: tuple[Cli, Path, str, str],
) -> None:
    cli, _, _, _ = setup
    path = cli.data_dir / "wirewatch.db"
    con = sqlite3.connect(path)
    found = []
    for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for column in [c[1] for c in con.execute(f"PRAGMA table_info('{table}')")]:
            n = con.execute(
                f"SELECT COUNT(*) FROM '{table}' WHERE CAST(\"{column}\" AS TEXT) LIKE ?",
                (f"%{PASSWORD}%",),
            ).fetchone()[0]
            found += [f"{table}.{column}"] * n
    con.close()
    assert found == ["feeds.auth"]  # one feed has this password: one row, one column
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_export_redacts_unless_asked_and_the_full_export_works_elsewhere(
    setup: tuple[Cli, Path, str, str], tmp_path: Path
) -> None:
    cli, cfg, _, _ = setup
    r = cli("feeds", "export", "--config", str(cfg))
    assert "token=***" in r.stdout and "credentials of 2 feed(s) are redacted" in r.stderr
    full = tmp_path / "full.opml"
    cli("feeds", "export", "--include-secrets", "-o", str(full), "--config", str(cfg))
    assert stat.S_IMODE(full.stat().st_mode) == 0o600
    text = full.read_text()
    assert f"bob:{PASSWORD}@" in text and "token=T0K3N" in text
    fresh = Cli(cli.home, tmp_path / "fresh-data")
    assert fresh.json("feeds", "import", str(full), "--config", str(cfg))["added"] == 2
    con = sqlite3.connect(fresh.data_dir / "wirewatch.db")
    auths = [a for (a,) in con.execute("SELECT auth FROM feeds ORDER BY url")]
    con.close()
    assert PASSWORD in auths[0] and "WRONG-pw" in auths[1]
