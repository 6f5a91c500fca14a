"""CoNLL-2003 loading and scoring for the NER benchmark.

Scoring is exact character span and type, micro-averaged as conlleval does.
spaCy's OntoNotes types map to CoNLL's: PERSON→PER, ORG→ORG, GPE/LOC/FAC→LOC,
NORP/EVENT/PRODUCT/WORK_OF_ART/LAW/LANGUAGE→MISC; other types are dropped.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "news_ner" / "conll2003"
MAPPING = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "PRODUCT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
}
# A sports report's headline starts with the sport in capitals: "SOCCER - ...".
SPORTS_HEADLINE = re.compile(r"^[A-Z][A-Z .&/-]{1,40} - ")


@dataclass
class Doc:
    doc_id: str
    headline: str
    text: str
    gold: set[tuple[int, int, str]] = field(default_factory=set)

    @property
    def sports(self) -> bool:
        return bool(SPORTS_HEADLINE.match(self.headline))


def load_jsonl(path: Path) -> list[Doc]:
    docs = []
    for line in path.read_text(encoding="utf-8").splitlines():
        d = json.loads(line)
        docs.append(
            Doc(
                str(d["doc_id"]),
                d["headline"],
                d["text"],
                {(e["start"], e["end"], e["label"]) for e in d["entities"]},
            )
        )
    return docs


def load_conll(path: Path) -> list[Doc]:
    """CoNLL column format (IOB1) → documents with character spans, joined like the jsonl."""
    docs: list[Doc] = []
    sentences: list[list[tuple[str, str]]] = []
    current: list[tuple[str, str]] = []

    def spans(sent: list[tuple[str, str]], offset: int) -> set[tuple[int, int, str]]:
        out: set[tuple[int, int, str]] = set()
        start = end = -1
        kind: str | None = None
        pos = offset
        for tok, tag in sent:
            tag_kind = tag[2:] if tag != "O" else None
            if kind is not None and (tag_kind != kind or tag.startswith("B-")):
                out.add((start, end, kind))
                kind = None
            if tag_kind is not None and kind is None:
                start, kind = pos, tag_kind
            if tag_kind is not None:
                end = pos + len(tok)
            pos += len(tok) + 1
        if kind is not None:
            out.add((start, end, kind))
        return out

    def flush_doc() -> None:
        if not sentences:
            return
        lines, gold, pos = [], set(), 0
        for sent in sentences:
            gold |= spans(sent, pos)
            line = " ".join(tok for tok, _ in sent)
            lines.append(line)
            pos += len(line) + 1
        docs.append(Doc(str(len(docs)), lines[0], "\n".join(lines), gold))
        sentences.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("-DOCSTART-"):
            if current:
                sentences.append(current)
                current = []
            flush_doc()
            continue
        if not raw.strip():
            if current:
                sentences.append(current)
                current = []
            continue
        cols = raw.split()
        current.append((cols[0], cols[-1]))
    if current:
        sentences.append(current)
    flush_doc()
    return docs


@dataclass
class Score:
    tp: Counter[str] = field(default_factory=Counter)
    fp: Counter[str] = field(default_factory=Counter)
    fn: Counter[str] = field(default_factory=Counter)

    def add(
        self, predicted: Iterable[tuple[int, int, str]], gold: set[tuple[int, int, str]]
    ) -> None:
        pred = set(predicted)
        for s in pred & gold:
            self.tp[s[2]] += 1
        for s in pred - gold:
            self.fp[s[2]] += 1
        for s in gold - pred:
            self.fn[s[2]] += 1

    def prf(self, label: str | None = None) -> tuple[float, float, float]:
        if label is None:
            tp, fp, fn = sum(self.tp.values()), sum(self.fp.values()), sum(self.fn.values())
        else:
            tp, fp, fn = self.tp[label], self.fp[label], self.fn[label]
        p = tp / (tp + fp) if tp + fp else 0.0
        r = tp / (tp + fn) if tp + fn else 0.0
        return p * 100, r * 100, (2 * p * r / (p + r) * 100 if p + r else 0.0)
