"""`contains_phrase` jumps between occurrences of the first word: the cases that could trip it."""

from __future__ import annotations

import pytest

from wirewatch.core.query.text import contains_phrase

HAY = "the bank of the bank of england rose".split()


@pytest.mark.parametrize(
    ("needle", "prefix_last", "expected"),
    [
        (["bank", "of", "england"], False, True),  # only the second occurrence of "bank" fits
        (["of", "england", "rose"], False, True),  # ends on the last word
        (["the", "bank", "of", "scotland"], False, False),
        (["england", "rose", "again"], False, False),  # would run past the end
        (["bank", "of", "eng"], True, True),  # last word as a prefix
        (["bank", "of", "eng"], False, False),
        (["ros"], True, True),
        (["ros"], False, False),
        (["rose"], False, True),
        ([], False, False),
    ],
)
def test_consecutive_words_with_an_optional_prefix_last(
    needle: list[str], prefix_last: bool, expected: bool
) -> None:
    assert contains_phrase(HAY, needle, prefix_last=prefix_last) is expected


def test_accepts_a_tuple_needle() -> None:
    assert contains_phrase(HAY, ("bank", "of", "england"))
