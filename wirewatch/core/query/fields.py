"""How a query leaf on a non-text field matches a value — shared by every engine.

The matcher calls these directly; the SQLite store registers them as SQL
functions. One definition, so search and alerts cannot disagree.
"""

from __future__ import annotations

from wirewatch.core.models import Article
from wirewatch.core.query.text import contains_phrase, fold, words

ALIAS_SEPARATOR = "\n"


def body_text(a: Article) -> str:
    """What the `text:` field (and a bare term) searches: the summary and the text, once.

    Every index and the matcher take it from here, so an alert fires iff search finds it.
    """
    if a.text and a.summary and a.summary not in a.text:
        return f"{a.summary}\n{a.text}"
    return a.text or a.summary


def phrase_in(haystack: str | None, needle: str, prefix: bool = False) -> bool:
    """The needle's words appear consecutively in the haystack's (case/accent-folded)."""
    if not haystack:
        return False
    return contains_phrase(words(haystack), words(needle), prefix_last=prefix)


def phrase_in_any(names: str | None, needle: str, prefix: bool = False) -> bool:
    """Like `phrase_in`, over names joined by ALIAS_SEPARATOR (a phrase never spans two)."""
    if not names:
        return False
    return any(phrase_in(n, needle, prefix) for n in names.split(ALIAS_SEPARATOR))


def domain_matches(domain: str | None, value: str) -> bool:
    """`source:bbc.co.uk` matches bbc.co.uk and its subdomains (feeds.bbc.co.uk)."""
    if not domain:
        return False
    d, v = fold(domain).strip("."), fold(value).strip(".")
    return bool(v) and (d == v or d.endswith("." + v))


def source_matches(name: str | None, domain: str | None, value: str, prefix: bool = False) -> bool:
    return domain_matches(domain, value) or phrase_in(name, value, prefix)


def exact_matches(stored: str | None, value: str) -> bool:
    return stored is not None and fold(stored) == fold(value)
