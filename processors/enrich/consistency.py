"""Mentions the model missed, recovered from the rest of the same article.

A name means one thing throughout a news article, but a statistical tagger
decides each occurrence from its few neighbouring words and misses some: the
second "Lebed" after "Alexander Lebed", a country in a list, the city of a
dateline. Three sources fill those gaps — never overriding a mention the model
found:

- every other occurrence of a name the model tagged somewhere in the article;
- the surname of a person named in full ("Gallant" after "Yoav Gallant");
- place names from official registers (`gazetteer`).

A single-word name that the article also uses in lower case ("Bath" and "bath")
is an ordinary word there and is not recovered.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from processors.enrich.gazetteer import place_names
from processors.enrich.mention import Mention

_TOKEN = re.compile(r"[^\W_][\w.'’&-]*(?<![.'’-])\.?")
_MAX_WORDS = 5
_RECOVERABLE = frozenset({"PERSON", "ORG", "GPE", "LOC", "NORP", "EVENT"})
_CONNECTORS = frozenset({"of", "and", "the", "de", "la", "du", "van", "von", "al"})


def recover_mentions(mentions: Sequence[Mention], text: str) -> list[Mention]:
    """The model's mentions plus the missed occurrences, in text order."""
    known: dict[str, Counter[str]] = {}
    surnames: set[str] = set()
    for m in mentions:
        if m.label not in _RECOVERABLE:
            continue
        surface = " ".join(m.text.split())
        words = surface.split()
        if len(words) == 1 and _starts_sentence(text, m.start):
            continue  # a capital there is no evidence of a name ("Men", "Profit")
        known.setdefault(surface, Counter())[m.label] += 1
        if m.label == "PERSON" and len(words) >= 2 and len(words[-1]) >= 3:
            surnames.add(words[-1])
    labels = {s: c.most_common(1)[0][0] for s, c in known.items()}
    labels.update(dict.fromkeys(surnames, "PERSON"))
    places = place_names()
    lower_words = {w for w in re.findall(r"\b[a-z][a-z'-]+\b", text)}
    taken = [(m.start, m.end) for m in mentions]
    tokens = list(_TOKEN.finditer(text))
    found: list[Mention] = []
    i = 0
    while i < len(tokens):
        if not tokens[i].group()[0].isupper():
            i += 1
            continue
        hit = _longest_name(tokens, i, text, labels, places, lower_words)
        if hit is None:
            i += 1
            continue
        end_index, label, end = hit
        start = tokens[i].start()
        if not _overlaps(taken, start, end):
            found.append(Mention(text[start:end], label, start, end))
        i = end_index + 1
    return sorted([*mentions, *found], key=lambda m: m.start)


def _longest_name(
    tokens: Sequence[re.Match[str]],
    i: int,
    text: str,
    labels: dict[str, str],
    places: frozenset[str],
    lower_words: set[str],
) -> tuple[int, str, int] | None:
    """(index of the name's last token, its label, where it ends) for the longest name
    starting at token i. A sentence's full stop is not part of the name ("Nigeria.")
    unless the name itself ends with one ("U.S.")."""
    for j in range(min(len(tokens), i + _MAX_WORDS) - 1, i - 1, -1):
        last = tokens[j].group()
        if not last[0].isupper() or last.lower() in _CONNECTORS:
            continue
        if j > i and "\n" in text[tokens[i].start() : tokens[j].end()]:
            continue
        end = tokens[j].end()
        surface = " ".join(text[tokens[i].start() : end].split())
        if surface not in labels and surface.endswith("."):
            surface, end = surface[:-1], end - 1
        if j == i and surface.lower() in lower_words:
            continue
        if surface in labels:
            return j, labels[surface], end
        if surface in places:
            return j, "GPE", end
    return None


def _starts_sentence(text: str, start: int) -> bool:
    before = text[max(0, start - 3) : start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?:\n-"


def _overlaps(taken: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in taken)
