"""Managing alerts as a user does: pause, resume, and preview a query before saving it."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import EXAMPLE_CONFIG, Cli

pytestmark = pytest.mark.e2e

CONFIG = ("--config", str(EXAMPLE_CONFIG))
RULE = "iran-tensions"  # the example config's alert
MINE = "gaza"


def states(cli: Cli) -> dict[str, bool]:
    return {r["name"]: r["enabled"] for r in cli.json("alerts", "list", *CONFIG)}


def test_a_paused_alert_records_no_hits_until_resumed(cli: Cli) -> None:
    cli("alerts", "add", MINE, "gaza OR israel", *CONFIG)
    cli("alerts", "pause", MINE, *CONFIG)
    cli("alerts", "pause", RULE, *CONFIG)
    assert "paused" in cli("alerts", "list", *CONFIG).stdout

    # the config's own rule is read again by the run and must stay paused
    summary = cli.json("run", "--once", *CONFIG)
    assert summary["articles_stored"] > 0 and summary["hits_new"] == 0
    assert cli.json("alerts", "hits", *CONFIG) == []
    would = cli.json("alerts", "test", "gaza OR israel", "--since", "2000-01-01", *CONFIG)
    assert would["matched"] > 0, "the paused rule would have fired: the check means something"
    assert states(cli) == {MINE: False, RULE: False}

    cli("alerts", "resume", MINE, *CONFIG)
    assert states(cli) == {MINE: True, RULE: False}
    # hits are recorded for new articles: the ones already stored were missed while paused
    assert cli.json("run", "--once", *CONFIG)["hits_new"] == 0

    missing = cli("alerts", "pause", "nope", *CONFIG, ok=False)
    assert missing.returncode == 2 and "no alert named 'nope'" in missing.stderr


def test_alerts_test_counts_what_search_finds(cli: Cli) -> None:
    cli("run", "--once", "--quiet", *CONFIG)
    since = ("--since", "2000-01-01")
    for query in ("iran", 'iran AND (place:israel OR place:"united states")', "zzzunheardof"):
        preview = cli.json("alerts", "test", query, *since, *CONFIG)
        found = cli.json("search", query, *since, "--limit", "1000", *CONFIG)
        assert preview["matched"] == len(found) == sum(d["articles"] for d in preview["per_day"])
        assert not preview["capped"]
        assert [s["id"] for s in preview["samples"]] == [r["id"] for r in found[:5]]
        per_day: dict[str, int] = {}
        for r in found:
            per_day[r["published_at"][:10]] = per_day.get(r["published_at"][:10], 0) + 1
        assert {d["day"]: d["articles"] for d in preview["per_day"]} == per_day
    assert cli.json("alerts", "test", "iran", *since, *CONFIG)["matched"] > 0
    # a preview saves nothing
    assert [r["name"] for r in cli.json("alerts", "list", *CONFIG)] == ["iran-tensions"]

    text = cli("alerts", "test", "iran", *since, *CONFIG).stdout
    assert "articles since 2000-01-01" in text

    bad = cli("alerts", "test", "gaza AND (rafah", *CONFIG, ok=False)
    assert bad.returncode == 2 and "column" in bad.stderr
    neg = cli("alerts", "test", "NOT iraq", *CONFIG, ok=False)
    assert neg.returncode == 2 and "column 1" in neg.stderr


SLACK = "https://hooks.slack.com/services/T000/B000/slack-path-secret"


def test_channels_are_checked_shown_redacted_dead_lettered_and_retried(cli: Cli) -> None:
    """Bad channels are refused (a Slack URL's secret path never echoed), channels are
    listed redacted; e-mail without notify.smtp_host cannot be sent, so each hit's e-mail
    deliveries are dead-lettered at once, listed, counted in status, put back by retry."""
    bad = {
        ("--slack", "http://hooks.slack.com/services/T0/B0/slack-path-secret"): "Slack URL",
        ("--email", "Desk <desk@example.org>"): "is not a plain address",
        ("--email", "desk@example.org\nBcc: x@example.org"): "is not a plain address",
    }
    for option, refusal in bad.items():
        refused = cli("alerts", "add", "bad", "gaza", *option, *CONFIG, ok=False)
        assert refused.returncode != 0 and refusal in refused.stderr
        assert "slack-path-secret" not in refused.stderr
    cli("alerts", "add", "slacky", "gaza", "--slack", SLACK, *CONFIG)
    add = ("--email", "desk@example.org", "--email", "ed@example.org")
    cli("alerts", "add", MINE, "gaza OR israel", *add, *CONFIG)
    listed = cli("alerts", "list", *CONFIG).stdout + str(cli.json("alerts", "list", *CONFIG))
    assert "https://hooks.slack.com/services/***" in listed and "desk@example.org" in listed
    assert "slack-path-secret" not in listed
    cli("alerts", "rm", "slacky", *CONFIG)  # tests reach only loopback: no Slack delivery

    cli("alerts", "pause", RULE, *CONFIG)
    summary = cli.json("run", "--once", *CONFIG)
    assert summary["hits_new"] > 0
    hits = cli.json("alerts", "hits", "--rule", MINE, *CONFIG)
    assert len(hits) == summary["hits_new"]
    channels = [(d["channel"], d["target"]) for d in hits[0]["deliveries"]]
    assert channels == [("email", "desk@example.org"), ("email", "ed@example.org")]
    dead = cli.json("alerts", "deliveries", "--failed", "--limit", "10000", *CONFIG)
    assert len(dead) == 2 * len(hits) and {d["channel"] for d in dead} == {"email"}
    assert {d["last_error"] for d in dead} == {
        "e-mail is not configured: set notify.smtp_host and notify.smtp_from"
    }
    shown = cli("alerts", "deliveries", "--failed", "--wide", *CONFIG).stdout
    assert "desk@example.org" in shown and "e-mail is not configured" in shown
    status = cli.json("status", *CONFIG)["alerts"]["deliveries"]
    assert status["failed"] == len(dead) and status["pending"] == 0
    assert "dead-lettered" in cli("status", *CONFIG).stdout

    one = cli.json("alerts", "retry", MINE, "--id", hits[0]["id"], *CONFIG)
    assert one == {"retried": sum(1 for d in dead if d["alert_id"] == hits[0]["id"])}
    assert cli.json("status", *CONFIG)["alerts"]["deliveries"]["pending"] == one["retried"]
    assert cli.json("alerts", "retry", *CONFIG)["retried"] == len(dead) - one["retried"]
    assert cli.json("alerts", "deliveries", "--failed", *CONFIG) == []
    missing = cli("alerts", "retry", "nope", *CONFIG, ok=False)
    assert missing.returncode == 2 and "no alert named 'nope'" in missing.stderr


def test_a_digest_rule_holds_its_hits_for_one_message(cli: Cli) -> None:
    bad = cli("alerts", "add", "weekly", "gaza", "--digest", "weekly", *CONFIG, ok=False)
    assert bad.returncode == 2 and "digest 'weekly' is not one of off, hourly, daily" in bad.stderr
    zero = cli("alerts", "add", "never", "gaza", "--throttle", "0", *CONFIG, ok=False)
    assert zero.returncode == 2 and "--throttle" in zero.stderr

    hook = "http://127.0.0.1:9/never-reached-before-the-day-ends"
    cli("alerts", "add", MINE, "gaza OR israel", "--webhook", hook, "--digest", "daily", *CONFIG)
    cli("alerts", "add", "calm", "iran", "--throttle", "3", *CONFIG)
    listed = cli("alerts", "list", *CONFIG).stdout
    assert "daily digest" in listed and "≤ 3/hour, then a digest" in listed
    shown = {
        r["name"]: (r["digest"], r["throttle_per_hour"])
        for r in cli.json("alerts", "list", *CONFIG)
    }
    assert shown[MINE] == ("daily", None) and shown["calm"] == ("off", 3)

    summary = cli.json("run", "--once", *CONFIG)
    assert summary["hits_new"] > 0
    held = cli.json("alerts", "deliveries", "--rule", MINE, *CONFIG)
    assert held and {d["state"] for d in held} == {"held"}  # not sent, not lost
    assert cli.json("status", *CONFIG)["alerts"]["deliveries"]["held"] == len(held)
