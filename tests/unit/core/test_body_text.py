"""The one definition of an article's searchable body (search and alerts both read it)."""

from __future__ import annotations

from tests.unit.sinks.test_sqlite_store import art
from wirewatch.core.query.fields import body_text


def test_the_summary_is_searched_once_even_when_the_text_repeats_it() -> None:
    a = art(1)  # summary "Officials met in Cairo."
    assert body_text(a) == "Officials met in Cairo."
    full = a.model_copy(update={"text": "Officials met in Cairo. Talks went on."})
    assert body_text(full) == "Officials met in Cairo. Talks went on."
    other = a.model_copy(update={"text": "Talks went on."})
    assert body_text(other) == "Officials met in Cairo.\nTalks went on."
