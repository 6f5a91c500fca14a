"""A named-entity mention as the tagger reports it: text, label and character span."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Mention:
    text: str
    label: str
    start: int
    end: int
