"""Cutting text to a limit so that a reader sees it was cut.

Ingest bounds what feeds send (titles, summaries, texts, names) and the webhook
sink bounds what it sends on; both cut the same way: at the last word boundary
near the limit (a word cut in half reads as a typo, and would be indexed as one),
ending with '…' so nobody takes the cut text for the whole.
"""

from __future__ import annotations

import re

ELLIPSIS = "…"
# How far back from the limit a cut may move to reach a word boundary, as a share
# of the limit: a text without spaces (a URL, CJK script) is cut at a character.
_BACKTRACK_SHARE = 0.2
_LAST_SPACE = re.compile(r"\s\S*\Z")


def truncate(text: str, limit: int) -> str:
    """`text` if it fits in `limit` characters, else a prefix ending in '…' that fits."""
    if len(text) <= limit:
        return text
    cut = text[: limit - len(ELLIPSIS)]
    if not text[len(cut)].isspace():  # the cut falls inside a word: drop its start
        floor = int(len(cut) * (1 - _BACKTRACK_SHARE))
        space = _LAST_SPACE.search(cut, floor)
        if space is not None:
            cut = cut[: space.start()]
    return cut.rstrip() + ELLIPSIS
