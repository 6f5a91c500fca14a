"""Entities per article: every mention of one entity merged under one name, with one type."""

from __future__ import annotations

import re

import pytest

from processors.enrich.entities import normalise
from processors.enrich.mention import Mention
from tests.unit.processors.conftest import SEED_TEXT, SEED_TITLE, MakeEnricher, article
from wirewatch.core.models import EnrichedArticle, Entity, EntityType


@pytest.fixture(scope="module")
def seed(make_enricher: MakeEnricher) -> EnrichedArticle:
    [enriched] = make_enricher().enrich_batch([article("seed-1", SEED_TITLE, SEED_TEXT)]).enriched
    return enriched


def by_name(entities: list[Entity]) -> dict[str, Entity]:
    names = [e.name for e in entities]
    assert len(names) == len(set(names)), f"one name, several entities: {names}"
    return {e.name: e for e in entities}


def enrich(make_enricher: MakeEnricher, title: str, text: str) -> dict[str, Entity]:
    [enriched] = make_enricher().enrich_batch([article("a-1", title, text)]).enriched
    return by_name(enriched.entities)


def test_honorific_and_surname_mentions_merge_under_the_full_name(seed: EnrichedArticle) -> None:
    entities = by_name(seed.entities)
    gallant = entities["Yoav Gallant"]
    assert gallant.type == EntityType.PERSON
    assert gallant.mentions == SEED_TEXT.count("Gallant") == 5  # "Yoav Gallant", 4 × "Mr. Gallant"
    assert "Gallant" in gallant.aliases
    austin = entities["Lloyd J. Austin III"]
    assert austin.type == EntityType.PERSON
    assert austin.mentions == SEED_TEXT.count("Austin") == 5
    leftovers = [n for n in entities if n in {"Gallant", "Mr. Gallant", "Austin", "Mr. Austin"}]
    assert leftovers == []


def test_us_is_the_united_states(seed: EnrichedArticle) -> None:
    entities = by_name(seed.entities)
    us = entities["United States"]
    assert us.type == EntityType.GPE
    assert us.in_title
    assert "U.S." in us.aliases
    assert not {"U.S.", "US", "U.S"} & entities.keys()


def test_a_country_before_officials_is_still_an_entity(make_enricher: MakeEnricher) -> None:
    entities = enrich(
        make_enricher,
        "Talks to resume in Cairo",
        "U.S. officials said on Monday that talks would resume in Cairo. "
        "Israeli officials declined to comment.",
    )
    assert entities["United States"].type == EntityType.GPE
    assert entities["Israeli"].type == EntityType.NORP


def test_possessives_never_make_a_separate_entity(
    seed: EnrichedArticle, make_enricher: MakeEnricher
) -> None:
    document = f"{SEED_TITLE}\n\n{SEED_TEXT}"
    assert document.count("Israel’s") == 7
    assert by_name(seed.entities)["Israel"].mentions == len(re.findall(r"\bIsrael\b", document))
    entities = enrich(
        make_enricher,
        "Netanyahu rejects ceasefire plan",
        "Netanyahu's government rejected the plan on Sunday. Benjamin Netanyahu said that "
        "Netanyahu's coalition would hold. Mr. Netanyahu later met Yoav Gallant in Jerusalem.",
    )
    assert [n for n in entities if "Netanyahu" in n] == ["Benjamin Netanyahu"]
    assert entities["Benjamin Netanyahu"].mentions == 5
    assert entities["Benjamin Netanyahu"].in_title
    for e in [*seed.entities, *entities.values()]:
        assert not e.name.endswith(("'s", "’s", "'", "’")), e.name


def test_titles_inside_the_models_spans_are_stripped_before_merging() -> None:
    """Another configured model may report 'Mr. Gallant's' as one span."""
    text = (
        "Defense Minister Yoav Gallant met President Joe Biden on Tuesday. "
        "Mr. Gallant's aides said Mr. Biden agreed."
    )
    spans = ["Yoav Gallant", "President Joe Biden", "Mr. Gallant's", "Mr. Biden"]
    mentions = []
    for s in spans:
        start = text.index(s)
        mentions.append(Mention(s, "PERSON", start, start + len(s)))
    entities = by_name(normalise(mentions, text, title_length=0))
    assert {n: e.mentions for n, e in entities.items()} == {"Yoav Gallant": 2, "Joe Biden": 2}
    assert entities["Yoav Gallant"].first_position == text.index("Yoav")


def test_a_word_cut_from_a_job_title_is_not_an_entity(
    seed: EnrichedArticle, make_enricher: MakeEnricher
) -> None:
    entities = enrich(
        make_enricher,
        "Austin and Gallant meet at the Pentagon",
        "Defense Secretary Lloyd Austin met Israel's Defense Minister Yoav Gallant at the "
        "Pentagon on Tuesday. Gallant said U.S. support was vital.",
    )
    assert "Defense" not in entities
    assert {"Lloyd Austin", "Yoav Gallant", "Israel", "Pentagon", "United States"} <= set(entities)
    # A real organisation whose name starts with the same word stays.
    assert by_name(seed.entities)["Defense Department"].type == EntityType.ORG


def test_title_flag_first_position_and_salience(seed: EnrichedArticle) -> None:
    entities = by_name(seed.entities)
    document = f"{SEED_TITLE}\n\n{SEED_TEXT}"
    for name in ["Israel", "Gaza", "Yoav Gallant", "Hamas", "Benjamin Netanyahu", "Egypt"]:
        e = entities[name]
        assert document[e.first_position :].startswith(name), name
        assert e.in_title == (e.first_position < len(SEED_TITLE)), name
    assert entities["Israel"].in_title and entities["Gaza"].in_title
    assert not entities["Yoav Gallant"].in_title
    order = ["Israel", "United States", "Gaza", "Yoav Gallant", "Benjamin Netanyahu", "Egypt"]
    assert sorted(order, key=lambda n: entities[n].first_position) == order
    # Most salient: in the headline and mentioned most; least: once, near the end.
    assert seed.entities[0].name == "Israel"
    saliences = [e.salience for e in seed.entities]
    assert saliences == sorted(saliences, reverse=True)
    assert all(0.0 < s <= 1.0 for s in saliences)
    assert entities["Yoav Gallant"].salience > entities["Benjamin Netanyahu"].salience
    assert entities["Benjamin Netanyahu"].salience > entities["Egypt"].salience


def test_one_type_per_entity_decided_from_all_its_mentions(make_enricher: MakeEnricher) -> None:
    """The model tags 'Fauci' alone as an organisation; the full name says person."""
    entities = enrich(
        make_enricher,
        "Fauci testifies",
        "President Joe Biden spoke with Dr. Anthony Fauci on Monday. Biden thanked Fauci for "
        "his work. Fauci's advice was clear, the White House said.",
    )
    assert [n for n in entities if "Fauci" in n] == ["Anthony Fauci"]
    fauci = entities["Anthony Fauci"]
    assert (fauci.type, fauci.mentions, fauci.in_title) == (EntityType.PERSON, 4, True)


def test_majority_of_mentions_decides_the_type() -> None:
    text = "Protests spread across Minsk. Minsk police said Minsk was calm by nightfall."
    labels = ["GPE", "ORG", "GPE"]
    starts = [i for i in range(len(text)) if text.startswith("Minsk", i)]
    mentions = [Mention("Minsk", lb, s, s + 5) for lb, s in zip(labels, starts, strict=True)]
    [minsk] = normalise(mentions, text, title_length=0)
    assert (minsk.name, minsk.type, minsk.mentions) == ("Minsk", EntityType.GPE, 3)


def _mentions(text: str, spans: list[tuple[str, str]]) -> list[Mention]:
    """Mentions at the first occurrence of each surface after the previous one."""
    out, pos = [], 0
    for surface, label in spans:
        start = text.index(surface, pos)
        out.append(Mention(surface, label, start, start + len(surface)))
        pos = start + len(surface)
    return out


def test_an_acronym_that_is_also_a_country_code_is_not_renamed() -> None:
    """en_core_web_sm's own output: "AI" as a place, the others as organisations."""
    text = "AI is changing how CI pipelines and QA teams work, and ML models need TLS."
    spans = [("AI", "GPE"), ("CI", "ORG"), ("QA", "ORG"), ("ML", "ORG"), ("TLS", "ORG")]
    names = {e.name for e in normalise(_mentions(text, spans), text, title_length=0)}
    assert names == {"AI", "CI", "QA", "ML", "TLS"}


def test_a_country_code_typed_as_a_place_is_still_the_country() -> None:
    text = "The US and the UK signed the deal; U.S. officials said more would follow."
    spans = [("US", "GPE"), ("UK", "GPE"), ("U.S.", "GPE")]
    entities = by_name(normalise(_mentions(text, spans), text, title_length=0))
    assert set(entities) == {"United States", "United Kingdom"}
    assert entities["United States"].mentions == 2


@pytest.mark.parametrize("clitic", ["n’t", "n't"])
def test_a_contraction_is_never_an_entity(clitic: str) -> None:
    text = f"Most teams do{clitic} see the point of it."
    assert normalise(_mentions(text, [(clitic, "GPE")]), text, title_length=0) == []


def test_a_surname_the_article_uses_for_a_person_is_a_person() -> None:
    """Two Trumps named in full, so "Trump" joins neither, but it is still a person."""
    text = (
        "Trump's tariffs will pummel Vietnam\n"
        "Donald Trump announced the tariffs on Monday; Eric Trump defended them. "
        "Exporters said Trump's tariffs will pummel Vietnam."
    )
    spans = [
        ("Trump", "ORG"),
        ("Vietnam", "GPE"),
        ("Donald Trump", "PERSON"),
        ("Eric Trump", "PERSON"),
        ("Trump", "ORG"),
        ("Vietnam", "GPE"),
    ]
    entities = by_name(normalise(_mentions(text, spans), text, title_length=35))
    assert entities["Trump"].type == EntityType.PERSON
    assert entities["Trump"].mentions == 2


def test_a_surname_written_with_a_title_elsewhere_is_a_person() -> None:
    text = (
        "Trump's tariffs will pummel Vietnam\n"
        "President Trump said on Monday that Trump's tariffs would stay."
    )
    spans = [("Trump", "ORG"), ("Vietnam", "GPE"), ("Trump", "ORG"), ("Trump", "ORG")]
    entities = by_name(normalise(_mentions(text, spans), text, title_length=35))
    assert (entities["Trump"].type, entities["Trump"].mentions) == (EntityType.PERSON, 3)


def test_a_name_tagged_person_once_without_other_evidence_keeps_the_majority_type() -> None:
    """A model's lone slip does not rename a place (measured on eng.testa: it costs F1)."""
    text = "Fighting in Chechnya went on. Chechnya said the talks failed. Chechnya is calm."
    spans = [("Chechnya", "GPE"), ("Chechnya", "PERSON"), ("Chechnya", "GPE")]
    [chechnya] = normalise(_mentions(text, spans), text, title_length=0)
    assert chechnya.type == EntityType.GPE
