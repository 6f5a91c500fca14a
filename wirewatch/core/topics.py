"""The distributed mode's topics as `wirewatch setup` creates them: names, partitions, configs.

Pure (no Kafka client): the admin adapter (`sinks/kafka/admin.py`) applies this plan,
and tests and docs read it. The two control topics, `feeds` and `alerts.rules`, are
compacted (the latest record per key is the current subscription or rule; a tombstone
removes it) and have one partition: every poller and worker reads all of them, and one
partition keeps every change to a key in order. `articles.raw` keeps
`kafka.raw_retention_hours`, which bounds how far re-processing can replay. The story
candidates topic has one partition too: one resolver owns all the story state and reads
every worker's candidates in one order (docs/distributed.md, "Stories across partitions").
`consumer_groups` names the roles' consumer groups and the topics each consumes, which
`wirewatch status` reports the lag of.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from wirewatch.core.settings import KafkaSettings

HOUR_MS = 3_600_000
COMPACTED = {"cleanup.policy": "compact"}
SESSION_TIMEOUT_S = 10.0
"""How long the broker waits for a silent member of a role's consumer group before it
gives the member's partitions to the others. A worker or sink that dies without leaving
(kill -9, a lost machine) holds its partitions until then, and an eager rebalance stalls
the whole group meanwhile: with the clients' defaults, measured, every worker stood still
for a minute after a kill -9 (faust: 60 s) and a restarted sink indexed nothing for 45 s
(kafka-python: 45 s). 10 s (heartbeats every 3 s) is the least Kafka's default
group.min.session.timeout.ms (6 s) allows with room for a busy machine."""


@dataclass(frozen=True)
class TopicSpec:
    """One topic: its name, its partition count and the configs it is created with."""

    name: str
    partitions: int
    configs: dict[str, str] = field(default_factory=dict)

    @property
    def compacted(self) -> bool:
        return self.configs.get("cleanup.policy") == "compact"


def topic_plan(k: KafkaSettings) -> list[TopicSpec]:
    """Every topic of the distributed mode, in the order the data flows."""
    retention_ms = str(int(k.raw_retention_hours * HOUR_MS))
    return [
        TopicSpec(k.topic_feeds, 1, dict(COMPACTED)),
        TopicSpec(k.topic_raw, k.partitions_raw, {"retention.ms": retention_ms}),
        TopicSpec(k.topic_candidates, 1),
        TopicSpec(k.topic_enriched, k.partitions_enriched),
        TopicSpec(k.topic_rules, 1, dict(COMPACTED)),
        TopicSpec(k.topic_alerts, k.partitions_alerts),
        TopicSpec(k.topic_deadletters, k.partitions_deadletters),
    ]


@dataclass(frozen=True)
class GroupSpec:
    """A role's consumer group (every process of the role joins it) and what it consumes."""

    role: str
    group_id: str
    topics: tuple[str, ...]


def group_id(k: KafkaSettings, role: str) -> str:
    """The consumer group every process of `role` joins (faust's app id for the worker)."""
    return f"{k.client_id}-{role}"


def consumer_groups(k: KafkaSettings) -> list[GroupSpec]:
    """The consumer groups of the roles that read the data topics, in the order data flows:
    the workers (`articles.raw`, the story candidates, `articles.enriched`) and the sinks
    (`articles.enriched`, `alerts`)."""
    return [
        GroupSpec(
            "worker", group_id(k, "worker"), (k.topic_raw, k.topic_candidates, k.topic_enriched)
        ),
        GroupSpec("sink", group_id(k, "sink"), (k.topic_enriched, k.topic_alerts)),
    ]
