"""The distributed mode's message codec: what goes on a topic reads back the same, and any
bytes at all either decode or fail with a reason — never another exception."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import SecretStr

from wirewatch.core.messages import (
    REASON_CHARS,
    DeadLetter,
    DecodeError,
    alert_key,
    decode,
    decode_key,
    encode,
)
from wirewatch.core.models import (
    SCHEMA_VERSION,
    Alert,
    AlertRule,
    Article,
    EnrichedArticle,
    Feed,
    FeedAuth,
)

T = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)
ARTICLE = Article(
    id="a1",
    feed_id="f1",
    feed_url="https://news.example/feed",
    source="Example",
    title="Ceasefire talks resume in Cairo",
    published_at=T,
    fetched_at=T,
)
RULE = AlertRule(id="r1", name="gaza", query="gaza AND ceasefire", created_at=T)
MODELS = (Article, EnrichedArticle, AlertRule, Alert, Feed, DeadLetter)


def alert(story_id: str | None) -> Alert:
    return Alert(
        id="h1",
        rule_id="r1",
        rule_name="gaza",
        query="gaza",
        article_id="a1",
        story_id=story_id,
        title="t",
        source="s",
        published_at=T,
        matched_at=T,
    )


def test_a_value_is_json_with_its_schema_version_and_reads_back() -> None:
    data = encode(ARTICLE)
    assert json.loads(data)["schema_version"] == SCHEMA_VERSION
    assert decode(Article, data) == ARTICLE
    assert decode(AlertRule, encode(RULE)) == RULE


def test_a_feed_carries_its_credentials_so_a_poller_elsewhere_can_send_them() -> None:
    feed = Feed(
        id="f1",
        url="https://news.example/feed",
        auth=FeedAuth(username=SecretStr("reader"), password=SecretStr("s3cret")),
        added_at=T,
    )
    back = decode(Feed, encode(feed))
    assert back.auth is not None
    assert back.auth.username.get_secret_value() == "reader"
    assert back.auth.password.get_secret_value() == "s3cret"
    assert "s3cret" not in repr(back)  # still a secret once read


def test_a_newer_schema_version_is_refused_with_the_reason() -> None:
    data = json.loads(encode(ARTICLE))
    data["schema_version"] = SCHEMA_VERSION + 1
    with pytest.raises(DecodeError, match="newer than this Wirewatch understands"):
        decode(Article, json.dumps(data).encode())


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (None, "tombstone"),
        (b"\xff\xfe{}", "not UTF-8 at byte 0"),
        (b"{not json", "not a valid Article"),
        (b'{"id": "a1"}', "feed_id: Field required"),
        (encode(RULE), "not a valid Article"),
    ],
)
def test_a_bad_value_says_what_is_wrong(value: bytes | None, reason: str) -> None:
    with pytest.raises(DecodeError) as e:
        decode(Article, value)
    assert reason in e.value.reason
    assert "\n" not in e.value.reason


@given(st.binary(max_size=2000), st.sampled_from(MODELS))
def test_any_bytes_decode_or_fail_with_a_reason(value: bytes, model: type) -> None:
    try:
        decode(model, value)
    except DecodeError as e:
        assert e.reason and len(e.reason) <= REASON_CHARS


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c) | st.dictionaries(st.text(), c),
        max_leaves=20,
    )
)
def test_any_json_decodes_or_fails_with_a_reason(doc: object) -> None:
    try:
        decode(Article, json.dumps(doc).encode())
    except DecodeError as e:
        assert e.reason


def test_alerts_are_keyed_by_rule_and_story_else_article() -> None:
    assert alert_key(alert("s9")) == b"r1:s9"
    assert alert_key(alert(None)) == b"r1:a1"


@given(key=st.none() | st.binary(max_size=100), value=st.none() | st.binary(max_size=1000))
def test_a_dead_letter_keeps_the_original_bytes_exactly(
    key: bytes | None, value: bytes | None
) -> None:
    letter = DeadLetter.of(
        source_topic="articles.raw",
        partition=2,
        offset=41,
        key=key,
        value=value,
        stage="enrich",
        reason="not a valid Article",
        at=T,
    )
    back = decode(DeadLetter, encode(letter))
    assert (back.key, back.value) == (key, value)
    assert (back.source_topic, back.partition, back.offset, back.at) == ("articles.raw", 2, 41, T)


def test_a_long_reason_is_cut_and_a_key_that_is_not_text_is_shown_escaped() -> None:
    letter = DeadLetter.of(
        source_topic="t",
        partition=0,
        offset=0,
        key=b"\xff",
        value=b"",
        stage="enrich",
        reason="x" * 10_000,
        at=T,
    )
    assert len(letter.reason) == REASON_CHARS and letter.reason.endswith("…")
    assert decode_key(letter.key) == "\\xff"


def test_a_dead_letter_with_a_value_that_is_not_base64_is_refused() -> None:
    data = json.loads(
        encode(
            DeadLetter.of(
                source_topic="t",
                partition=0,
                offset=0,
                key=None,
                value=b"v",
                stage="enrich",
                reason="r",
                at=T,
            )
        )
    )
    data["value_b64"] = "not base64!"
    with pytest.raises(DecodeError, match="value_b64"):
        decode(DeadLetter, json.dumps(data).encode())
