"""A failing feed never stops the others; SIGTERM/SIGINT stop a long run cleanly."""

from __future__ import annotations

import shutil
import signal
import time
from pathlib import Path

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e


def config_with_a_broken_feed(tmp: Path) -> Path:
    good = shutil.copy(EXAMPLE_CONFIG.parent / "recorded" / "npr-world.xml", tmp / "good.xml")
    (tmp / "broken.xml").write_text("this is not a feed at all, just text\n")
    # a download cut short before the first item: an RSS feed, but not well-formed
    text = Path(good).read_text()
    (tmp / "truncated.xml").write_text(text[: text.index("<item")])
    cfg = tmp / "wirewatch.yaml"
    feeds = "".join(f"  - url: {name}\n" for name in ("good.xml", "broken.xml", "truncated.xml"))
    cfg.write_text(f"allow_local_files: true\nfeeds:\n{feeds}")
    return cfg


def test_a_broken_feed_is_named_and_the_rest_goes_on(cli: Cli, tmp_path: Path) -> None:
    cfg = config_with_a_broken_feed(tmp_path)
    r = cli("run", "--once", "--config", str(cfg))
    assert r.returncode == 0
    assert "broken.xml" in r.stdout and "not a feed" in r.stdout
    assert "truncated.xml" in r.stdout and "no item could be read" in r.stdout
    assert cli.scalar("SELECT COUNT(*) FROM articles") > 0
    feeds = {
        Path(f["feed"]["url"]).name: f["state"]
        for f in cli.json("feeds", "list", "--config", str(cfg))
    }
    assert feeds["broken.xml"]["last_status"] == "error"
    assert feeds["broken.xml"]["consecutive_errors"] == 1
    assert "not a feed" in feeds["broken.xml"]["last_error"]
    assert feeds["truncated.xml"]["last_status"] == "error"
    assert "no item could be read" in feeds["truncated.xml"]["last_error"]
    assert feeds["good.xml"]["last_status"] == "ok"
    status = cli.json("status", "--config", str(cfg))
    assert status["feeds"]["failing"] == 2 and status["problems"]["ingest"] == 2


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_a_continuous_run_cleanly(cli: Cli, sig: signal.Signals) -> None:
    proc = cli.popen("run", "--quiet", "--config", str(EXAMPLE_CONFIG))
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and (
            not cli.ready() or cli.scalar("SELECT COUNT(*) FROM articles") < 100
        ):
            assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
            time.sleep(0.1)
        proc.send_signal(sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "finishing accepted articles" in err
    assert cli.scalar("SELECT COUNT(*) FROM outbox") == 0
    status = cli.json("status", "--config", str(EXAMPLE_CONFIG))
    assert status["runtime"]["running"] is False
    assert status["runtime"]["summary"]["interrupted"] is True
