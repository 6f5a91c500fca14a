"""Language: the right ISO 639-1 code with a confidence, and what it means for the rest."""

from __future__ import annotations

import pytest

from processors.enrich.language import detect_language
from tests.unit.processors.conftest import MakeEnricher, article

TEXTS = {
    "en": (
        "The government announced on Tuesday that it would raise interest rates to fight "
        "inflation, and opposition leaders said the decision would hurt families."
    ),
    "fr": (
        "Le gouvernement a annoncé mardi qu'il allait relever les taux d'intérêt pour lutter "
        "contre l'inflation, et l'opposition a dénoncé une décision qui pénalise les familles."
    ),
    "de": (
        "Die Bundesregierung hat am Dienstag angekündigt, die Zinsen zu erhöhen, um die "
        "Inflation zu bekämpfen; die Opposition kritisierte die Entscheidung scharf."
    ),
    "ru": (
        "Правительство объявило во вторник, что повысит процентные ставки для борьбы с "
        "инфляцией, а оппозиция заявила, что это решение ударит по семьям."
    ),
    "ar": (
        "أعلنت الحكومة يوم الثلاثاء أنها سترفع أسعار الفائدة لمكافحة التضخم، وقالت المعارضة "
        "إن القرار سيضر بالأسر."
    ),
    "zh": (
        "政府周二宣布，将提高利率以抑制通货膨胀。反对派领导人表示，这一决定将损害普通家庭的利益，"
        "并呼吁议会就此举行辩论。"
    ),
}


@pytest.mark.parametrize("code", sorted(TEXTS))
def test_language_of_a_news_paragraph(code: str) -> None:
    guess = detect_language(TEXTS[code])
    assert guess.code == code
    assert 0.6 <= guess.confidence <= 1.0


@pytest.mark.parametrize("text", ["", "   ", "Hi there", "OK!", "12 345 2026-03-26 !!! ???"])
def test_too_little_text_has_no_language(text: str) -> None:
    guess = detect_language(text)
    assert guess.code is None
    assert guess.confidence == 0.0


@pytest.mark.parametrize(
    "text",
    ["𒀀𒀁𒀂𒀃𒀄𒀅𒀆𒀇𒀈𒀉 𒀊𒀋𒀌𒀍𒀎𒀏𒀐𒀑𒀒", "𐀀𐀁𐀂𐀃𐀄𐀅𐀆𐀇 𐀈𐀉𐀊𐀋𐀍𐀎𐀏𐀐"],
    ids=["cuneiform", "linear-b"],
)
def test_a_script_no_language_model_knows_has_no_language(text: str) -> None:
    assert detect_language(text).code is None


@pytest.mark.parametrize("code", ["fr", "de", "ru", "ar", "zh"])
def test_non_english_article_is_tagged_and_passed_on_with_what_was_skipped(
    code: str, make_enricher: MakeEnricher
) -> None:
    a = article(f"{code}-1", "", TEXTS[code])
    [enriched] = make_enricher().enrich_batch([a]).enriched
    assert enriched.article == a
    assert enriched.language == code
    assert enriched.language_confidence is not None and enriched.language_confidence >= 0.6
    assert enriched.entities == []
    assert f"ner skipped: no model for language {code}" in enriched.notes
    assert enriched.topics == []
    assert any(n.startswith("topics skipped") and code in n for n in enriched.notes)
    assert enriched.story_id


def test_english_article_runs_every_step(make_enricher: MakeEnricher) -> None:
    a = article("en-1", "Government raises interest rates", TEXTS["en"])
    [enriched] = make_enricher().enrich_batch([a]).enriched
    assert (enriched.language, enriched.notes) == ("en", [])
    assert enriched.language_confidence is not None and enriched.language_confidence >= 0.9
    assert enriched.topics


def test_detected_language_overrides_a_wrong_feed_declaration(make_enricher: MakeEnricher) -> None:
    a = article("fr-2", "", TEXTS["fr"], language="en")
    [enriched] = make_enricher().enrich_batch([a]).enriched
    assert enriched.language == "fr"
    assert enriched.entities == []


SHORT_ENGLISH = (
    "Gallant meets Austin",
    "Israel's defense minister, Yoav Gallant, met Lloyd Austin at the Pentagon on Tuesday.",
)


def test_short_item_falls_back_to_the_language_its_feed_declares(
    make_enricher: MakeEnricher,
) -> None:
    """A headline and one sentence of names is too little for a confident guess."""
    assert detect_language("\n".join(SHORT_ENGLISH)).code is None
    a = article("short-1", *SHORT_ENGLISH, language="en")
    [enriched] = make_enricher().enrich_batch([a]).enriched
    assert enriched.language == "en"
    assert {"Yoav Gallant", "Lloyd Austin"} <= {e.name for e in enriched.entities}


def test_feed_language_with_a_region_counts_as_its_language(make_enricher: MakeEnricher) -> None:
    a = article("short-2", *SHORT_ENGLISH, language="en-US")
    [enriched] = make_enricher().enrich_batch([a]).enriched
    assert enriched.language == "en"
    assert {"Yoav Gallant", "Lloyd Austin"} <= {e.name for e in enriched.entities}
