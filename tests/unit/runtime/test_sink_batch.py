"""The sink's pure decisions: what decodes, what is dead-lettered, which offsets to commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from tests.support.alerts import ALERT
from wirewatch.core.messages import encode
from wirewatch.core.models import Alert
from wirewatch.runtime.sink.batch import commit_offsets, decode_records, of_topic

NOW = datetime(2026, 5, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Rec:
    topic: str
    partition: int
    offset: int
    key: bytes | None
    value: bytes | None


def test_a_value_that_does_not_decode_is_a_dead_letter_with_its_bytes_and_reason() -> None:
    records = [Rec("alerts", 0, 4, b"k", b"{nope"), Rec("alerts", 0, 5, b"k", encode(ALERT))]
    got = decode_records(Alert, records, NOW)
    assert [a.id for _, a in got.items] == [ALERT.id]
    (letter,) = got.letters
    assert (letter.value, letter.key, letter.offset, letter.stage) == (b"{nope", b"k", 4, "sink")
    assert "JSON" in letter.reason or "json" in letter.reason


def test_offsets_to_commit_are_one_past_the_last_record_of_each_partition() -> None:
    records = [
        Rec("articles.enriched", 0, 7, None, b""),
        Rec("articles.enriched", 0, 9, None, b""),
        Rec("articles.enriched", 2, 3, None, b""),
        Rec("alerts", 0, 0, None, b""),
    ]
    assert commit_offsets(records) == {
        ("articles.enriched", 0): 10,
        ("articles.enriched", 2): 4,
        ("alerts", 0): 1,
    }
    assert commit_offsets([]) == {}


def test_a_batch_is_split_by_topic_in_order() -> None:
    records = [Rec("a", 0, 1, None, b""), Rec("b", 0, 1, None, b""), Rec("a", 1, 0, None, b"")]
    assert of_topic(records, "a") == [records[0], records[2]]
