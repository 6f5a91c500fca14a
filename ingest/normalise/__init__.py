"""Normalising feed items: canonical URLs, UTC dates, clean text (pure)."""

from ingest.normalise.dates import parse_date
from ingest.normalise.html import html_to_text
from ingest.normalise.urls import canonical_url, entry_links, host_of, is_tracking_param

__all__ = [
    "canonical_url",
    "entry_links",
    "host_of",
    "html_to_text",
    "is_tracking_param",
    "parse_date",
]
