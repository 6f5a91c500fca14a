"""Language identification: offline, fast and small (py3langid, ~5 MB)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import version
from typing import Any

from py3langid.langid import MODEL_FILE, LanguageIdentifier

LANGUAGE_MODEL = f"py3langid {version('py3langid')}"
MIN_LETTERS = 12  # below this, any guess is noise
MIN_CONFIDENCE = 0.5


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
    if sum(c.isalpha() for c in sample) < MIN_LETTERS:
        return LanguageGuess(None, 0.0)
    code, prob = _identifier().classify(sample)
    confidence = round(float(prob), 4)
    if confidence < MIN_CONFIDENCE:
        return LanguageGuess(None, confidence)
    return LanguageGuess(str(code), confidence)
