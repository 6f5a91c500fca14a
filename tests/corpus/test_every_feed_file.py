"""Every file of the feed corpora goes through the parser without an exception escaping."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ingest.parse import parse_feed
from wirewatch.core.models import Feed

NOW = datetime(2026, 11, 25, tzinfo=UTC)
SKIP_SUFFIXES = {
    ".md",
    ".rst",
    ".txt",
    ".go",
    ".rs",
    ".ts",
    ".js",
    ".py",
    ".toml",
    ".yaml",
    ".yml",
    ".tsv",
    ".png",
    ".gif",
    ".jpg",
    ".lock",
    ".mod",
    ".sum",
    ".html",
    ".xsd",
    ".xsl",
}


def test_every_feed_file_parses(corpora: Path) -> None:
    feed = Feed(id="corpus", url="file:///corpus.xml", added_at=NOW)
    files = [
        p
        for p in sorted((corpora / "feeds").rglob("*"))
        if p.is_file() and p.suffix.lower() not in SKIP_SUFFIXES and "LICENSE" not in p.name
    ]
    assert len(files) > 3000
    parsed = 0
    for path in files:
        result = parse_feed(path.read_bytes()[:5_000_000], feed=feed, fetched_at=NOW)
        parsed += bool(result.articles)
    assert parsed > 1500
