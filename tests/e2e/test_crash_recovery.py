"""SIGKILL mid-run, then run again: no article lost, none stored twice, no hit twice,
and a webhook resent after the crash carries the same idempotency key."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli
from tests.support.webhook_receiver import WebhookReceiver

pytestmark = pytest.mark.e2e

SECRET = "crash-test-secret"


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    with WebhookReceiver(secret=SECRET) as r:
        r.reply_delay = 0.05  # deliveries take a while, so a kill can land among them
        yield r


def hook_env(receiver: WebhookReceiver) -> dict[str, str]:
    return {
        "WIREWATCH_NOTIFY__WEBHOOK_SECRET": SECRET,
        "WIREWATCH_FETCH__ALLOW_PRIVATE": f'["127.0.0.1:{receiver.port}"]',
    }


def kill_when(cli: Cli, env: dict[str, str], condition: Callable[[Cli], bool]) -> bool:
    """Start `run --once`, SIGKILL it as soon as `condition` holds; False if it finished first."""
    proc = cli.popen("run", "--once", "--quiet", "--config", str(EXAMPLE_CONFIG), env=env)
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                return False
            if cli.ready() and condition(cli):
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                return True
            time.sleep(0.02)
        raise AssertionError("the run neither finished nor reached the kill point in 300 s")
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stdout:
            proc.stdout.close()
        if proc.stderr:
            proc.stderr.close()


def snapshot(cli: Cli) -> tuple[set[str], set[tuple[str, str]]]:
    con = cli.db()
    try:
        articles = {r[0] for r in con.execute("SELECT id FROM articles")}
        hits = {(r[0], r[1]) for r in con.execute("SELECT rule_id, article_id FROM hits")}
        return articles, hits
    finally:
        con.close()


@pytest.fixture(scope="module")
def clean_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[set[str], set[tuple[str, str]]]:
    """What one uninterrupted run stores and hits: the reference."""
    home = tmp_path_factory.mktemp("clean")
    cli = Cli(home, home / "data")
    cli("run", "--once", "--quiet", "--config", str(EXAMPLE_CONFIG))
    return snapshot(cli)


@pytest.mark.parametrize(
    "kill_point",
    [
        pytest.param(lambda c: c.scalar("SELECT COUNT(*) FROM outbox") > 0, id="after-accept"),
        pytest.param(lambda c: c.scalar("SELECT COUNT(*) FROM articles") > 0, id="mid-store"),
        pytest.param(
            lambda c: c.scalar("SELECT COUNT(*) FROM deliveries WHERE state='delivered'") > 0,
            id="mid-delivery",
        ),
    ],
)
def test_sigkill_then_rerun_loses_nothing_and_duplicates_nothing(
    make_cli: Callable[[str], Cli],
    receiver: WebhookReceiver,
    clean_run: tuple[set[str], set[tuple[str, str]]],
    kill_point: Callable[[Cli], bool],
) -> None:
    cli = make_cli("crashy")
    env = hook_env(receiver)
    cli(
        "alerts",
        "add",
        "hooked",
        "israel OR gaza OR ukraine OR trump",
        "--webhook",
        f"http://127.0.0.1:{receiver.port}/hook",
        "--config",
        str(EXAMPLE_CONFIG),
        env=env,
    )
    killed = kill_when(cli, env, kill_point)
    assert killed, "the run finished before the kill point; the test proved nothing"

    cli("run", "--once", "--quiet", "--config", str(EXAMPLE_CONFIG), env=env)
    articles, hits = snapshot(cli)
    ref_articles, ref_hits = clean_run
    assert ref_articles and ref_hits, "the reference run stored or hit nothing"
    assert articles == ref_articles  # nothing lost, nothing extra
    # the example rule's hits equal the clean run's; the extra rule's hits are one per article
    assert {h for h in hits if h[0] in {r for r, _ in ref_hits}} == ref_hits
    hooked = cli.json(
        "alerts",
        "hits",
        "--rule",
        "hooked",
        "--limit",
        "100000",
        "--config",
        str(EXAMPLE_CONFIG),
        env=env,
    )
    assert hooked, "the webhook rule should match the recorded news"
    assert len({h["id"] for h in hooked}) == len(hooked)
    sent = [h for h in hooked if h["folded_into"] is None]  # a story's copies fold, unsent
    states = {h["id"]: [d["state"] for d in h["deliveries"]] for h in hooked}
    assert all(states[h["id"]] == ["delivered"] for h in sent), [
        (h["title"], h["deliveries"]) for h in sent if states[h["id"]] != ["delivered"]
    ]
    assert all(states[h["id"]] == [] for h in hooked if h["folded_into"] is not None)

    # every delivery is signed; every hit arrived; a resend reused the same key
    assert all(req.signature_ok for req in receiver.requests)
    keys = [req.idempotency_key for req in receiver.requests]
    assert set(keys) == {h["id"] for h in sent}
    for req in receiver.requests:
        assert req.json["alert"]["id"] == req.idempotency_key
