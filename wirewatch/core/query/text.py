"""Word folding shared by every engine: the matcher, SQLite and the query parser.

It mirrors SQLite FTS5's `unicode61 remove_diacritics 2` tokenizer (letters and
digits are word characters; everything else separates; case and accents folded)
plus the Porter stemmer on text fields — the one FTS5's `porter` tokenizer uses —
so an alert fires exactly when `wirewatch search` finds the article.
"""

from __future__ import annotations

import re
import unicodedata
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


def contains_phrase(haystack: list[str], needle: list[str], *, prefix_last: bool = False) -> bool:
    """True if `needle` occurs as consecutive words of `haystack` (last may be a prefix)."""
    n = len(needle)
    if n == 0 or n > len(haystack):
        return False
    for i in range(len(haystack) - n + 1):
        window = haystack[i : i + n]
        if window[:-1] != needle[:-1]:
            continue
        last = window[-1]
        if last == needle[-1] or (prefix_last and last.startswith(needle[-1])):
            return True
    return False
