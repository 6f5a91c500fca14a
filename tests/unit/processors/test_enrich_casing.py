"""Title Case headline truecasing and mention recovery: the two steps around the NER model."""

from __future__ import annotations

from processors.enrich.casing import truecase_text
from processors.enrich.consistency import recover_mentions
from processors.enrich.mention import Mention

BODY = "Apple said sales slow in some markets, officials say, while NATO allies watch."


def test_title_case_headline_takes_the_articles_own_casing() -> None:
    text = "Apple Unveils New iPhone As Sales Slow In China, Officials Say\n\n" + BODY
    cased = truecase_text(text)
    assert len(cased) == len(text)
    headline = cased.split("\n")[0]
    assert "sales slow in China, officials say" in headline
    assert headline.startswith("Apple Unveils New iPhone")  # not in the body in lower case
    assert cased.endswith(BODY)


def test_an_all_caps_headline_is_left_to_the_model() -> None:
    """The news NER learnt wire headlines in capitals; recasing them cost F1 on eng.testa."""
    text = "ISRAEL PRESSES HAMAS ON GAZA TRUCE\n\nIsrael pressed Hamas on Monday, officials say."
    assert truecase_text(text) == text


def test_ordinary_text_is_untouched() -> None:
    text = "The minister met NATO officials in Brussels on Tuesday.\n\nThey agreed."
    assert truecase_text(text) == text


def test_a_surname_after_the_full_name_is_recovered_as_the_person() -> None:
    text = "Alexander Lebed said on Monday that talks would go on. Lebed added nothing."
    model = [Mention("Alexander Lebed", "PERSON", 0, 15)]
    found = recover_mentions(model, text)
    start = text.index("Lebed added")
    assert Mention("Lebed", "PERSON", start, start + 5) in found


def test_registered_place_names_are_recovered_but_never_override_the_model() -> None:
    text = "Exports to Nigeria and Belarus rose, the Reading Gaol museum said. Ask Belarus."
    museum = text.index("Reading Gaol")
    model = [Mention("Reading Gaol", "ORG", museum, museum + 12)]
    found = recover_mentions(model, text)
    labels = {m.text: m.label for m in found}
    assert labels["Nigeria"] == "GPE" and labels["Belarus"] == "GPE"
    assert labels["Reading Gaol"] == "ORG" and "Reading" not in labels
    assert "Belarus." not in labels  # the full stop ends the sentence, not the name


def test_a_name_the_article_also_uses_as_a_word_is_not_recovered() -> None:
    text = "Bath officials said the bath was closed. Bath council agreed."
    assert recover_mentions([], text) == []
