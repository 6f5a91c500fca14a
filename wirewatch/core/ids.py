"""Stable ids: the article id contract (DESIGN.md) and feed/rule/alert ids.

An id is the Kafka key and the search `_id`, so the same input must always give
the same id, in every process and every release.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

_SEP = "\x1f"


def _digest(*parts: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(_SEP.join(parts).encode("utf-8"))
    return h.hexdigest()


def content_hash(*parts: str | None) -> str:
    """Hash of an item's visible content; a change means the article was updated."""
    return _digest(*(p or "" for p in parts))


def feed_id_for_url(url: str) -> str:
    """A feed's id, fixed when it is added and kept when its URL later moves."""
    return "f" + _digest("feed", url)[:15]


def article_id_from_url(canonical_url: str) -> str:
    return _digest("url", canonical_url)


def article_id_from_guid(feed_id: str, guid: str) -> str:
    return _digest("guid", feed_id, guid)


def article_id_fallback(feed_id: str, title: str, date_string: str, body_hash: str) -> str:
    """Items with neither link nor guid: never the fetch time, so a re-poll gives the same id."""
    return _digest("item", feed_id, title, date_string, body_hash)


def rule_id_for_name(name: str) -> str:
    return "r" + _digest("rule", name.strip().casefold())[:15]


def alert_id(rule_id: str, subject_id: str) -> str:
    """One hit per rule and article (or story): also the webhook idempotency key."""
    return _digest("alert", rule_id, subject_id)


def digest_id(rule_id: str, target: str, alert_ids: Iterable[str]) -> str:
    """One digest message per rule, target and set of hits: its idempotency key."""
    return _digest("digest", rule_id, target, *sorted(alert_ids))
