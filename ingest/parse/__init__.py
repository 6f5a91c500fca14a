"""Parsing fetched feed bytes into normalised articles (pure: no network, no files)."""

from ingest.parse.feed import ParsedFeed, parse_feed

__all__ = ["ParsedFeed", "parse_feed"]
