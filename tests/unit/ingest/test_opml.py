"""OPML import/export: real files, round trips, and clear errors."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from ingest.opml import parse_opml, write_opml
from wirewatch.core.errors import FeedError
from wirewatch.core.models import Feed
from wirewatch.core.settings import LimitsSettings

T = datetime(2026, 11, 25, tzinfo=UTC)


def test_round_trip_keeps_urls_titles_and_site_links() -> None:
    feeds = [
        Feed(
            id="f1",
            url="https://a.example/feed?x=1&y=2",
            title="A & B <news>",
            site_url="https://a.example/",
            added_at=T,
        ),
        Feed(id="f2", url="https://b.example/rss", added_at=T),
    ]
    back = parse_opml(write_opml(feeds, "mine"), source_name="export.opml")
    assert [(f.url, f.title, f.html_url) for f in back] == [
        ("https://a.example/feed?x=1&y=2", "A & B <news>", "https://a.example/"),
        ("https://b.example/rss", "https://b.example/rss", None),
    ]


def test_nested_categories_and_repeats() -> None:
    data = b"""<opml version="1.0"><body><outline text="News"><outline text="World">
      <outline xmlUrl="https://x.example/1" text="One"/></outline>
      <outline xmlurl="https://x.example/2" title="Two"/></outline>
      <outline xmlUrl="https://x.example/1" text="Again"/></body></opml>"""
    feeds = parse_opml(data, source_name="f.opml")
    assert [(f.url, f.title, f.categories) for f in feeds] == [
        ("https://x.example/1", "One", ("News", "World")),
        ("https://x.example/2", "Two", ("News",)),
    ]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (b'<opml><body>\n<outline xmlUrl="x">\n</body></opml>', "line 3"),
        (b"not xml at all", "line 1"),
        (b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "b">]>\n<opml/>', "DOCTYPE"),
        (b"<rss><channel/></rss>", "not OPML"),
        (b'<!DOCTYPE opml SYSTEM "file:///etc/passwd">\n<opml/>', "DOCTYPE"),
        (
            b'<!DOCTYPE l [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
            b"<opml><body><outline text='&b;&b;&b;&b;'/></body></opml>",
            "DOCTYPE",
        ),
    ],
)
def test_malformed_opml_names_the_file_and_place(data: bytes, needle: str) -> None:
    with pytest.raises(FeedError) as e:
        parse_opml(data, source_name="my.opml")
    assert "my.opml" in str(e.value) and needle in str(e.value)


def test_raw_ampersands_in_urls_are_tolerated_like_feed_readers_do() -> None:
    data = b'<opml><body><outline text="Q&A" xmlUrl="https://x.example/rss?a=1&b=2"/></body></opml>'
    [feed] = parse_opml(data, source_name="f.opml")
    assert (feed.url, feed.title) == ("https://x.example/rss?a=1&b=2", "Q&A")


def test_real_opml_files(corpora: Path) -> None:
    """Real exports: most parse (raw '&' in URLs is tolerated, as readers do); the few that
    are broken beyond that (unescaped quotes inside attributes) fail with file and line."""
    files = sorted((corpora / "feeds" / "opml").rglob("*.opml"))
    assert len(files) > 100
    total, broken = 0, []
    for f in files:
        try:
            feeds = parse_opml(f.read_bytes(), source_name=f.name)
        except FeedError as e:
            assert f.name in str(e) and "line" in str(e)
            broken.append(f.name)
            continue
        assert all(x.url.startswith(("http://", "https://")) for x in feeds), f.name
        total += len(feeds)
    assert len(broken) <= len(files) // 4, broken  # 22 of 118 have quotes inside attributes
    assert total > 600


def _outlines(n: int) -> bytes:
    body = "".join(f'<outline xmlUrl="https://x.example/{i}"/>' for i in range(n))
    return f"<opml version='2.0'><body>{body}</body></opml>".encode()


def test_an_opml_file_with_too_many_outlines_is_refused_with_the_limit() -> None:
    data = _outlines(200_000)
    assert len(data) < LimitsSettings().opml_bytes  # the outline count, not the size, refuses it
    with pytest.raises(FeedError) as e:
        parse_opml(data, source_name="huge.opml")
    assert "huge.opml" in str(e.value) and "limits.opml_outlines (10,000)" in str(e.value)


def test_outlines_up_to_the_limit_import() -> None:
    limits = LimitsSettings(opml_outlines=50)
    assert len(parse_opml(_outlines(50), source_name="f.opml", limits=limits)) == 50
    with pytest.raises(FeedError, match="opml_outlines"):
        parse_opml(_outlines(51), source_name="f.opml", limits=limits)


def test_an_opml_file_over_the_byte_limit_is_refused_before_parsing() -> None:
    data = b'<opml><body><outline xmlUrl="https://x.example/' + b"x" * 50_000_000 + b'"/>'
    with pytest.raises(FeedError) as e:
        parse_opml(data, source_name="big.opml")
    assert "big.opml" in str(e.value) and "limits.opml_bytes (10,485,760 bytes)" in str(e.value)
