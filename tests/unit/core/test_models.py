"""Models: JSON round trips, schema_version, and errors that name the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from pydantic import ValidationError

from wirewatch.core.models import (
    SCHEMA_VERSION,
    Alert,
    AlertRule,
    Article,
    EnrichedArticle,
    Entity,
    EntityType,
    Feed,
    FeedState,
    Provenance,
    TopicTag,
    describe_validation_error,
)

T = datetime(2026, 11, 25, 8, 30, tzinfo=UTC)


def article(**kw: object) -> Article:
    base: dict[str, object] = dict(
        id="a1",
        url="https://ex.com/a?x=1",
        canonical_url="https://ex.com/a",
        feed_id="f1",
        feed_url="https://ex.com/feed",
        source="Example",
        title="Gallant meets Austin",
        summary="Yoav Gallant met Lloyd Austin.",
        published_at=T,
        fetched_at=T,
        authors=["Jane Doe"],
        categories=["World"],
    )
    base.update(kw)
    return Article.model_validate(base)


def enriched() -> EnrichedArticle:
    return EnrichedArticle(
        article=article(),
        language="en",
        language_confidence=0.98,
        entities=[
            Entity(
                name="Yoav Gallant",
                type=EntityType.PERSON,
                mentions=3,
                in_title=True,
                first_position=0,
                salience=0.8,
                aliases=["Gallant", "Mr. Gallant"],
            )
        ],
        topics=[TopicTag(id="medtop:11000000", label="politics", score=0.7, evidence=["minister"])],
        story_id="s1",
        provenance=Provenance(
            enrichment_version="1",
            ner_model="en_core_web_sm",
            ner_model_version="3.8.0",
            taxonomy_version="iptc-2025",
        ),
        enriched_at=T,
    )


@pytest.mark.parametrize(
    "model",
    [
        lambda: Feed(id="f1", url="https://ex.com/feed", added_at=T),
        article,
        enriched,
        lambda: AlertRule(id="r1", name="gaza", query="gaza AND rafah", created_at=T),
        lambda: Alert(
            id="h1",
            rule_id="r1",
            rule_name="gaza",
            query="gaza",
            article_id="a1",
            title="t",
            source="s",
            published_at=T,
            matched_at=T,
        ),
    ],
)
def test_json_round_trip_keeps_every_field(model: object) -> None:
    m = model()  # type: ignore[operator]
    data = m.to_json()
    assert f'"schema_version":{SCHEMA_VERSION}' in data
    back = type(m).from_json(data)
    assert back == m
    assert back.to_json() == data


def test_timestamps_are_normalised_to_utc() -> None:
    cet = timezone(timedelta(hours=1))
    a = article(published_at=datetime(2026, 11, 25, 9, 30, tzinfo=cet))
    assert a.published_at == T
    assert a.published_at.tzinfo == UTC
    assert '"published_at":"2026-11-25T08:30:00Z"' in a.to_json()


def test_naive_timestamp_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as e:
        article(published_at=datetime(2026, 11, 25, 8, 30))
    msg = describe_validation_error(e.value)
    assert "published_at" in msg and "timezone" in msg


def test_missing_and_unknown_fields_are_named() -> None:
    with pytest.raises(ValidationError) as e:
        Article.model_validate_json(
            '{"id": "x", "feed_url": "u", "source": "s", '
            '"published_at": "2026-01-01T00:00:00Z", '
            '"fetched_at": "2026-01-01T00:00:00Z", "titel": "typo"}'
        )
    msg = describe_validation_error(e.value)
    assert "feed_id" in msg  # missing
    assert "titel" in msg  # unknown


def test_newer_schema_version_is_refused_with_the_fix() -> None:
    data = article().model_dump(mode="json") | {"schema_version": SCHEMA_VERSION + 1}
    with pytest.raises(ValidationError, match="upgrade Wirewatch"):
        Article.model_validate(data)


def test_entity_constraints() -> None:
    with pytest.raises(ValidationError, match="mentions"):
        Entity(name="X", type=EntityType.ORG, mentions=0, first_position=0, salience=0.1)
    with pytest.raises(ValidationError, match="salience"):
        Entity(name="X", type=EntityType.ORG, mentions=1, first_position=0, salience=1.5)


def test_feed_state_defaults_are_a_new_feed() -> None:
    s = FeedState(feed_id="f1")
    assert s.last_status.value == "new" and s.consecutive_errors == 0 and s.etag is None
