"""`wirewatch status` in distributed mode on a real broker, as a user runs it: the worker
group's lag is what it has not consumed yet, its live members show, a sink that never ran
is "not started", and dead letters are counted by stage and reason."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from kafka import KafkaConsumer, KafkaProducer

from sinks.kafka.deadletters import dead_letter
from tests.e2e.conftest import Cli
from tests.integration.conftest import Kafka
from wirewatch.core.clock import SystemClock
from wirewatch.core.messages import DeadLetter

_run = itertools.count()
ROLES = ("raw", "enriched", "rules", "alerts", "feeds", "deadletters", "candidates")


def status_cli(kafka: Kafka, home: Path) -> tuple[Cli, dict[str, str], str]:
    """A CLI on this test's own topics and client id (so its own consumer groups)."""
    prefix = f"st{next(_run)}-{id(home) % 10_000}"
    topics = {role: f"{prefix}.{role}" for role in ROLES}
    home.mkdir(parents=True, exist_ok=True)
    kafka_cfg = {f"topic_{role}": name for role, name in topics.items()}
    kafka_cfg |= {"bootstrap_servers": kafka.bootstrap, "client_id": prefix}
    (home / "wirewatch.yaml").write_text(json.dumps({"mode": "distributed", "kafka": kafka_cfg}))
    return Cli(home, home / "data"), topics, prefix


def poison(topics: dict[str, str], offset: int, stage: str, reason: str) -> DeadLetter:
    return DeadLetter.of(
        source_topic=topics["raw"],
        partition=0,
        offset=offset,
        key=f"a{offset}".encode(),
        value=b"\xff",
        stage=stage,
        reason=reason,
        at=SystemClock().now(),
    )


def test_status_shows_the_worker_lag_its_members_and_the_dead_letters(
    kafka: Kafka, tmp_path: Path
) -> None:
    cli, topics, client_id = status_cli(kafka, tmp_path)
    cli("setup")
    cli("alerts", "add", "gaza", "gaza")
    producer = KafkaProducer(bootstrap_servers=kafka.bootstrap)
    for i in range(10):
        producer.send(topics["raw"], key=f"article-{i}".encode(), value=b"{}")
    for offset, (stage, reason) in enumerate(
        [
            ("enrich", "not a valid Article: url: Field required"),
            ("enrich", "not a valid Article: title: Input should be a valid string"),
            ("match", "enrichment failed: ValueError('boom')"),
        ]
    ):
        dead_letter(producer, topics["deadletters"], poison(topics, offset, stage, reason))
    producer.flush()
    producer.close()
    # a "worker" that read 4 of the 10 articles and committed them, and is still up
    worker = KafkaConsumer(
        topics["raw"],
        bootstrap_servers=kafka.bootstrap,
        group_id=f"{client_id}-worker",
        enable_auto_commit=False,
        auto_offset_reset="earliest",
        consumer_timeout_ms=30_000,
    )
    try:
        consumed = list(itertools.islice(worker, 4))
        assert len(consumed) == 4
        worker.commit()
        report = cli.json("status")
        human = cli("status").stdout
    finally:
        worker.close()

    worker_group, sink_group = report["groups"]
    assert worker_group["group"] == f"{client_id}-worker"
    assert worker_group["started"] and worker_group["members"] == 1
    raw = next(t for t in worker_group["topics"] if t["topic"] == topics["raw"])
    assert raw["lag"] == 6 == worker_group["lag"]
    assert sum(p["committed"] or 0 for p in raw["partitions"]) == 4
    assert len(raw["partitions"]) == 6
    assert sink_group["started"] is False and sink_group["members"] == 0
    messages = {t["topic"]: t["messages"] for t in report["topics"]}
    assert messages[topics["raw"]] == 10 and messages[topics["deadletters"]] == 3
    assert report["deadletters"] == {
        "total": 3,
        "by_stage": {"enrich": 2, "match": 1},
        "by_reason": {"not a valid Article": 2, "enrichment failed": 1},
    }
    assert report["control"] == {"feeds": 0, "rules": 1, "paused_rules": 0}
    assert f"{client_id}-worker: 1 member (Stable) · lag 6" in human
    assert f"{client_id}-sink: not started" in human
    assert "dead letters 3 (enrich 2, match 1); see `wirewatch deadletters list`" in human
