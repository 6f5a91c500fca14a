"""The store stage with a search engine as the index: engine first, then SQLite.

The engine is a plain Python index that refuses one article, as a strict mapping
would; SQLite is the real embedded store (outbox, hits, journal).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from sinks.sqlite.feeds import FeedStore
from tests.support.enriched import enriched, hit
from wirewatch.core.models import Alert, AlertRule, DeliveryState, EnrichedArticle, Feed, FeedState
from wirewatch.core.ports import IndexRejection, IndexResult
from wirewatch.runtime.store import DEAD_LETTER_STAGE, EngineStore

T = datetime(2026, 3, 14, 10, 0, tzinfo=UTC)
REFUSED = "strict_dynamic_mapping_exception: mapping set to strict"


class RefusingEngine:
    """Keeps what it indexes; refuses the ids in `refuse`."""

    def __init__(self, refuse: set[str]) -> None:
        self.refuse = refuse
        self.docs: dict[str, EnrichedArticle] = {}
        self.hits: list[tuple[Alert, DeliveryState]] = []

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexResult:
        rejected = [IndexRejection(e.id, REFUSED) for e in batch if e.id in self.refuse]
        self.docs.update({e.id: e for e in batch if e.id not in self.refuse})
        return IndexResult(len(batch) - len(rejected), rejected)

    def index_hits(self, hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexResult:
        self.hits.extend(hits)
        return IndexResult(len(hits))

    def refresh(self) -> None:
        pass

    def stop_waiting(self) -> None:
        pass


@pytest.fixture
def db() -> Database:
    return Database.memory()


def test_a_refused_article_is_dead_lettered_settled_and_alerts_nobody(db: Database) -> None:
    feeds, articles, alerts = FeedStore(db), ArticleStore(db), AlertStore(db)
    batch = [enriched("good", "Gaza talks"), enriched("bad", "Gaza talks")]
    feeds.accept_poll(
        Feed(id="feed1", url="https://example.org/feed", added_at=T),
        FeedState(feed_id="feed1"),
        [e.article for e in batch],
        now=T,
    )
    alerts.add_rule(
        AlertRule(id="r1", name="r1", query="gaza", emails=["desk@example.org"], created_at=T)
    )
    alerts.add_rule(AlertRule(id="r2", name="r2", query="gaza", created_at=T))
    hits = [hit(e, r) for e in batch for r in ("r1", "r2")]
    engine = RefusingEngine({"bad"})
    store = EngineStore(engine, articles, alerts, db)
    pending = {p.article.id: p.seq for p in feeds.pending()}

    new = asyncio.run(store([(pending[e.id], e) for e in batch], [], hits, T))

    assert sorted(engine.docs) == ["good"]
    assert feeds.outbox_size() == 0  # the refused one too: it must not loop
    assert db.event_counts() == {DEAD_LETTER_STAGE: 1}
    assert sorted(h.id for h in new) == ["r1-good", "r2-good"]
    assert sorted((h.id, s) for h, s in engine.hits) == [
        ("r1-good", DeliveryState.PENDING),  # any channel counts, e-mail here
        ("r2-good", DeliveryState.NONE),
    ]


def test_a_replayed_batch_indexes_again_but_alerts_and_copies_no_hit_twice(db: Database) -> None:
    alerts = AlertStore(db)
    alerts.add_rule(AlertRule(id="r1", name="r1", query="gaza", created_at=T))
    e = enriched("a1", "Gaza talks")
    engine = RefusingEngine(set())
    store = EngineStore(engine, ArticleStore(db), alerts, db)
    first = asyncio.run(store([(None, e)], [], [hit(e, "r1")], T))
    again = asyncio.run(store([(None, e)], [], [hit(e, "r1")], T))
    assert [h.id for h in first] == ["r1-a1"] and again == []
    assert len(engine.hits) == 1 and list(engine.docs) == ["a1"]
