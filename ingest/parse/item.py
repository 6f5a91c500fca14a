"""One feed entry between reading and becoming an `Article`.

The XML and JSON readers produce these; the limits (`limits.py`) bound them and
`feed.py` gives them their ids. Kept apart so both can work on it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wirewatch.core.models import Enclosure


@dataclass
class FeedItem:
    """One entry, normalised but not yet given its id."""

    link: str | None
    guid: str | None
    title: str
    summary: str
    text: str
    authors: list[str]
    date_raw: str
    published: datetime | None
    updated: datetime | None
    categories: list[str]
    enclosures: list[Enclosure]
    language: str | None
