"""A seeded generator of syndicated copies: each copy of an article gets two edits of
five kinds — boilerplate added (30–80 words), headline reworded, 20 % of sentences
dropped, paragraphs reordered, tracking parameters on the URL."""

from __future__ import annotations

import random
import re

BOILERPLATE = (
    "Sign up for our newsletter to get the latest headlines delivered to your inbox every "
    "morning. Follow us on social media for breaking news, analysis and opinion from our "
    "correspondents around the world. This article was originally published by our partner "
    "agency and is republished here under a syndication agreement. All rights reserved. "
    "Readers can send tips and corrections to the newsroom at any time; our editors review "
    "every message. Advertisement. Continue reading below for more coverage and related "
    "stories from our network of local and international reporters."
).split()
_SENTENCE = re.compile(r"(?<=[.!?])\s+")
REWORDS = [
    ("says", "said"),
    ("will", "is set to"),
    ("to", "in order to"),
    ("new", "fresh"),
    ("after", "following"),
    ("over", "amid"),
    ("up", "higher"),
    ("UK", "Britain"),
]


def reword(title: str, rng: random.Random) -> str:
    words = title.split()
    out = []
    for w in words:
        for a, b in REWORDS:
            if w == a and rng.random() < 0.8:
                w = b
                break
        out.append(w)
    if len(out) > 3 and rng.random() < 0.5:
        i = rng.randrange(1, len(out) - 1)
        out[i], out[i + 1] = out[i + 1], out[i]
    prefix = rng.choice(["", "Update: ", "Breaking: ", "Report: "])
    return prefix + " ".join(out)


def make_copy(title: str, text: str, url: str, rng: random.Random) -> tuple[str, str, str]:
    edits = rng.sample(["boilerplate", "headline", "drop", "reorder", "tracking"], 2)
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    if "drop" in edits:
        sentences = [s for p in paragraphs for s in _SENTENCE.split(p) if s]
        keep = sorted(rng.sample(range(len(sentences)), max(1, round(len(sentences) * 0.8))))
        paragraphs = [" ".join(sentences[i] for i in keep)]
    if "reorder" in edits and len(paragraphs) > 1:
        rng.shuffle(paragraphs)
    body = "\n\n".join(paragraphs)
    if "boilerplate" in edits:
        n = rng.randint(30, 80)
        start = rng.randrange(0, len(BOILERPLATE) - n)
        extra = " ".join(BOILERPLATE[start : start + n])
        body = f"{body}\n\n{extra}" if rng.random() < 0.5 else f"{extra}\n\n{body}"
    if "headline" in edits:
        title = reword(title, rng)
    if "tracking" in edits:
        url += f"?utm_source=partner&utm_medium=syndication&fbclid={rng.randrange(10**9)}"
    return title, body, url
