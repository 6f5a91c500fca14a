"""Bad input never raises out of the stage: the article passes on, the reason recorded."""

from __future__ import annotations

import pytest

from processors.enrich.pipeline import ENRICHMENT_VERSION
from tests.unit.processors.conftest import MakeEnricher, article
from wirewatch.core.models import Article, EnrichedArticle, EntityType
from wirewatch.core.settings import EnrichSettings

PEOPLE = {"Yoav Gallant", "Lloyd Austin"}
LIMIT = {"max_text_chars": 8_000}  # the default, 100,000, costs seconds of NER
UNKNOWN_SCRIPTS = {
    "cuneiform": ("𒀀𒀁𒀂𒀃𒀄", "𒀀𒀁𒀂𒀃𒀄𒀅𒀆𒀇𒀈𒀉 𒀊𒀋𒀌𒀍𒀎𒀏𒀐𒀑𒀒 𒀓𒀔𒀕𒀖"),
    "linear-b": ("𐀀𐀁𐀂𐀃", "𐀀𐀁𐀂𐀃𐀄𐀅𐀆𐀇 𐀈𐀉𐀊𐀋𐀍𐀎𐀏𐀐 𐀑𐀒𐀓𐀔𐀕"),
    "emoji": ("🔥🔥🚀", "🔥🔥🚀🎉 😀😀👍👍 🙏🙏🌍🌍🌍 ✨"),
}
HTML_TITLE = "<b>Gallant</b> meets Austin at the Pentagon"
HTML_TEXT = (
    '<p>Israel&#8217;s defense minister, <a href="https://news.example/gallant">Yoav Gallant</a>, '
    "met Lloyd Austin at the Pentagon on Tuesday.</p>\n<p>The two men discussed aid for "
    "Gaza&nbsp;and the plan for Rafah, officials said.</p>"
)
RATES = (
    "Central bank raises interest rates as inflation climbs",
    "The Bank of England raised interest rates by half a percentage point on Thursday as "
    "inflation climbed to 7.5 percent, its highest level in three decades. Economists said "
    "the move would slow growth and push up mortgage costs for households in Britain.",
)
CONTROL_TITLE = "Gallant\x00 meets\x07 Austin"
CONTROL_TEXT = (
    "Israel's defense minister,\x1b Yoav Gallant, met\x0c Lloyd Austin at the Pentagon\x7f on "
    "Tuesday to discuss aid for Gaza and the plan for Rafah, officials said.\x85"
)


def enrich_one(make_enricher: MakeEnricher, a: Article, **settings: object) -> EnrichedArticle:
    result = make_enricher(**settings).enrich_batch([a])
    [enriched] = result.enriched
    assert enriched.article == a  # stored and indexed as it came, whatever enrichment made of it
    assert [r.article_id for r in result.story_records] == [a.id]
    return enriched


def names(e: EnrichedArticle) -> set[str]:
    return {x.name for x in e.entities}


def test_empty_title_and_text(make_enricher: MakeEnricher) -> None:
    e = enrich_one(make_enricher, article("empty-1", "", ""))
    assert (e.language, e.entities, e.topics) == (None, [], [])
    assert "no text to enrich" in e.notes
    assert e.story_id


def test_megabyte_text_is_truncated_with_a_note(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    text = "\n".join([seed_article.text] * (1_000_000 // len(seed_article.text) + 1))
    assert len(text) > 1_000_000
    e = enrich_one(make_enricher, article("big-1", seed_article.title, text), **LIMIT)
    assert "text truncated to 8000 characters for enrichment" in e.notes
    assert e.language == "en"
    assert {"Yoav Gallant", "Israel", "Gaza"} <= names(e)
    assert e.topics


def test_the_default_limit_is_below_a_megabyte() -> None:
    assert EnrichSettings().max_text_chars < 1_000_000


@pytest.mark.parametrize("script", sorted(UNKNOWN_SCRIPTS))
def test_unknown_script(script: str, make_enricher: MakeEnricher) -> None:
    e = enrich_one(make_enricher, article(f"{script}-1", *UNKNOWN_SCRIPTS[script]))
    assert e.language != "en"
    assert (e.entities, e.topics) == ([], [])
    assert any(n.startswith("ner skipped: no model for language") for n in e.notes)
    assert any(n.startswith("topics skipped") for n in e.notes)
    assert e.story_id


def test_html_remnants_are_removed_and_entities_still_found(make_enricher: MakeEnricher) -> None:
    e = enrich_one(make_enricher, article("html-1", HTML_TITLE, HTML_TEXT))
    assert "HTML remnants removed" in e.notes
    assert e.language == "en"
    found = {x.name: x for x in e.entities}
    assert found.keys() >= PEOPLE
    assert found["Yoav Gallant"].in_title  # "<b>Gallant</b>" in the headline is his mention
    assert {"Israel", "Pentagon", "Gaza"} <= found.keys()
    for name in found:
        assert not any(junk in name for junk in ("<", ">", "&#", "&nbsp", "href", "8217")), name


def test_control_characters_are_removed(make_enricher: MakeEnricher) -> None:
    e = enrich_one(make_enricher, article("ctrl-1", CONTROL_TITLE, CONTROL_TEXT))
    assert "control characters removed" in e.notes
    assert e.language == "en"
    assert names(e) >= PEOPLE | {"Pentagon", "Gaza"}
    for name in names(e):
        assert name.isprintable(), repr(name)


def test_mixed_batch_gives_one_enriched_article_per_input_in_order(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    rates = article("rates-1", *RATES)
    batch = [
        article("empty-1", "", ""),
        seed_article,
        article("big-1", "Long", "word " * 250_000),
        article("cuneiform-1", *UNKNOWN_SCRIPTS["cuneiform"]),
        article("html-1", HTML_TITLE, HTML_TEXT),
        article("ctrl-1", CONTROL_TITLE, CONTROL_TEXT),
        rates,
    ]
    result = make_enricher(**LIMIT).enrich_batch(batch)
    assert [e.article for e in result.enriched] == batch
    assert [r.article_id for r in result.story_records] == [a.id for a in batch]
    by_id = {e.id: e for e in result.enriched}
    for good in (by_id["seed-1"], by_id["rates-1"]):
        assert good.language == "en"
        assert good.notes == []
        assert good.entities and good.topics
    assert {"Yoav Gallant", "Lloyd J. Austin III", "Hamas"} <= names(by_id["seed-1"])
    assert {e.name: e.type for e in by_id["rates-1"].entities}["Bank of England"] == EntityType.ORG
    assert "economy, business and finance" in {t.label for t in by_id["rates-1"].topics}
    assert names(by_id["html-1"]) >= PEOPLE
    assert names(by_id["ctrl-1"]) >= PEOPLE
    assert "text truncated to 8000 characters for enrichment" in by_id["big-1"].notes
    assert len({e.story_id for e in result.enriched}) == len(batch)


def test_an_article_the_model_refuses_costs_no_other_article_its_entities(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    text = "\n".join([seed_article.text] * (1_100_000 // len(seed_article.text) + 1))
    batch = [seed_article, article("huge-1", "Long", text), article("rates-1", *RATES)]
    before, huge, after = make_enricher(max_text_chars=2_000_000).enrich_batch(batch).enriched
    assert any(n.startswith("ner failed") for n in huge.notes)
    assert "Yoav Gallant" in names(before)
    assert "Bank of England" in names(after)


def test_every_enriched_article_records_what_produced_it(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    batch = [seed_article, article("empty-1", "", ""), article("fr-1", "", "Bonjour")]
    for e in make_enricher().enrich_batch(batch).enriched:
        p = e.provenance
        assert p.enrichment_version == ENRICHMENT_VERSION
        assert p.ner_model == "en_ner_conll"
        assert p.ner_model_version == "1.0.0"  # the model shipped in the package
        assert p.taxonomy_version is not None and p.taxonomy_version.startswith("iptc-mediatopic")
        assert p.language_model is not None and p.language_model.startswith("py3langid")
        assert p.story_method is not None and "minhash" in p.story_method
        # ... and it survives the trip through the wire format.
        assert EnrichedArticle.model_validate_json(e.model_dump_json()).provenance == p
