"""The topic baseline: a keyword scorer whose keywords are the labels of the 17 IPTC
top-level topics and of their direct children (stemmed words, one point per hit)."""

from __future__ import annotations

import json
from collections import defaultdict
from importlib import resources

from wirewatch.core.query.text import stemmed_words

STOP = {"and", "or", "of", "the", "a", "in", "for", "to", "other"}


class KeywordScorer:
    def __init__(self) -> None:
        data = json.loads(
            resources.files("processors.enrich")
            .joinpath("data/iptc_taxonomy.json")
            .read_text("utf-8")
        )
        self.keywords: dict[str, set[str]] = defaultdict(set)
        for t in data["topics"]:
            top = t["path"][0]
            if t["level"] <= 2:
                self.keywords[top] |= {w for w in stemmed_words(t["label"]) if w not in STOP}

    def top_level_scores(self, title: str, text: str) -> dict[str, float]:
        words = stemmed_words(f"{title} {text}")
        return {top: float(sum(w in kws for w in words)) for top, kws in self.keywords.items()}
