"""The distributed mode's settings and the topics `wirewatch setup` makes from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from wirewatch.core.errors import ConfigError
from wirewatch.core.settings import KafkaSettings, load_settings
from wirewatch.core.topics import topic_plan


def test_the_mode_is_embedded_unless_set(home: Path) -> None:
    assert load_settings(None, cwd=home).settings.mode == "embedded"
    cfg = home / "wirewatch.yaml"
    cfg.write_text("mode: distributed\nkafka:\n  partitions_raw: 12\n  topic_feeds: team.feeds\n")
    s = load_settings(cfg).settings
    assert (s.mode, s.kafka.partitions_raw, s.kafka.topic_feeds) == (
        "distributed",
        12,
        "team.feeds",
    )


@pytest.mark.parametrize(
    ("yaml", "named"),
    [
        ("mode: cluster\n", "mode"),
        ("kafka:\n  topic_feeds: 'my feeds'\n", "kafka.topic_feeds"),
        ("kafka:\n  partitions_raw: 0\n", "kafka.partitions_raw"),
        ("kafka:\n  raw_retention_hours: 0\n", "kafka.raw_retention_hours"),
    ],
)
def test_a_bad_distributed_setting_is_refused_naming_it(home: Path, yaml: str, named: str) -> None:
    cfg = home / "wirewatch.yaml"
    cfg.write_text(yaml)
    with pytest.raises(ConfigError, match=named.replace(".", r"\.")):
        load_settings(cfg)


def test_control_topics_are_compacted_with_one_partition_and_raw_keeps_its_retention() -> None:
    plan = {t.name: t for t in topic_plan(KafkaSettings(partitions_raw=4, raw_retention_hours=36))}
    assert set(plan) == {
        "feeds",
        "articles.raw",
        "stories.candidates",
        "articles.enriched",
        "alerts.rules",
        "alerts",
        "deadletters",
    }
    assert {n for n, t in plan.items() if t.compacted} == {"feeds", "alerts.rules"}
    assert plan["feeds"].partitions == plan["alerts.rules"].partitions == 1
    assert plan["stories.candidates"].partitions == 1  # one resolver sees every candidate
    assert plan["articles.raw"].partitions == 4
    assert plan["articles.raw"].configs == {"retention.ms": str(36 * 3_600_000)}
