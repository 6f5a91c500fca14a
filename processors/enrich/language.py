"""Language identification: offline, fast and small (py3langid, ~5 MB)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from itertools import islice
from typing import Any

import pycountry
from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGE_MODEL = f"py3langid {version('py3langid')}"
MIN_LETTERS = 12  # below this, any guess is noise
MIN_CONFIDENCE = 0.5
NO_LANGUAGE = "zxx"  # py3langid's class for text without linguistic content


@dataclass(frozen=True)
class LanguageGuess:
    code: str | None
    confidence: float


@lru_cache(maxsize=1)
def _identifier() -> Any:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> LanguageGuess:
    """ISO 639-1 code with a 0..1 confidence; None when the text is too short or unclear."""
    sample = text[:4000]
    # Stops at the MIN_LETTERS-th letter instead of counting all 4,000 characters.
    if next(islice(filter(str.isalpha, sample), MIN_LETTERS - 1, None), None) is None:
        return LanguageGuess(None, 0.0)
    code, prob = _identifier().classify(sample)
    confidence = round(float(prob), 4)
    if confidence < MIN_CONFIDENCE or code == NO_LANGUAGE:
        return LanguageGuess(None, confidence)
    return LanguageGuess(primary_language(str(code)), confidence)


def primary_language(tag: str | None) -> str | None:
    """'en-US' → 'en'; an ISO 639-3 code → its ISO 639-1 code where it has one ('deu' →
    'de'), else the three-letter code (Egyptian Arabic 'arz' has no two-letter code)."""
    if not tag:
        return None
    primary = tag.replace("_", "-").split("-")[0].strip().lower()
    if len(primary) == 3:
        found = pycountry.languages.get(alpha_3=primary)
        return str(getattr(found, "alpha_2", None) or primary)
    return primary or None
