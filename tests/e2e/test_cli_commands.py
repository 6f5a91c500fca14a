"""Each CLI command as a subprocess, with its effect asserted (rows, JSON, files)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e

OPML = """<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head><title>Mine</title></head>
  <body>
    <outline text="World">
      <outline type="rss" text="BBC World" xmlUrl="https://feeds.bbci.co.uk/news/world/rss.xml"/>
      <outline type="rss" text="NPR World" xmlUrl="https://feeds.npr.org/1004/rss.xml"/>
    </outline>
  </body>
</opml>
"""


def test_help_everywhere(cli: Cli) -> None:
    for args in (
        [],
        ["run"],
        ["feeds"],
        ["feeds", "add"],
        ["feeds", "import"],
        ["feeds", "export"],
        ["feeds", "list"],
        ["feeds", "rm"],
        ["search"],
        ["alerts"],
        ["alerts", "add"],
        ["alerts", "list"],
        ["alerts", "rm"],
        ["alerts", "hits"],
        ["alerts", "pause"],
        ["alerts", "resume"],
        ["alerts", "test"],
        ["status"],
        ["stories"],
        ["config"],
        ["config", "show"],
    ):
        r = cli(*args, "--help")
        assert "Usage" in r.stdout, args


def test_feeds_add_list_rm(cli: Cli) -> None:
    added = cli.json(
        "feeds", "add", "https://feeds.bbci.co.uk/news/world/rss.xml", "--title", "BBC World"
    )
    assert added["created"] is True
    again = cli.json("feeds", "add", "https://feeds.bbci.co.uk/news/world/rss.xml")
    assert again["created"] is False and again["feed"]["id"] == added["feed"]["id"]
    assert cli.scalar("SELECT COUNT(*) FROM feeds") == 1
    listed = cli.json("feeds", "list")
    assert [
        (f["feed"]["title"], f["state"]["last_status"], f["state"]["consecutive_errors"])
        for f in listed
    ] == [("BBC World", "new", 0)]
    assert "BBC World" in cli("feeds", "list").stdout
    cli("feeds", "rm", added["feed"]["id"])
    assert cli.scalar("SELECT COUNT(*) FROM feeds") == 0


def test_feeds_import_and_export_round_trip(cli: Cli, tmp_path: Path) -> None:
    src = tmp_path / "mine.opml"
    src.write_text(OPML)
    result = cli.json("feeds", "import", str(src))
    assert result["added"] == 2
    assert cli.json("feeds", "import", str(src))["added"] == 0
    out = tmp_path / "export.opml"
    cli("feeds", "export", "-o", str(out))
    exported = out.read_text()
    assert "https://feeds.bbci.co.uk/news/world/rss.xml" in exported
    assert "https://feeds.npr.org/1004/rss.xml" in exported
    # the export imports cleanly into a fresh data dir
    fresh = Cli(cli.home, tmp_path / "other-data")
    assert fresh.json("feeds", "import", str(out))["added"] == 2


def test_malformed_opml_names_file_and_line_and_changes_nothing(cli: Cli, tmp_path: Path) -> None:
    bad = tmp_path / "bad.opml"
    bad.write_text(
        '<?xml version="1.0"?>\n<opml version="2.0">\n<body>\n'
        '<outline xmlUrl="https://a.example/feed">\n</body></opml>\n'
    )
    cli("feeds", "add", "https://feeds.npr.org/1004/rss.xml")
    r = cli("feeds", "import", str(bad), ok=False)
    assert r.returncode != 0
    assert "bad.opml" in r.stderr and "line" in r.stderr
    assert len(r.stderr.strip().splitlines()) <= 3
    assert cli.scalar("SELECT url FROM feeds") == "https://feeds.npr.org/1004/rss.xml"
    assert cli.scalar("SELECT COUNT(*) FROM feeds") == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://example.org/feed.xml", "unsupported URL scheme"),
        ("file:///etc/passwd", "local files are not allowed"),
        ("example.org/feed", "no scheme"),
        ("https://a.example/feed?q=" + "x" * 9_000, "over limits.url_chars (8,192)"),
    ],
)
def test_refused_feed_urls(cli: Cli, url: str, message: str) -> None:
    r = cli("feeds", "add", url, ok=False)
    assert r.returncode == 2
    assert message in r.stderr and "hint" in r.stderr
    assert cli.json("feeds", "list") == []


def test_alerts_add_list_rm_and_bad_query(cli: Cli) -> None:
    rule = cli.json(
        "alerts",
        "add",
        "rafah",
        "rafah AND person:gallant",
        "--webhook",
        "https://hooks.example.org/x",
    )
    assert rule["name"] == "rafah" and rule["webhook_url"] == "https://hooks.example.org/x"
    listed = cli.json("alerts", "list")
    assert [(r["name"], r["query"], r["hits"]) for r in listed] == [
        ("rafah", "rafah AND person:gallant", 0)
    ]
    r = cli("alerts", "add", "rafah", "other", ok=False)
    assert r.returncode == 2 and "already exists" in r.stderr

    bad = cli("alerts", "add", "broken", "gaza AND (rafah", ok=False)
    assert bad.returncode == 2 and "column" in bad.stderr
    neg = cli("alerts", "add", "negative", "NOT iraq", ok=False)
    assert neg.returncode == 2 and "column 1" in neg.stderr
    assert cli.scalar("SELECT COUNT(*) FROM rules") == 1

    cli("alerts", "rm", "rafah")
    assert cli.json("alerts", "list") == []


def test_search_refuses_bad_query_with_column(cli: Cli) -> None:
    r = cli("search", "*mail", ok=False)
    assert r.returncode == 2 and "column 1" in r.stderr and "wildcard" in r.stderr.lower()


def test_config_show_sources_and_redaction(cli: Cli, tmp_path: Path) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("queue_size: 7\nnotify:\n  webhook_secret: hunter2\n  smtp_user: desk\n")
    env = {"WIREWATCH_FETCH__CONCURRENCY": "3", "WIREWATCH_NOTIFY__SMTP_PASSWORD": "smtp-pw"}
    shown = cli.json("config", "show", "--config", str(cfg), env=env)
    s = shown["settings"]
    assert s["queue_size"] == {"value": 7, "source": f"file {cfg}"}
    assert s["fetch.concurrency"] == {"value": 3, "source": "env"}
    assert s["data_dir"]["source"] == "env"  # the fixture sets WIREWATCH_DATA_DIR
    assert s["notify.webhook_secret"]["value"] == "**********"
    assert s["notify.smtp_password"] == {"value": "**********", "source": "env"}
    assert s["limits.items_per_feed"] == {"value": 1000, "source": "default"}
    assert s["limits.url_chars"] == {"value": 8192, "source": "default"}
    assert s["retention.seen_days"] == {"value": 90, "source": "default"}
    assert s["retention.events_days"] == {"value": 30, "source": "default"}
    text = cli("config", "show", "--config", str(cfg), env=env).stdout
    assert "notify.smtp_password" in text
    for secret in ("hunter2", "smtp-pw"):
        assert secret not in text and secret not in json.dumps(shown)


def test_unknown_config_key_fails_with_suggestion_and_changes_nothing(
    cli: Cli, tmp_path: Path
) -> None:
    cfg = tmp_path / "w.yaml"
    cfg.write_text("alow_local_files: true\n")
    r = cli("run", "--once", "--config", str(cfg), ok=False)
    assert r.returncode == 2
    assert "alow_local_files" in r.stderr and "allow_local_files" in r.stderr
    assert not (cli.data_dir / "wirewatch.db").exists()


def test_unwritable_data_dir_exits_non_zero(cli: Cli, tmp_path: Path) -> None:
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder")
    r = cli("run", "--once", env={"WIREWATCH_DATA_DIR": str(blocker / "data")}, ok=False)
    assert r.returncode != 0 and "data directory" in r.stderr


def test_an_opml_outline_with_an_over_long_url_refuses_the_file(cli: Cli, tmp_path: Path) -> None:
    long_url = "https://b.example/rss?" + "x" * 10_000
    opml = tmp_path / "long.opml"
    opml.write_text(OPML.replace("https://feeds.npr.org/1004/rss.xml", long_url))
    r = cli("feeds", "import", str(opml), ok=False)
    assert r.returncode == 2 and "limits.url_chars" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr) < 1_000  # the URL is not echoed whole
    assert cli.json("feeds", "list") == []


def test_the_example_opml_imports(cli: Cli) -> None:
    example = Path(__file__).resolve().parents[2] / "examples" / "feeds.opml"
    result = cli.json("feeds", "import", str(example))
    assert result["added"] == result["feeds"] == cli.scalar("SELECT COUNT(*) FROM feeds") >= 10


@pytest.mark.parametrize("model", ["en_core_web_lg", "/nonexistent/model-dir"])
def test_a_missing_spacy_model_stops_start_up_with_how_to_install_one(cli: Cli, model: str) -> None:
    r = cli(
        "run",
        "--once",
        "--config",
        str(EXAMPLE_CONFIG),
        ok=False,
        env={"WIREWATCH_ENRICH__SPACY_MODEL": model},
    )
    assert r.returncode == 2
    assert model in r.stderr and "pip install" in r.stderr and "enrich.spacy_model" in r.stderr
    assert "Traceback" not in r.stderr
    assert cli.scalar("SELECT COUNT(*) FROM articles") == 0
