"""Word folding shared by every engine: the matcher, SQLite and the query parser.

It mirrors SQLite FTS5's `unicode61 remove_diacritics 2` tokenizer (letters and
digits are word characters; everything else separates; case and accents folded)
plus the Porter stemmer on text fields — the one FTS5's `porter` tokenizer uses —
so an alert fires exactly when `wirewatch search` finds the article.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[^\W_]+")
_stemmer = snowballstemmer.stemmer("porter")


def fold(text: str) -> str:
    """Lower-case and strip accents: 'Élysée' -> 'elysee'."""
    if text.isascii():  # most news text: nothing to decompose, and far faster
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


def words(text: str) -> list[str]:
    """Folded words, in order."""
    return _WORD.findall(fold(text))


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def stemmed_words(text: str) -> list[str]:
    return [stem(w) for w in words(text)]


def contains_phrase(
    haystack: list[str], needle: Sequence[str], *, prefix_last: bool = False
) -> bool:
    """True if `needle` occurs as consecutive words of `haystack` (last may be a prefix).

    Jumps between occurrences of the first word with `list.index` (a C scan) rather than
    comparing a window at every position: the matcher calls this for every candidate rule.
    """
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    first, last = needle[0], needle[-1]
    if n == 1:
        if prefix_last:
            return any(w.startswith(first) for w in haystack)
        return first in haystack
    rest = list(needle[1:-1])
    end = len(haystack) - n + 1  # last start position a whole needle fits at
    i = 0
    while True:
        try:
            i = haystack.index(first, i, end)
        except ValueError:
            return False
        if haystack[i + 1 : i + n - 1] == rest:
            w = haystack[i + n - 1]
            if w == last or (prefix_last and w.startswith(last)):
                return True
        i += 1
