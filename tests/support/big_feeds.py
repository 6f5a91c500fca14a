"""Generated feeds with many items (RSS 2.0, Atom 1.0, JSON Feed), for the item limits.

Item `i` is published `i` minutes after START, so the newest items are the ones
with the highest numbers, wherever the document puts them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

START = datetime(2026, 1, 1, tzinfo=UTC)
SUMMARY = "Something happened somewhere and people reacted to it in various ways."


def when(i: int) -> datetime:
    return START + timedelta(minutes=i)


def rss(order: Iterable[int], *, dated: bool = True) -> bytes:
    items = "".join(
        f"<item><title>Item {i}</title><link>https://news.example/a/{i}</link>"
        f"<guid>https://news.example/a/{i}</guid>"
        + (f"<pubDate>{format_datetime(when(i), usegmt=True)}</pubDate>" if dated else "")
        + f"<description>{SUMMARY}</description></item>"
        for i in order
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Big</title>"
        f"<link>https://news.example/</link>{items}</channel></rss>"
    ).encode()


def atom(order: Iterable[int]) -> bytes:
    entries = "".join(
        f"<entry><title>Item {i}</title><link href='https://news.example/a/{i}'/>"
        f"<id>urn:item:{i}</id><updated>{when(i).isoformat()}</updated>"
        f"<summary>{SUMMARY}</summary></entry>"
        for i in order
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><feed xmlns='http://www.w3.org/2005/Atom'>"
        f"<title>Big</title><id>urn:big</id><updated>{START.isoformat()}</updated>"
        f"{entries}</feed>"
    ).encode()


def json_feed(order: Iterable[int]) -> bytes:
    items = [
        {
            "id": f"urn:item:{i}",
            "url": f"https://news.example/a/{i}",
            "title": f"Item {i}",
            "content_text": SUMMARY,
            "date_published": when(i).isoformat(),
        }
        for i in order
    ]
    doc = {"version": "https://jsonfeed.org/version/1.1", "title": "Big", "items": items}
    return json.dumps(doc).encode()


def numbers(titles: Iterable[str]) -> set[int]:
    """The item numbers of these article titles."""
    return {int(t.removeprefix("Item ")) for t in titles}
