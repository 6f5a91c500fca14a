"""`wirewatch status` in distributed mode: offsets as the broker gives them, turned into
the report (lag per consumer group, topic and partition; messages per topic; dead letters
by stage and reason).

Pure (no Kafka client): `sinks/kafka/status.py` gathers the facts, this module does the
arithmetic, so what the report says is testable without a broker. The report is a plain
dict whose shape docs/distributed.md ("Status") documents for scripts.

Lag is what a group has still to read: the end offset minus the committed offset. A
partition the group never committed is read from its earliest retained offset (the roles
start at the beginning), so its lag is everything the partition retains; a committed
offset below the earliest retained one (retention deleted what the group had not read)
counts from that earliest offset too, since the deleted messages cannot be read anymore.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from wirewatch.core.topics import GroupSpec

TopicPartition = tuple[str, int]
REASON_CHARS = 60
_NUMBER = re.compile(r"(?<=[\s(=])\d+\b")


@dataclass(frozen=True)
class PartitionOffsets:
    """A partition's earliest retained offset and its end offset (the next to be written)."""

    start: int
    end: int


@dataclass(frozen=True)
class GroupState:
    """What the broker says of a consumer group: its state, live members and commits."""

    state: str
    members: int
    committed: Mapping[TopicPartition, int]


def partition_lag(offsets: PartitionOffsets, committed: int | None) -> int:
    """Messages of the partition the group has still to read."""
    read_from = offsets.start if committed is None else max(committed, offsets.start)
    return max(offsets.end - read_from, 0)


def group_report(
    spec: GroupSpec, state: GroupState, partitions: Mapping[TopicPartition, PartitionOffsets]
) -> dict[str, Any]:
    """One group: its state and members, and per topic it consumes the lag of each
    partition and in total (topics that do not exist are left out: see `topics`)."""
    topics = []
    for topic in spec.topics:
        rows: list[dict[str, Any]] = []
        for tp in sorted(tp for tp in partitions if tp[0] == topic):
            committed = state.committed.get(tp)
            rows.append(
                {
                    "partition": tp[1],
                    "committed": committed,
                    "end": partitions[tp].end,
                    "lag": partition_lag(partitions[tp], committed),
                }
            )
        if rows:
            topics.append({"topic": topic, "lag": sum(r["lag"] for r in rows), "partitions": rows})
    return {
        "role": spec.role,
        "group": spec.group_id,
        "started": bool(state.committed),
        "state": state.state,
        "members": state.members,
        "lag": sum(t["lag"] for t in topics),
        "topics": topics,
    }


def topics_report(
    names: Sequence[str], partitions: Mapping[TopicPartition, PartitionOffsets]
) -> list[dict[str, Any]]:
    """Per topic: its partitions and the messages it retains (end − earliest offset); a
    topic with no partitions is reported missing (`wirewatch setup` creates it)."""
    report = []
    for name in names:
        mine = [o for tp, o in partitions.items() if tp[0] == name]
        report.append(
            {
                "topic": name,
                "missing": not mine,
                "partitions": len(mine),
                "messages": sum(o.end - o.start for o in mine),
            }
        )
    return report


def reason_group(reason: str) -> str:
    """A reason without its particulars, so alike failures count together: the part
    before the first ': ' (which names the field or the exception's text), numbers as N,
    cut to REASON_CHARS."""
    head = _NUMBER.sub("N", reason.split(": ", 1)[0].strip())
    return head if len(head) <= REASON_CHARS else head[: REASON_CHARS - 1] + "…"


def deadletters_report(letters: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Dead letters given as (stage, reason): the total, then counts by stage and by
    grouped reason, the most frequent first."""
    stages: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for stage, reason in letters:
        stages[stage] += 1
        reasons[reason_group(reason)] += 1
    return {
        "total": sum(stages.values()),
        "by_stage": dict(stages.most_common()),
        "by_reason": dict(reasons.most_common()),
    }
