"""The distributed status report's arithmetic: lag per partition, topic and group, a group
that never committed, messages per topic, dead letters grouped by reason."""

from __future__ import annotations

from wirewatch.core.backlog import (
    GroupState,
    PartitionOffsets,
    deadletters_report,
    group_report,
    partition_lag,
    reason_group,
    topics_report,
)
from wirewatch.core.settings import KafkaSettings
from wirewatch.core.topics import GroupSpec, consumer_groups

WORKER = GroupSpec("worker", "ww-worker", ("raw", "enriched"))
OFFSETS = {
    ("raw", 0): PartitionOffsets(start=0, end=10),
    ("raw", 1): PartitionOffsets(start=0, end=7),
    ("enriched", 0): PartitionOffsets(start=2, end=5),
    ("alerts", 0): PartitionOffsets(start=0, end=99),  # not consumed by the worker
}


def test_lag_is_end_minus_committed_per_partition_and_summed_per_topic_and_group() -> None:
    state = GroupState("Stable", 2, {("raw", 0): 4, ("raw", 1): 7, ("enriched", 0): 3})
    report = group_report(WORKER, state, OFFSETS)
    assert report["started"] and report["members"] == 2 and report["state"] == "Stable"
    raw, enriched = report["topics"]
    assert raw == {
        "topic": "raw",
        "lag": 6,
        "partitions": [
            {"partition": 0, "committed": 4, "end": 10, "lag": 6},
            {"partition": 1, "committed": 7, "end": 7, "lag": 0},
        ],
    }
    assert enriched["lag"] == 2
    assert report["lag"] == 8  # the alerts topic is not the worker's


def test_a_partition_never_committed_has_everything_it_retains_to_read() -> None:
    state = GroupState("Stable", 1, {("raw", 0): 10})
    report = group_report(WORKER, state, OFFSETS)
    raw = report["topics"][0]["partitions"]
    assert raw[1] == {"partition": 1, "committed": None, "end": 7, "lag": 7}
    assert report["topics"][1]["partitions"][0]["lag"] == 3  # from the earliest kept, 2
    assert report["started"]


def test_a_group_with_no_commits_is_not_started_and_waits_for_all_retained() -> None:
    report = group_report(WORKER, GroupState("Dead", 0, {}), OFFSETS)
    assert not report["started"] and report["members"] == 0
    assert report["lag"] == 10 + 7 + 3


def test_retention_past_the_committed_offset_counts_from_the_earliest_kept() -> None:
    assert partition_lag(PartitionOffsets(start=50, end=60), committed=20) == 10
    assert partition_lag(PartitionOffsets(start=0, end=60), committed=60) == 0


def test_a_missing_topic_is_reported_missing_and_left_out_of_the_lag() -> None:
    spec = GroupSpec("sink", "ww-sink", ("enriched", "nowhere"))
    report = group_report(spec, GroupState("Empty", 0, {("enriched", 0): 5}), OFFSETS)
    assert [t["topic"] for t in report["topics"]] == ["enriched"]
    assert topics_report(["raw", "nowhere"], OFFSETS) == [
        {"topic": "raw", "missing": False, "partitions": 2, "messages": 17},
        {"topic": "nowhere", "missing": True, "partitions": 0, "messages": 0},
    ]


def test_reasons_are_grouped_without_their_particulars() -> None:
    assert reason_group("not a valid Article: url: Field required") == "not a valid Article"
    assert reason_group("not UTF-8 at byte 17") == "not UTF-8 at byte N"
    assert reason_group("enrichment failed: ValueError('boom')") == "enrichment failed"
    assert len(reason_group("x" * 500)) == 60


def test_dead_letters_count_by_stage_and_reason_most_frequent_first() -> None:
    report = deadletters_report(
        [
            ("enrich", "not UTF-8 at byte 3"),
            ("match", "not a valid EnrichedArticle: id: Field required"),
            ("enrich", "not UTF-8 at byte 9"),
            ("enrich", "not a valid Article: url: Field required"),
        ]
    )
    assert report["total"] == 4
    assert report["by_stage"] == {"enrich": 3, "match": 1}
    assert next(iter(report["by_reason"].items())) == ("not UTF-8 at byte N", 2)
    assert deadletters_report([]) == {"total": 0, "by_stage": {}, "by_reason": {}}


def test_the_roles_groups_follow_the_client_id_and_topic_settings() -> None:
    k = KafkaSettings(client_id="team", topic_alerts="hits")
    worker, sink = consumer_groups(k)
    assert worker.group_id == "team-worker" and "articles.raw" in worker.topics
    assert sink == GroupSpec("sink", "team-sink", ("articles.enriched", "hits"))
