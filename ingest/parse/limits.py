"""Bounds on one feed's entries: the newest N per fetch, and the size of every field.

A feed is hostile input and some legitimate ones are huge (an archive feed of
20,000 items, a 5 MB "summary"). Rather than refusing a feed whole, Wirewatch
keeps what a reader would want: the newest `limits.items_per_feed` items, and
each text cut at a word boundary with '…' (`wirewatch.core.truncate`). A value
that a cut would make wrong — a link, a guid, an enclosure URL — is dropped
instead. Every cut is listed on the article (`Article.truncated`), so it can be
told apart from what the publisher wrote.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import TypeVar

from ingest.parse.item import FeedItem
from wirewatch.core.settings import LimitsSettings
from wirewatch.core.truncate import truncate

T = TypeVar("T")
# Larger is newer: dated items by date, then undated ones; earlier in the document first.
Rank = tuple[int, float, int]


def rank(published: datetime | None, position: int) -> Rank:
    """How much an item is worth keeping: newest first, then document order.

    Feeds list their newest items first, so an item without a date ranks by its
    place in the document, after every dated item (its age is unknown).
    """
    if published is None:
        return (0, 0.0, -position)
    return (1, published.timestamp(), -position)


def keep_newest(
    items: Sequence[T], limit: int, published: Callable[[T], datetime | None]
) -> tuple[list[T], int]:
    """The `limit` best-ranked items in document order, and how many were dropped."""
    if len(items) <= limit:
        return list(items), 0
    best = heapq.nlargest(limit, range(len(items)), key=lambda i: rank(published(items[i]), i))
    return [items[i] for i in sorted(best)], len(items) - limit


def cap_item(item: FeedItem, limits: LimitsSettings) -> tuple[FeedItem, list[str]]:
    """The item within `limits`, and the names of the fields that were cut or dropped."""
    cut: list[str] = []

    def text(name: str, value: str, limit: int) -> str:
        short = truncate(value, limit)
        if len(short) < len(value):
            cut.append(name)
        return short

    def names(name: str, values: list[str]) -> list[str]:
        short = [truncate(v, limits.name_chars) for v in values[: limits.values_per_list]]
        if short != values:
            cut.append(name)
        return short

    def url(name: str, value: str | None) -> str | None:
        if value is not None and len(value) > limits.url_chars:
            cut.append(name)
            return None
        return value

    # A summary that is the item's only body (many feeds put the article in
    # <description>) is held to the text limit, so the article is not lost.
    summary_limit = limits.summary_chars if item.text else limits.text_chars
    enclosures = [e for e in item.enclosures if len(e.url) <= limits.url_chars]
    if len(enclosures) < len(item.enclosures) or len(enclosures) > limits.values_per_list:
        cut.append("enclosures")
    capped = replace(
        item,
        link=url("url", item.link),
        guid=url("guid", item.guid),
        title=text("title", item.title, limits.title_chars),
        summary=text("summary", item.summary, summary_limit),
        text=text("text", item.text, limits.text_chars),
        authors=names("authors", item.authors),
        categories=names("categories", item.categories),
        enclosures=enclosures[: limits.values_per_list],
    )
    return capped, cut


def cap_url(value: str | None, limits: LimitsSettings) -> str | None:
    """A feed-level URL (its site link) within the limit, or None."""
    return value if value is None or len(value) <= limits.url_chars else None
