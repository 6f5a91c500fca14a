"""Normalising feed items: canonical URLs, UTC dates, safe HTML and clean text (pure)."""

from ingest.normalise.dates import parse_date
from ingest.normalise.html import html_to_text, sanitize_html
from ingest.normalise.urls import canonical_url, host_of, is_tracking_param

__all__ = [
    "canonical_url",
    "host_of",
    "html_to_text",
    "is_tracking_param",
    "parse_date",
    "sanitize_html",
]
