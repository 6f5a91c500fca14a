"""`wirewatch status` in distributed mode: consumer lag of the roles, messages per topic,
dead letters and the control plane, as the broker reports them.

Kafka (the `kafka` extra) is imported when the command runs (see wirewatch/cli/app.py).
"""

from __future__ import annotations

from typing import Any

from wirewatch.cli.common import out, print_json, print_problem, user_errors
from wirewatch.cli.tables import Column, print_table
from wirewatch.core.settings import KafkaSettings

LAG_COLUMNS = (
    Column("role", 8),
    Column("topic", None),
    Column("partition", 9, justify="right"),
    Column("committed", 12, justify="right"),
    Column("end", 12, justify="right"),
    Column("lag", 12, justify="right"),
)
TOPIC_COLUMNS = (
    Column("topic", None),
    Column("partitions", 10, justify="right"),
    Column("messages", 12, justify="right"),
)


def cluster_status(k: KafkaSettings, json_out: bool) -> None:
    """Print the distributed status report (or its JSON)."""
    from sinks.kafka.status import read_status

    with user_errors():
        report = read_status(k)
    if json_out:
        print_json(report)
        return
    out.print(f"kafka      {report['bootstrap_servers']}")
    out.print(f"control    {_control(report['control'])}")
    for g in report["groups"]:
        out.print(f"{g['role']:<10} {_group(g)}")
    lag = _lag_rows(report["groups"])
    topics = [
        (t["topic"], str(t["partitions"]), str(t["messages"]))
        for t in report["topics"]
        if not t["missing"]
    ]
    if lag:
        print_table(LAG_COLUMNS, lag, wide=False)
    if topics:
        print_table(TOPIC_COLUMNS, topics, wide=False)
    _deadletters(report["deadletters"])
    for t in report["topics"]:
        if t["missing"]:
            print_problem("missing", f"topic {t['topic']}: create it with `wirewatch setup`")


def _control(c: dict[str, int | None]) -> str:
    feeds = "no feeds topic" if c["feeds"] is None else f"feeds {c['feeds']}"
    if c["rules"] is None:
        return f"{feeds} · no rules topic"
    return f"{feeds} · rules {c['rules']} ({c['paused_rules']} paused)"


def _group(g: dict[str, Any]) -> str:
    if not g["started"]:
        return f"{g['group']}: not started (nothing committed yet) · {g['lag']} waiting"
    members = f"{g['members']} member{'' if g['members'] == 1 else 's'}"
    return f"{g['group']}: {members} ({g['state']}) · lag {g['lag']}"


def _lag_rows(groups: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    rows: list[tuple[str, ...]] = []
    for g in groups:
        for t in g["topics"]:
            for p in t["partitions"]:
                committed = "-" if p["committed"] is None else str(p["committed"])
                end, lag = str(p["end"]), str(p["lag"])
                rows.append((g["role"], t["topic"], str(p["partition"]), committed, end, lag))
            rows.append((g["role"], t["topic"], "total", "", "", str(t["lag"])))
    return rows


def _deadletters(d: dict[str, Any]) -> None:
    if not d["total"]:
        out.print("dead letters 0")
        return
    stages = ", ".join(f"{s} {n}" for s, n in d["by_stage"].items())
    out.print(f"dead letters {d['total']} ({stages}); see `wirewatch deadletters list`")
    for reason, n in d["by_reason"].items():
        print_problem(str(n), reason)
