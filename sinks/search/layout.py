"""The index layout as data: analysis, mappings and templates, the same on both engines.

Articles go to monthly indices routed by published date (`<prefix>-articles-YYYY.MM`),
so a replay or a re-enrichment of an article always lands on the same index and its
`_id` (the article id) stays idempotent; searches read the alias `<prefix>-articles`,
which the index template gives every monthly index. Alert hits get one index of
their own, one document per hit, for charting in Kibana or Dashboards.

Text fields use an analyzer that reproduces the embedded search (FTS5 `unicode61
remove_diacritics 2` + porter, see `wirewatch.core.query.text`), so search and
alerts mean the same on every engine. The analysis is a setting because the
embedded Elasticsearch test node has core analysis only (`CORE_ANALYSIS`).
Mappings are `dynamic: strict`: a document with a field the template does not
know is refused (and dead-lettered by the sink) instead of silently widening it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from wirewatch.core.models import EntityType
from wirewatch.core.query import ENTITY_FIELDS

LAYOUT_VERSION = 2  # the templates' `version`: bump when a mapping changes

# The embedded search's analysis, verified on OpenSearch 3.8.0 (analysis-common).
FTS5_ANALYSIS: dict[str, Any] = {
    "tokenizer": {"ww_words": {"type": "pattern", "pattern": "[^\\p{L}\\p{N}]+"}},
    "analyzer": {
        "ww_text": {
            "type": "custom",
            "tokenizer": "ww_words",
            "filter": ["lowercase", "asciifolding", "porter_stem"],
        },
        "ww_names": {
            "type": "custom",
            "tokenizer": "ww_words",
            "filter": ["lowercase", "asciifolding"],
        },
    },
}

# What an Elasticsearch node without analysis-common can build: no stemming, no folding.
CORE_ANALYSIS: dict[str, Any] = {
    "analyzer": {
        "ww_text": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
        "ww_names": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    },
}


def _entity_kinds() -> dict[EntityType, str]:
    """Entity type -> the field it is indexed under: the query's names where it has one."""
    kinds = {t: t.value.lower() for t in EntityType}
    for query_field, types in ENTITY_FIELDS.items():
        for t in types or ():
            kinds[EntityType(t)] = query_field
    return kinds


ENTITY_KIND = _entity_kinds()
ENTITY_KINDS = tuple(sorted(set(ENTITY_KIND.values())))

_KEYWORD = {"type": "keyword"}
_DATE = {"type": "date"}


def _text(analyzer: str, keyword: bool = False, as_written: bool = False) -> dict[str, Any]:
    mapping: dict[str, Any] = {"type": "text", "analyzer": analyzer}
    fields: dict[str, Any] = {}
    if keyword:  # for sorting and aggregations
        fields["keyword"] = {"type": "keyword", "ignore_above": 1024}
    if as_written:  # folded, not stemmed: `word*` matches words as the article wrote them
        fields["words"] = {"type": "text", "analyzer": "ww_names"}
    if fields:
        mapping["fields"] = fields
    return mapping


ARTICLE_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "title": _text("ww_text", keyword=True, as_written=True),
    "text": _text("ww_text", as_written=True),
    "url": _KEYWORD,
    "feed_id": _KEYWORD,
    "source": _text("ww_names", keyword=True),
    "source_domain": _KEYWORD,
    "source_domains": _KEYWORD,  # the domain and its parents: source:bbc.co.uk
    "authors": _KEYWORD,
    "categories": _KEYWORD,
    "language": _KEYWORD,
    "language_confidence": {"type": "float"},
    "story_id": _KEYWORD,
    "published_at": _DATE,
    "published_is_fetch_time": {"type": "boolean"},
    "updated_at": _DATE,
    "fetched_at": _DATE,
    "enriched_at": _DATE,
    "entities": {"properties": {k: _KEYWORD for k in ENTITY_KINDS}},
    "entity_names": {"properties": {k: _text("ww_names") for k in ENTITY_KINDS}},
    "entity_list": {
        "type": "nested",
        "properties": {
            "name": _KEYWORD,
            "type": _KEYWORD,
            "salience": {"type": "float"},
            "mentions": {"type": "integer"},
            "in_title": {"type": "boolean"},
        },
    },
    "topics": {
        "properties": {
            "id": _KEYWORD,
            "label": _text("ww_names", keyword=True),
            "score": {"type": "float"},
        }
    },
    "provenance": {
        "properties": {
            k: _KEYWORD
            for k in (
                "enrichment_version",
                "language_model",
                "ner_model",
                "ner_model_version",
                "taxonomy_version",
                "story_method",
            )
        }
    },
    "notes": _KEYWORD,
    "payload": {"type": "object", "enabled": False},  # the EnrichedArticle, returned as is
}

HIT_PROPERTIES: dict[str, Any] = {
    "id": _KEYWORD,
    "rule_id": _KEYWORD,
    "rule_name": _KEYWORD,
    "query": _KEYWORD,
    "article_id": _KEYWORD,
    "story_id": _KEYWORD,
    "title": _text("ww_text", keyword=True),
    "url": _KEYWORD,
    "source": _KEYWORD,
    "published_at": _DATE,
    "matched_at": _DATE,
    "matched_terms": _KEYWORD,
    "delivery_state": _KEYWORD,
    "kind": _KEYWORD,
    "story_size": {"type": "integer"},
}


@dataclass(frozen=True)
class Layout:
    """Names and template bodies for one deployment (`prefix` keeps several apart)."""

    prefix: str = "wirewatch"
    analysis: dict[str, Any] = field(default_factory=lambda: FTS5_ANALYSIS)
    shards: int = 1
    replicas: int = 1
    retention_months: int = 24

    @property
    def articles_alias(self) -> str:
        """The read alias over every monthly index: what search queries."""
        return f"{self.prefix}-articles"

    @property
    def articles_pattern(self) -> str:
        return f"{self.prefix}-articles-*"

    def articles_index(self, published_at: datetime) -> str:
        """The monthly index an article belongs to, from its published date (UTC)."""
        return f"{self.prefix}-articles-{published_at:%Y.%m}"

    @property
    def hits_index(self) -> str:
        return f"{self.prefix}-alert-hits"

    @property
    def lifecycle_policy(self) -> str:
        return f"{self.prefix}-articles-retention"

    def component_templates(self, *, ilm: bool = False) -> dict[str, dict[str, Any]]:
        """Name -> body of each component template; `ilm` attaches the ILM policy."""
        settings = {"number_of_shards": self.shards, "number_of_replicas": self.replicas}
        templates = {
            f"{self.prefix}-settings": {"template": {"settings": settings}},
            f"{self.prefix}-article-mappings": self._mappings(ARTICLE_PROPERTIES),
            f"{self.prefix}-hit-mappings": self._mappings(HIT_PROPERTIES),
        }
        if ilm:
            templates[f"{self.prefix}-lifecycle"] = {
                "template": {"settings": {"index.lifecycle.name": self.lifecycle_policy}}
            }
        for body in templates.values():
            body["version"] = LAYOUT_VERSION
        return templates

    def index_templates(self, *, ilm: bool = False) -> dict[str, dict[str, Any]]:
        """Name -> body of the composable index templates (articles and alert hits)."""
        lifecycle = [f"{self.prefix}-lifecycle"] if ilm else []
        return {
            f"{self.prefix}-articles": {
                "index_patterns": [self.articles_pattern],
                "composed_of": [
                    f"{self.prefix}-settings",
                    f"{self.prefix}-article-mappings",
                    *lifecycle,
                ],
                "template": {"aliases": {self.articles_alias: {}}},
                "priority": 200,
                "version": LAYOUT_VERSION,
            },
            f"{self.prefix}-alert-hits": {
                "index_patterns": [self.hits_index],
                "composed_of": [f"{self.prefix}-settings", f"{self.prefix}-hit-mappings"],
                "priority": 200,
                "version": LAYOUT_VERSION,
            },
        }

    def _mappings(self, properties: dict[str, Any]) -> dict[str, Any]:
        # The analysis rides with the mappings: engines validate each component alone.
        return {
            "template": {
                "settings": {"analysis": self.analysis},
                "mappings": {"dynamic": "strict", "properties": properties},
            }
        }
