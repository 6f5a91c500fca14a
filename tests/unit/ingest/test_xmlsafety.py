"""No markup declaration reaches an XML parser, wherever it is in the prolog and whatever
the encoding: entities declared there are never expanded, external ones never read, and
the feed's items still parse. (Bombs that would need the memory cap are run under it in
tests/corpus/test_hostile_xml.py.)"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ingest.parse import ParsedFeed, parse_feed
from ingest.parse.xmlsafety import UnsafeXml, strip_doctype
from wirewatch.core.models import Feed

NOW = datetime(2026, 11, 25, tzinfo=UTC)
FEED = Feed(id="f", url="https://news.example/feed.xml", added_at=NOW)
SECRET = "EXPANDED-ENTITY"
DTD = (
    f'<!DOCTYPE rss [<!ENTITY inner "{SECRET}">'
    '<!ENTITY outer "&inner;&inner;"><!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
)
BODY = (
    '<rss version="2.0"><channel><title>News &outer;</title>'
    "<item><title>First &inner;&xxe;</title><link>https://news.example/1</link></item>"
    "<item><title>Second</title><link>https://news.example/2</link></item>"
    "</channel></rss>"
)
PROLOGS = {
    "at the start": "",
    "after a 100 KB comment": "<!--" + "c" * 100_000 + "-->\n",
    "after many PIs and whitespace": '<?xml-stylesheet href="s.xsl"?>\n \t' * 5_000,
    "after a comment holding '<a' and a quote": "<!-- <a href='x'> it's -->",
}
ENCODINGS = {
    "UTF-8": ("utf-8", b""),
    "UTF-8 with BOM": ("utf-8", b"\xef\xbb\xbf"),
    "UTF-16 LE without BOM": ("utf-16-le", b""),
    "UTF-16 BE without BOM": ("utf-16-be", b""),
    "UTF-16 LE with BOM": ("utf-16-le", b"\xff\xfe"),
    "UTF-32 LE without BOM": ("utf-32-le", b""),
    "UTF-32 BE without BOM": ("utf-32-be", b""),
    "UTF-32 BE with BOM": ("utf-32-be", b"\x00\x00\xfe\xff"),
    "EBCDIC (cp037)": ("cp037", b""),
}


def document(prolog: str, codec: str, bom: bytes = b"") -> bytes:
    name = codec.replace("-le", "le").replace("-be", "be")
    return bom + (f'<?xml version="1.0" encoding="{name}"?>{prolog}{DTD}{BODY}').encode(codec)


def text_of(parsed: ParsedFeed) -> str:
    return " ".join(f"{parsed.title} {a.title} {a.summary} {a.text}" for a in parsed.articles)


def assert_items_without_expansion(parsed: ParsedFeed) -> None:
    assert [a.url for a in parsed.articles] == ["https://news.example/1", "https://news.example/2"]
    assert parsed.articles[0].title.startswith("First")
    assert SECRET not in text_of(parsed) and "root:" not in text_of(parsed)
    assert "DOCTYPE with entity declarations removed" in (parsed.bozo_reason or "")


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "feedparser"])
@pytest.mark.parametrize("where", PROLOGS)
def test_a_doctype_anywhere_in_the_prolog_is_removed(where: str, fast_path: bool) -> None:
    parsed = parse_feed(
        document(PROLOGS[where], "utf-8"), feed=FEED, fetched_at=NOW, fast_path=fast_path
    )
    assert_items_without_expansion(parsed)


@pytest.mark.parametrize("fast_path", [True, False], ids=["fast path", "feedparser"])
@pytest.mark.parametrize("name", ENCODINGS)
def test_a_doctype_is_removed_in_every_encoding(name: str, fast_path: bool) -> None:
    codec, bom = ENCODINGS[name]
    body = document("<!-- a comment -->\n", codec, bom)
    parsed = parse_feed(body, feed=FEED, fetched_at=NOW, fast_path=fast_path)
    assert_items_without_expansion(parsed)


def test_an_encoding_named_only_by_the_http_charset() -> None:
    body = f"{DTD}{BODY}".encode("utf-16-le")
    parsed = parse_feed(body, feed=FEED, fetched_at=NOW, content_type="text/xml; charset=utf-16le")
    assert_items_without_expansion(parsed)


def test_an_encoding_that_hides_the_markup_from_a_byte_scan() -> None:
    """UTF-7 spells '<' as '+ADw-': only decoding, as feedparser does, finds the DOCTYPE."""
    hidden = DTD.replace("<", "+ADw-").encode("ascii")
    body = b'<?xml version="1.0" encoding="utf-7"?>' + hidden + BODY.encode("utf-7")
    assert b"<!" not in body and hidden.decode("utf-7") == DTD
    parsed = parse_feed(body, feed=FEED, fetched_at=NOW)
    assert_items_without_expansion(parsed)


def test_declarations_inside_a_comment_do_not_reach_feedparsers_loose_parser() -> None:
    """feedparser finds `<!ENTITY` and `<!DOCTYPE` with regular expressions that ignore
    comments, and its loose parser then expands those entities."""
    hidden = f'<!--\n<!ENTITY inner "{SECRET}">\n<!DOCTYPE rss>\n-->\n'
    parsed = parse_feed(f"<?xml version='1.0'?>{hidden}{BODY}".encode(), feed=FEED, fetched_at=NOW)
    assert [a.url for a in parsed.articles][:1] == ["https://news.example/1"]
    assert SECRET not in text_of(parsed)


def test_an_internal_subset_with_comments_quotes_and_brackets_is_cut_whole() -> None:
    dtd = (
        "<!DOCTYPE rss [<!-- it's ]> tricky --><?pi ]> ?>"
        f'<!ENTITY inner "{SECRET} ]>"><!ENTITY outer "&inner;"><!ENTITY xxe "x">]>'
    )
    doc = f"<?xml version='1.0'?>\n{dtd}\n{BODY}".encode()
    out, reason = strip_doctype(doc, {"content-type": "application/xml"})
    assert out == f"<?xml version='1.0'?>\n \n{BODY}".encode() and reason is not None


def test_an_unterminated_comment_does_not_hide_a_doctype_after_it() -> None:
    doc = f"<?xml version='1.0'?><!-- never closed\n{DTD}\n{BODY}".encode()
    out, reason = strip_doctype(doc, {"content-type": "application/xml"})
    assert b"ENTITY" not in out and reason is not None


def test_a_doctype_in_the_content_is_text_and_a_feed_without_one_is_untouched() -> None:
    plain = (
        b"<?xml version='1.0'?><rss version='2.0'><channel><item><title>x</title>"
        b"<description>&lt;!DOCTYPE html&gt; is how pages start</description>"
        b"</item></channel></rss>"
    )
    assert strip_doctype(plain, {}) == (plain, None)


def test_a_declaration_that_cannot_be_removed_refuses_the_feed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Belt and braces: if a cut ever left a declaration behind, the feed is refused."""
    monkeypatch.setattr(
        "ingest.parse.xmlsafety._cut_in_encoding", lambda data, encoding: (data, True)
    )
    doc = document("", "utf-8")
    with pytest.raises(UnsafeXml, match="could not be removed"):
        strip_doctype(doc, {})
    parsed = parse_feed(doc, feed=FEED, fetched_at=NOW)
    assert parsed.articles == [] and "feed refused" in (parsed.error or "")
