"""The news NER ships inside the package and speaks the product's entity types."""

from __future__ import annotations

import tomllib
from pathlib import Path

from processors.enrich.ner import SHIPPED_MODEL, EntityExtractor
from wirewatch.core.settings import EnrichSettings

REPO = Path(__file__).resolve().parents[3]
PACKAGE = REPO / "processors" / "enrich"


def test_every_file_of_the_shipped_model_is_package_data() -> None:
    """`pip install .` copies only what pyproject's package-data globs name."""
    setuptools = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["setuptools"]
    globs = setuptools["package-data"]["processors.enrich"]
    packaged = {p for g in globs for p in PACKAGE.glob(g) if p.is_file()}
    model = {p for p in (PACKAGE / "models" / SHIPPED_MODEL).rglob("*") if p.is_file()}
    assert {"meta.json", "MODEL_CARD.md", "vectors"} <= {p.name for p in model}
    assert model - packaged == set()


def test_the_default_model_is_the_shipped_one_and_reports_the_products_types(
    extractor: EntityExtractor,
) -> None:
    assert EnrichSettings().spacy_model == SHIPPED_MODEL
    assert (extractor.model_name, extractor.model_version) == ("en_ner_conll", "1.0.0")
    text = "Yoav Gallant met Egyptian officials in Cairo on Tuesday."
    mentions = {m.text: m.label for m in extractor.extract_many([text])[0]}
    assert mentions == {"Yoav Gallant": "PERSON", "Egyptian": "NORP", "Cairo": "GPE"}
