"""Truecasing Title Case headlines before NER, from the article's own words.

A tagger reads capitals as a sign of a name. In a Title Case headline ("Presses
Hamas on Disarmament, Officials Say") every word has one, so ordinary words become
people ("Disarmament", "Say"). Such a line is rewritten with the casing the same
article uses elsewhere: a word the article writes in lower case ("officials",
"say") is lower-cased; a word it writes in capitals ("NATO") stays so. Only the
case changes, so every character offset stays valid.

ALL-CAPS lines (wire headlines, datelines) are left alone: the news NER learnt them
from CoNLL-2003's own, and recasing them cost 0.6 F1 on eng.testa (bench/bench_ner.py).
"""

from __future__ import annotations

import re

_WORD = re.compile(r"[^\W\d_][^\W\d_'’.-]*(?:['’.-][^\W\d_]+)*\.?")
_MIN_LETTERS = 4
_SHOUTING = 0.9  # share of upper-case letters: an ALL-CAPS line, not Title Case
_TITLE_CASE = 0.8  # share of capitalised words
_MIN_TITLE_WORDS = 4


def truecase_text(text: str) -> str:
    lines = text.split("\n")
    titles = [_is_title_case(line) for line in lines]
    if not any(titles):
        return text
    lower: set[str] = set()
    upper: set[str] = set()
    for line, title in zip(lines, titles, strict=True):
        if title:
            continue
        for m in _WORD.finditer(line):
            w = m.group()
            if w.islower():
                lower.update((w, w.rstrip(".")))  # a word ending a sentence is a word
            elif w.isupper() and len(w) > 1:
                upper.update((w, w.rstrip(".")))
    return "\n".join(
        _recase(line, lower, upper) if title else line
        for line, title in zip(lines, titles, strict=True)
    )


def _is_title_case(line: str) -> bool:
    letters = [c for c in line if c.isalpha()]
    if len(letters) < _MIN_LETTERS or sum(c.isupper() for c in letters) / len(letters) > _SHOUTING:
        return False
    words = [w for w in _WORD.findall(line) if len(w) > 3]
    return len(words) >= _MIN_TITLE_WORDS and (
        sum(w[0].isupper() for w in words) / len(words) >= _TITLE_CASE
    )


def _recase(line: str, lower: set[str], upper: set[str]) -> str:
    out = []
    last = 0
    for i, m in enumerate(_WORD.finditer(line)):
        w = m.group()
        if w in upper:
            new = w
        elif w.lower() in lower:
            new = w.lower() if i else w[0] + w[1:].lower()
        else:
            new = w
        out.append(line[last : m.start()])
        out.append(new if len(new) == len(w) else w)
        last = m.end()
    out.append(line[last:])
    return "".join(out)
