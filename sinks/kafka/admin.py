"""Creating the distributed mode's topics (`wirewatch setup`), safe to run again.

The broker does not create topics on its own (and faust ignores a source topic that
appears after it started), so every topic of `wirewatch.core.topics.topic_plan` is
made up front. A topic that exists is left as it is, but one with fewer partitions
than configured, or a control topic that is not compacted, is reported: Kafka cannot
lower a partition count, and silently accepting it would cap the workers (or lose
subscriptions to retention).
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field

from kafka.admin import ConfigResource, ConfigResourceType
from kafka.errors import KafkaError, TopicAlreadyExistsError

from sinks.kafka.connect import admin, unreachable
from wirewatch.core.settings import KafkaSettings
from wirewatch.core.topics import TopicSpec, topic_plan


@dataclass
class TopicsReport:
    """One line per topic of what setup did, and the mismatches it found."""

    lines: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def ensure_topics(k: KafkaSettings) -> TopicsReport:
    plan = topic_plan(k)
    client = admin(k)
    report = TopicsReport()
    try:
        present = set(client.list_topics()) & {s.name for s in plan}
        existing = (
            {t["name"]: t for t in client.describe_topics(sorted(present))} if present else {}
        )
        missing = [s for s in plan if s.name not in present]
        if missing:
            # another `setup` (or poller) may create them at the same moment
            with contextlib.suppress(TopicAlreadyExistsError):
                client.create_topics(
                    {
                        s.name: {
                            "num_partitions": s.partitions,
                            "replication_factor": -1,  # the broker's default.replication.factor
                            "configs": s.configs,
                        }
                        for s in missing
                    },
                    wait_for_metadata=True,
                )
        for s in missing:
            report.lines.append(f"created topic {s.name}: {_shape(s.partitions, s.configs)}")
        kept = [s for s in plan if s.name in present]
        configs = _configs(client, [s.name for s in kept])
        for s in kept:
            count = len(existing[s.name]["partitions"])
            report.lines.append(f"topic {s.name} exists: {_shape(count, configs[s.name])}")
            report.problems.extend(_mismatches(s, count, configs[s.name]))
    except KafkaError as e:
        raise unreachable(k, e) from None
    finally:
        client.close()
    return report


def _configs(client: object, names: list[str]) -> dict[str, dict[str, str]]:
    if not names:
        return {}
    answer = client.describe_configs(  # type: ignore[attr-defined]
        [ConfigResource(ConfigResourceType.TOPIC, n) for n in names]
    )
    topics = answer.get("topic", {})
    return {n: {key: str(c["value"]) for key, c in topics.get(n, {}).items()} for n in names}


def _shape(partitions: int, configs: dict[str, str]) -> str:
    settings = ", ".join(f"{k}={v}" for k, v in sorted(configs.items()) if k in _CHECKED)
    return f"{partitions} partitions" + (f", {settings}" if settings else "")


_CHECKED = ("cleanup.policy", "retention.ms")


def _mismatches(spec: TopicSpec, partitions: int, configs: dict[str, str]) -> list[str]:
    problems = []
    if partitions < spec.partitions:
        problems.append(
            f"topic {spec.name} has {partitions} partitions, fewer than the {spec.partitions} "
            "configured: at most that many workers share it; lower the setting, or add "
            "partitions with kafka-topics.sh --alter (keys then move to other partitions)"
        )
    if spec.compacted and configs.get("cleanup.policy") != "compact":
        problems.append(
            f"topic {spec.name} is not compacted (cleanup.policy="
            f"{configs.get('cleanup.policy', 'delete')}): retention would drop subscriptions "
            "and rules; set cleanup.policy=compact on it (kafka-configs.sh --alter)"
        )
    return problems
