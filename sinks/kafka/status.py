"""What `wirewatch status` reports in distributed mode, read from the broker: offsets of
the topics, commits and members of the roles' consumer groups, the dead letters and the
control plane's feeds and rules.

The admin client is made first, with a short timeout, so a broker that is down fails the
command in seconds with one line (naming `kafka.bootstrap_servers`); the arithmetic of
the report is `wirewatch.core.backlog`'s.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from kafka import TopicPartition
from kafka.admin import KafkaAdminClient, OffsetSpec
from kafka.errors import KafkaError

from sinks.kafka.connect import admin, unreachable
from sinks.kafka.control import KafkaRuleStore, KafkaSubscriptions
from sinks.kafka.deadletters import list_dead_letters
from wirewatch.core.backlog import (
    GroupState,
    PartitionOffsets,
    deadletters_report,
    group_report,
    topics_report,
)
from wirewatch.core.settings import KafkaSettings
from wirewatch.core.topics import consumer_groups, topic_plan

STATUS_TIMEOUT_MS = 5_000
RETRY_S = 0.25


def read_status(k: KafkaSettings) -> dict[str, Any]:
    """The distributed status report (its shape: docs/distributed.md, "Status")."""
    names = [s.name for s in topic_plan(k)]
    groups = consumer_groups(k)
    deadline = time.monotonic() + STATUS_TIMEOUT_MS / 1000
    client = admin(k, STATUS_TIMEOUT_MS)
    try:
        partitions = _partition_offsets(client, names)
        states = _group_states(client, [g.group_id for g in groups], deadline)
    except KafkaError as e:
        raise unreachable(k, e) from None
    finally:
        client.close()
    present = {tp[0] for tp in partitions}
    letters = list_dead_letters(k) if k.topic_deadletters in present else []
    return {
        "bootstrap_servers": k.bootstrap_servers,
        "groups": [group_report(g, states[g.group_id], partitions) for g in groups],
        "topics": topics_report(names, partitions),
        "deadletters": deadletters_report((s.letter.stage, s.letter.reason) for s in letters),
        "control": _control(k, present),
    }


def _partition_offsets(
    client: KafkaAdminClient, names: Sequence[str]
) -> dict[tuple[str, int], PartitionOffsets]:
    present = sorted(set(client.list_topics()) & set(names))
    if not present:
        return {}
    tps = [
        TopicPartition(t["name"], p["partition_index"])
        for t in client.describe_topics(present)
        for p in t["partitions"]
    ]
    starts = client.list_partition_offsets({tp: OffsetSpec.EARLIEST for tp in tps})
    ends = client.list_partition_offsets({tp: OffsetSpec.LATEST for tp in tps})
    return {
        (tp.topic, tp.partition): PartitionOffsets(starts[tp].offset, ends[tp].offset) for tp in tps
    }


def _group_states(
    client: KafkaAdminClient, group_ids: Sequence[str], deadline: float
) -> dict[str, GroupState]:
    """Each group's state and members (a group the broker does not know is "Dead", with no
    members) and its committed offsets (-1 means none).

    A broker that has just started (or restarted) answers with a retriable error such as
    CoordinatorNotAvailable while it loads the group coordinator: the broker is up, so
    this asks again until `deadline` rather than report it unreachable."""
    while True:
        try:
            described = client.describe_groups(list(group_ids))
            committed = client.list_group_offsets({g: None for g in group_ids})
            break
        except KafkaError as e:
            if not e.retriable or time.monotonic() >= deadline:
                raise
            time.sleep(RETRY_S)
    return {
        g: GroupState(
            state=described[g]["group_state"],
            members=len(described[g]["members"]),
            committed={
                (tp.topic, tp.partition): o.offset
                for tp, o in committed.get(g, {}).items()
                if o.offset >= 0
            },
        )
        for g in group_ids
    }


def _control(k: KafkaSettings, present: set[str]) -> dict[str, int | None]:
    """Feeds and rules on the control topics (None for a topic that does not exist)."""
    feeds = KafkaSubscriptions(k)
    rules = KafkaRuleStore(k)
    try:
        found = rules.rules() if k.topic_rules in present else None
        return {
            "feeds": len(feeds.all()) if k.topic_feeds in present else None,
            "rules": None if found is None else len(found),
            "paused_rules": None if found is None else sum(not r.enabled for r in found),
        }
    finally:
        feeds.close()
        rules.close()
