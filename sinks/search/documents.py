"""Engine documents built from the project's models: one article, one alert hit.

Fields that only filters read (language, story id, domains, topic ids) are stored
case- and accent-folded with the kernel's `fold`, so a `term` query on the folded
query value matches exactly what `wirewatch.core.query.fields` matches, whatever
analysis the engine can build. The whole EnrichedArticle rides along in `payload`
(not indexed), so a search returns the same model the pipeline produced.
"""

from __future__ import annotations

from typing import Any

from sinks.search.layout import ENTITY_KIND
from wirewatch.core.models import Alert, DeliveryState, EnrichedArticle
from wirewatch.core.query.fields import body_text
from wirewatch.core.query.text import fold


def domain_suffixes(domain: str | None) -> list[str]:
    """`feeds.bbc.co.uk` -> itself and every parent, so `source:bbc.co.uk` is one term."""
    d = fold(domain or "").strip(".")
    if not d:
        return []
    parts = d.split(".")
    return [".".join(parts[i:]) for i in range(len(parts))]


def _folded(value: str | None) -> str | None:
    return fold(value) if value is not None else None


def article_document(e: EnrichedArticle) -> dict[str, Any]:
    """The `_source` of an article (its `_id` is the article id)."""
    a = e.article
    entities: dict[str, list[str]] = {}
    names: dict[str, list[str]] = {}
    for en in e.entities:
        kind = ENTITY_KIND[en.type]
        entities.setdefault(kind, []).append(en.name)
        names.setdefault(kind, []).extend([en.name, *en.aliases])
    return {
        "id": a.id,
        "title": a.title,
        "text": body_text(e.article),  # the one copy every index and the matcher share
        "url": a.canonical_url or a.url,
        "feed_id": a.feed_id,
        "source": a.source,
        "source_domain": _folded(a.source_domain),
        "source_domains": domain_suffixes(a.source_domain),
        "authors": a.authors,
        "categories": a.categories,
        "language": _folded(e.language),
        "language_confidence": e.language_confidence,
        "story_id": fold(e.story_id),
        "published_at": a.published_at.isoformat(),
        "published_is_fetch_time": a.published_is_fetch_time,
        "updated_at": a.updated_at.isoformat() if a.updated_at else None,
        "fetched_at": a.fetched_at.isoformat(),
        "enriched_at": e.enriched_at.isoformat(),
        "entities": entities,
        "entity_names": names,
        "entity_list": [
            {
                "name": en.name,
                "type": en.type.value,
                "salience": en.salience,
                "mentions": en.mentions,
                "in_title": en.in_title,
            }
            for en in e.entities
        ],
        "topics": [{"id": fold(t.id), "label": t.label, "score": t.score} for t in e.topics],
        "provenance": e.provenance.model_dump(mode="json"),
        "notes": e.notes,
        "payload": e.model_dump(mode="json"),
    }


def hit_document(alert: Alert, state: DeliveryState) -> dict[str, Any]:
    """The `_source` of one alert hit (its `_id` is the alert id, one per rule and article)."""
    doc = alert.model_dump(mode="json", exclude={"schema_version"})
    doc["delivery_state"] = state.value
    return doc
