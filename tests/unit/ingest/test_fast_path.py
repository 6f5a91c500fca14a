"""The lxml fast path: which feeds it takes, feedparser's quirks it reproduces, and that its
parser expands no entity and reads no file even when handed a DOCTYPE."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from ingest.parse import ParsedFeed, parse_feed
from ingest.parse.fastpath import parse_fast
from tests.corpus.test_fast_path import everything as fields
from wirewatch.core.models import Feed

NOW = datetime(2026, 11, 25, tzinfo=UTC)
FEED = Feed(id="f", url="https://news.example/feed.xml", added_at=NOW)


def both(xml: str) -> tuple[ParsedFeed, ParsedFeed]:
    body = xml.encode()
    return (
        parse_feed(body, feed=FEED, fetched_at=NOW),
        parse_feed(body, feed=FEED, fetched_at=NOW, fast_path=False),
    )


def test_plain_rss_takes_the_fast_path_with_feedparsers_result() -> None:
    fast, slow = both(
        """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0" xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>
<title>News</title><link>https://news.example/</link><language>en</language>
<item><title>A &amp; B</title><link>/a?utm_source=x&amp;id=1</link>
<description>&lt;p&gt;One&lt;/p&gt;&lt;p&gt;Two&lt;/p&gt;</description>
<dc:creator>Ann</dc:creator><category>World</category>
<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>
<enclosure url="https://news.example/a.mp3" length="12" type="audio/mpeg"/></item>
<item><guid>https://news.example/b</guid><title>B</title></item>
</channel></rss>"""
    )
    assert (fast.parser, slow.parser) == ("lxml", "feedparser")
    assert fields(fast) == fields(slow)
    a, b = fast.articles
    assert a.url == "https://news.example/a?id=1" and a.summary == "One\n\nTwo"
    assert a.authors == ["Ann"] and a.enclosures[0].length == 12
    assert b.url == "https://news.example/b"  # a permalink guid stands in for the link


def test_a_feed_level_summary_makes_the_first_items_description_content_as_in_feedparser() -> None:
    fast, slow = both(
        """<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd">
<channel><title>Show</title><itunes:summary>S</itunes:summary><description>D</description>
<item><title>1</title><link>https://news.example/1</link>
<itunes:summary>short</itunes:summary><description>&lt;b&gt;long text&lt;/b&gt;</description></item>
<item><title>2</title><link>https://news.example/2</link>
<itunes:summary>short</itunes:summary><description>&lt;b&gt;long text&lt;/b&gt;</description></item>
</channel></rss>"""
    )
    assert fast.parser == "lxml" and fields(fast) == fields(slow)
    first, second = fast.articles
    assert (first.summary, first.text) == ("long text", "")
    assert (second.summary, second.text) == ("short", "long text")


def test_repeated_elements_follow_feedparsers_first_or_last_wins() -> None:
    fast, slow = both(
        """<rss version="2.0" xmlns:media="http://search.yahoo.com/mrss/"><channel><title>x</title>
<item><title></title><title>First</title><title>Second</title><link>https://news.example/1</link>
<pubDate>Mon, 23 Nov 2026 10:00:00 GMT</pubDate><pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate>
<media:group><media:title>Group title</media:title></media:group></item>
<item><media:title>Media title</media:title><link>https://news.example/2</link></item>
</channel></rss>"""
    )
    assert fast.parser == "lxml" and fields(fast) == fields(slow)
    first, second = fast.articles
    assert first.title == "First" and first.published_at.day == 24  # first title, last date
    assert second.title == "Media title"


def test_xml_base_and_xml_lang_are_scoped_as_in_feedparser() -> None:
    fast, slow = both(
        """<feed xmlns="http://www.w3.org/2005/Atom" xml:base="https://blog.example/posts/">
<title>Blog</title><entry xml:base="2026/"><id>urn:x:1</id><title>T</title>
<link href="one.html"/><content type="html" xml:lang="de">&lt;p&gt;Hallo&lt;/p&gt;</content>
<updated>2026-11-24T10:00:00Z</updated></entry></feed>"""
    )
    assert fast.parser == "lxml" and fields(fast) == fields(slow)
    assert fast.articles[0].url == "https://blog.example/posts/2026/one.html"
    assert fast.articles[0].language == "de"


def test_what_the_fast_path_cannot_reproduce_goes_to_feedparser() -> None:
    malformed = "<rss version='2.0'><channel><title>x</title><item><title>a</item></channel></rss>"
    xhtml = """<feed xmlns="http://www.w3.org/2005/Atom"><title>x</title><entry><id>1</id>
<title>t</title><content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml">
<p>x</p></div></content></entry></feed>"""
    rss091 = (
        "<rss version='0.91'><channel><title>x</title><item><title>a</title></item></channel></rss>"
    )
    for xml in (malformed, xhtml, rss091):
        fast, slow = both(xml)
        assert fast.parser == "feedparser"
        assert fields(fast) == fields(slow)
    assert both(malformed)[0].bozo_reason


def test_the_fast_paths_parser_expands_no_entity_and_reads_no_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-MARKER")
    headers = {"content-type": "application/xml", "content-location": "https://x.example/"}
    for declaration in (
        '<!ENTITY x "BOOM-MARKER">',
        f'<!ENTITY x SYSTEM "{secret.as_uri()}">',
    ):
        # handed the DOCTYPE that parse_feed always cuts out first
        doc = (
            f'<?xml version="1.0"?><!DOCTYPE rss [{declaration}]><rss version="2.0"><channel>'
            "<title>t</title><item><title>a &x; b</title><link>https://x.example/1</link>"
            "</item></channel></rss>"
        )
        result = parse_fast(doc.encode(), headers)
        assert "MARKER" not in repr(result)
