"""Cutting text to a limit: at a word, with '…', never over the limit."""

from __future__ import annotations

import pytest

from wirewatch.core.truncate import truncate


def test_text_within_the_limit_is_returned_as_is() -> None:
    assert truncate("Talks on Rafah resume", 21) == "Talks on Rafah resume"


def test_a_cut_inside_a_word_moves_back_to_the_word_boundary() -> None:
    cut = truncate("Ceasefire talks in Cairo resume tomorrow morning", 36)
    assert cut == "Ceasefire talks in Cairo resume…"


def test_text_without_spaces_is_cut_at_a_character() -> None:
    assert truncate("x" * 50, 20) == "x" * 19 + "…"


@pytest.mark.parametrize("limit", [16, 17, 100, 999])
def test_never_longer_than_the_limit_and_always_marked(limit: int) -> None:
    text = "word " * 1000
    cut = truncate(text, limit)
    assert len(cut) <= limit and cut.endswith("…") and not cut[:-1].endswith(" ")
