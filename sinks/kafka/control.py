"""The control plane of the distributed mode: subscriptions and alert rules on their
compacted topics, behind the same ports as the embedded database.

Reading is a snapshot: the topic consumed from its beginning to its end offsets, the
last record per key being the current feed or rule (taken once per command, on first
use). Writing produces a keyed record — a tombstone to remove — and returns only once
Kafka acknowledged it, so the next command, in any process, reads it back. Pollers
read `feeds` the same way; workers hold `alerts.rules` as a global table.

A record that no longer decodes (written by a newer release, say) is logged and
skipped, never fatal, as the SQLite store does with a stored rule.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Generic, TypeVar

from kafka import KafkaProducer

from sinks.kafka.connect import producer
from sinks.kafka.log import produce, read_topic, snapshot
from wirewatch.core.credentials import split_credentials
from wirewatch.core.errors import WirewatchError, unknown_feed, unknown_rule
from wirewatch.core.messages import DecodeError, decode, encode, encode_feed, feed_key, rule_key
from wirewatch.core.models import AlertRule, Feed, FeedAuth, FeedState, WireModel
from wirewatch.core.records import FeedRow
from wirewatch.core.settings import KafkaSettings

log = logging.getLogger("wirewatch.control")

M = TypeVar("M", bound=WireModel)


class KeyedTopic(Generic[M]):
    """A compacted topic as a map from key to model: a snapshot read on first use, kept
    in step with this process's own writes."""

    def __init__(
        self, k: KafkaSettings, topic: str, model: type[M], encoder: Callable[[M], bytes]
    ) -> None:
        self.k = k
        self.topic = topic
        self.model = model
        self.encoder = encoder
        self._items: dict[bytes, M] | None = None
        self._producer: KafkaProducer | None = None

    def items(self) -> dict[bytes, M]:
        if self._items is None:
            self._items = {}
            for key, value in snapshot(read_topic(self.k, self.topic, "control")).items():
                try:
                    self._items[key] = decode(self.model, value)
                except DecodeError as e:
                    log.error("skipping record %r of %s: %s", key, self.topic, e.reason)
        return self._items

    def put(self, key: bytes, item: M) -> None:
        self._send(key, self.encoder(item))
        self.items()[key] = item

    def delete(self, key: bytes) -> None:
        self._send(key, None)
        self.items().pop(key, None)

    def _send(self, key: bytes, value: bytes | None) -> None:
        if self._producer is None:
            self._producer = producer(self.k, "control")
        produce(self.k, self._producer, self.topic, [(key, value)])

    def close(self) -> None:
        if self._producer is not None:
            self._producer.close(timeout=5)
            self._producer = None


class KafkaSubscriptions:
    """The `Subscriptions` port on the `feeds` topic, keyed by feed id.

    Rows carry a fresh `FeedState`: how each feed polls is kept by the poller that owns
    it, in its own data directory.
    """

    def __init__(self, k: KafkaSettings) -> None:
        self.topic: KeyedTopic[Feed] = KeyedTopic(k, k.topic_feeds, Feed, encode_feed)

    def _feeds(self) -> list[Feed]:
        return list(self.topic.items().values())

    def add(self, feed: Feed) -> tuple[FeedRow, bool]:
        existing = self.find(feed.url) or self.get(feed.id)
        if existing is not None:
            return existing, False
        self.topic.put(feed_key(feed.id), feed)
        return _row(feed), True

    def set_auth(self, feed_id: str, auth: FeedAuth) -> None:
        self._update(feed_id, auth=auth)

    def update_settings(self, feed_id: str, *, title: str | None, full_text: bool) -> None:
        row = self.get(feed_id)
        if row is not None:
            self._update(feed_id, title=title or row.feed.title, full_text=full_text)

    def _update(self, feed_id: str, **changes: object) -> None:
        row = self.get(feed_id)
        if row is None:
            return
        changed = row.feed.model_copy(update=changes)
        if changed != row.feed:  # the config file's feeds are synced by every command
            self.topic.put(feed_key(feed_id), changed)

    def get(self, feed_id: str) -> FeedRow | None:
        feed = self.topic.items().get(feed_key(feed_id))
        return None if feed is None else _row(feed)

    def find(self, id_or_url: str) -> FeedRow | None:
        """By id or URL (a URL given with credentials finds the feed stored without)."""
        url, _ = split_credentials(id_or_url)
        for feed in self._feeds():
            if id_or_url in (feed.id, feed.url) or feed.url == url:
                return _row(feed)
        return None

    def remove(self, id_or_url: str) -> FeedRow:
        row = self.find(id_or_url)
        if row is None:
            raise unknown_feed(id_or_url)
        self.topic.delete(feed_key(row.feed.id))
        return row

    def all(self) -> list[FeedRow]:
        return [_row(f) for f in sorted(self._feeds(), key=lambda f: (f.added_at, f.url))]

    def close(self) -> None:
        self.topic.close()


def _row(feed: Feed) -> FeedRow:
    return FeedRow(feed, FeedState(feed_id=feed.id))


class KafkaRuleStore:
    """The `RuleStore` port on the `alerts.rules` topic, keyed by rule id.

    Removing a rule writes its tombstone; the workers drop it from their table and the
    sink, which keeps the deliveries, stops delivering its hits.
    """

    def __init__(self, k: KafkaSettings) -> None:
        self.topic: KeyedTopic[AlertRule] = KeyedTopic(k, k.topic_rules, AlertRule, encode)

    def rules(self) -> list[AlertRule]:
        return sorted(self.topic.items().values(), key=lambda r: r.name)

    def rules_version(self) -> str:
        """The rules as read now: the topic keeps no cheaper change marker a reader can ask
        for (the workers hold the rules in a table that follows the topic instead)."""
        return "\n".join(r.model_dump_json() for r in self.rules())

    def get_rule(self, name_or_id: str) -> AlertRule | None:
        for rule in self.rules():
            if name_or_id in (rule.name, rule.id):
                return rule
        return None

    def add_rule(self, rule: AlertRule, *, replace: bool = False) -> bool:
        """Add a rule; with `replace`, an existing rule of that name takes the new settings
        (keeping its id and creation time). An unchanged rule is not written again."""
        existing = next((r for r in self.rules() if r.name == rule.name), None)
        if existing is not None and not replace:
            raise WirewatchError(
                f"an alert named {rule.name!r} already exists",
                hint="pick another name, or `wirewatch alerts rm` it first",
            )
        if existing is not None:
            rule = rule.model_copy(update={"id": existing.id, "created_at": existing.created_at})
            if rule == existing:
                return False
        self.topic.put(rule_key(rule.id), rule)
        return existing is None

    def remove_rule(self, name_or_id: str) -> AlertRule:
        rule = self.get_rule(name_or_id)
        if rule is None:
            raise unknown_rule(name_or_id)
        self.topic.delete(rule_key(rule.id))
        return rule

    def close(self) -> None:
        self.topic.close()
