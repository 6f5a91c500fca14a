"""Enriched articles for search-engine tests, built field by field (no enrichment models)."""

from __future__ import annotations

from datetime import UTC, datetime

from wirewatch.core.models import (
    Alert,
    Article,
    EnrichedArticle,
    Entity,
    EntityType,
    Provenance,
    TopicTag,
)

WHEN = datetime(2026, 3, 14, 9, 30, tzinfo=UTC)


def enriched(
    article_id: str,
    title: str = "",
    text: str = "",
    *,
    published_at: datetime = WHEN,
    source: str = "BBC News",
    domain: str | None = "feeds.bbc.co.uk",
    language: str | None = "en",
    story_id: str = "s1",
    entities: dict[str, tuple[EntityType, list[str]]] | None = None,
    topics: dict[str, str] | None = None,
) -> EnrichedArticle:
    """`entities` maps a canonical name to its type and aliases; `topics` an id to its label."""
    article = Article(
        id=article_id,
        url=f"https://example.org/{article_id}",
        feed_id="feed1",
        feed_url="https://example.org/feed",
        source=source,
        source_domain=domain,
        title=title,
        text=text,
        published_at=published_at,
        fetched_at=published_at,
    )
    return EnrichedArticle(
        article=article,
        language=language,
        story_id=story_id,
        entities=[
            Entity(
                name=name, type=kind, mentions=1, first_position=0, salience=0.4, aliases=aliases
            )
            for name, (kind, aliases) in (entities or {}).items()
        ],
        topics=[TopicTag(id=tid, label=label, score=0.9) for tid, label in (topics or {}).items()],
        provenance=Provenance(enrichment_version="test"),
        enriched_at=published_at,
    )


def hit(article: EnrichedArticle, rule: str, query: str = "israel") -> Alert:
    """The alert of `rule` on `article` (id `<rule>-<article id>`)."""
    return Alert(
        id=f"{rule}-{article.id}",
        rule_id=rule,
        rule_name=rule,
        query=query,
        article_id=article.id,
        story_id=article.story_id,
        title=article.article.title,
        source=article.article.source,
        published_at=article.article.published_at,
        matched_at=article.enriched_at,
    )
