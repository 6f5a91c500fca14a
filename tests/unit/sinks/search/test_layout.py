"""The index layout: where an article goes, and that the templates can hold every document."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sinks.search.documents import article_document, domain_suffixes, hit_document
from sinks.search.layout import (
    ARTICLE_PROPERTIES,
    CORE_ANALYSIS,
    HIT_PROPERTIES,
    Layout,
)
from tests.support.enriched import enriched, hit
from wirewatch.core.models import DeliveryState, EntityType


def _unmapped(doc: dict[str, Any], properties: dict[str, Any], path: str = "") -> list[str]:
    """Fields of `doc` a `dynamic: strict` mapping with `properties` would refuse."""
    missing = []
    for key, value in doc.items():
        mapping = properties.get(key)
        if mapping is None:
            missing.append(path + key)
        elif mapping.get("enabled") is False:
            continue
        elif "properties" in mapping:
            values = value if isinstance(value, list) else [value]
            for v in values:
                missing += _unmapped(v, mapping["properties"], f"{path}{key}.")
    return missing


def test_an_article_goes_to_the_month_it_was_published_in_whatever_its_fetch_time():
    layout = Layout(prefix="news")
    late = datetime(2026, 1, 31, 23, 59, tzinfo=UTC)
    assert layout.articles_index(late) == "news-articles-2026.01"
    assert layout.articles_index(datetime(2026, 12, 1, tzinfo=UTC)) == "news-articles-2026.12"


def test_every_monthly_index_is_read_through_one_alias():
    layout = Layout(prefix="news")
    template = layout.index_templates()["news-articles"]
    assert template["index_patterns"] == ["news-articles-*"]
    assert template["template"]["aliases"] == {"news-articles": {}}
    assert set(template["composed_of"]) <= set(layout.component_templates())


def test_text_fields_use_the_embedded_search_analysis_and_names_are_never_stemmed():
    mappings = Layout().component_templates()["wirewatch-article-mappings"]
    settings = mappings["template"]["settings"]
    analyzers = settings["analysis"]["analyzer"]
    assert analyzers["ww_text"]["filter"] == ["lowercase", "asciifolding", "porter_stem"]
    assert "porter_stem" not in analyzers["ww_names"]["filter"]
    assert settings["analysis"]["tokenizer"]["ww_words"]["pattern"] == "[^\\p{L}\\p{N}]+"
    assert ARTICLE_PROPERTIES["title"]["analyzer"] == "ww_text"
    assert ARTICLE_PROPERTIES["source"]["analyzer"] == "ww_names"


def test_the_analysis_is_a_setting_for_engines_without_analysis_common():
    templates = Layout(analysis=CORE_ANALYSIS).component_templates()
    for name in ("wirewatch-article-mappings", "wirewatch-hit-mappings"):
        assert templates[name]["template"]["settings"]["analysis"] == CORE_ANALYSIS


def test_ilm_is_attached_only_when_asked():
    layout = Layout()
    assert (
        "wirewatch-lifecycle" not in layout.index_templates()["wirewatch-articles"]["composed_of"]
    )
    with_ilm = layout.component_templates(ilm=True)["wirewatch-lifecycle"]
    assert with_ilm["template"]["settings"]["index.lifecycle.name"] == layout.lifecycle_policy
    assert (
        "wirewatch-lifecycle"
        in layout.index_templates(ilm=True)["wirewatch-articles"]["composed_of"]
    )


def test_the_strict_mapping_holds_every_field_of_a_full_article():
    e = enriched(
        "a1",
        "Ceasefire talks",
        "Talks in Cairo.",
        entities={
            "Benjamin Netanyahu": (EntityType.PERSON, ["Netanyahu"]),
            "Cairo": (EntityType.GPE, []),
            "Hamas": (EntityType.ORG, []),
            "Israeli": (EntityType.NORP, []),
        },
        topics={"medtop:11000000": "politics"},
    )
    doc = article_document(e)
    assert _unmapped(doc, ARTICLE_PROPERTIES) == []
    assert doc["entities"] == {
        "person": ["Benjamin Netanyahu"],
        "place": ["Cairo"],
        "org": ["Hamas"],
        "norp": ["Israeli"],
    }
    assert doc["entity_names"]["person"] == ["Benjamin Netanyahu", "Netanyahu"]
    assert doc["payload"]["article"]["id"] == "a1"


def test_filter_fields_are_stored_folded_so_a_term_query_matches_like_the_matcher():
    doc = article_document(enriched("a1", language="EN", story_id="S9", domain="Feeds.BBC.co.uk"))
    assert (doc["language"], doc["story_id"]) == ("en", "s9")
    assert doc["source_domains"] == ["feeds.bbc.co.uk", "bbc.co.uk", "co.uk", "uk"]
    assert domain_suffixes(None) == []


def test_a_hit_document_fits_the_hits_mapping():
    doc = hit_document(
        hit(enriched("a1"), "r1").model_copy(update={"matched_terms": ["gaza"]}),
        DeliveryState.PENDING,
    )
    assert _unmapped(doc, HIT_PROPERTIES) == []
    assert (doc["delivery_state"], doc["matched_terms"]) == ("pending", ["gaza"])
