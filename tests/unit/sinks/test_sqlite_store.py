"""The SQLite store's hand-overs: atomic, idempotent, nothing lost between stages."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from sinks.sqlite.deliveries import DeliveryStore
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.errors import ConfigError, FeedError
from wirewatch.core.ids import alert_id
from wirewatch.core.models import (
    Alert,
    AlertRule,
    Article,
    Channel,
    DeliveryState,
    EnrichedArticle,
    Entity,
    EntityType,
    Feed,
    FeedState,
    FeedStatus,
    Provenance,
    TopicTag,
)
from wirewatch.core.records import StoryRecord

T = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)


def feed() -> Feed:
    return Feed(id="f1", url="https://ex.com/feed", added_at=T)


def art(i: int, title: str = "Gaza talks resume", h: str = "h") -> Article:
    return Article(
        id=f"a{i}",
        url=f"https://ex.com/{i}",
        feed_id="f1",
        feed_url="https://ex.com/feed",
        source="Example",
        title=f"{title} {i}",
        summary="Officials met in Cairo.",
        published_at=T + timedelta(minutes=i),
        fetched_at=T,
        content_hash=f"{h}{i}",
    )


def enrich(a: Article, story: str = "s1") -> EnrichedArticle:
    return EnrichedArticle(
        article=a,
        language="en",
        story_id=story,
        enriched_at=T,
        entities=[
            Entity(
                name="Yoav Gallant",
                type=EntityType.PERSON,
                mentions=2,
                first_position=0,
                salience=0.5,
                aliases=["Gallant"],
            )
        ],
        topics=[TopicTag(id="medtop:11000000", label="politics", score=0.5)],
        provenance=Provenance(enrichment_version="1"),
    )


@pytest.fixture
def db(tmp_path: Path) -> Database:
    return Database.open(tmp_path / "data")


def test_accept_poll_is_one_transaction_with_outbox_and_seen(db: Database) -> None:
    feeds = FeedStore(db)
    feeds.add(feed())
    state = FeedState(feed_id="f1", etag='"v1"', last_status=FeedStatus.OK, next_poll_at=T)
    feeds.accept_poll(feed(), state, [art(1), art(2)], now=T)
    assert feeds.get("f1").state.etag == '"v1"'  # type: ignore[union-attr]
    assert feeds.content_hashes(["a1", "a2", "a3"]) == {"a1": "h1", "a2": "h2"}
    assert [p.article.id for p in feeds.pending()] == ["a1", "a2"]


def test_an_update_in_the_outbox_replaces_the_older_version(db: Database) -> None:
    feeds, articles = FeedStore(db), ArticleStore(db)
    feeds.add(feed())
    feeds.accept_poll(feed(), FeedState(feed_id="f1"), [art(1)], now=T)
    old = feeds.pending()[0]
    feeds.accept_poll(feed(), FeedState(feed_id="f1"), [art(1, h="new")], now=T)
    new = feeds.pending()[0]
    assert new.seq > old.seq and new.article.content_hash == "new1"
    # storing the old version must not clear the newer one from the outbox
    articles.commit_enriched([(old.seq, enrich(old.article))], [], [], now=T)
    assert [p.article.content_hash for p in feeds.pending()] == ["new1"]


def test_expire_seen_forgets_old_ids_in_chunks_but_keeps_queued_and_recent_ones(
    db: Database,
) -> None:
    feeds = FeedStore(db)
    feeds.add(feed())
    state = FeedState(feed_id="f1")
    feeds.accept_poll(feed(), state, [art(1), art(2)], now=T, to_outbox=False)
    feeds.accept_poll(feed(), state, [art(3)], now=T)  # still waiting in the outbox
    feeds.accept_poll(feed(), state, [art(4)], now=T + timedelta(days=10))
    cutoff = T + timedelta(days=1)
    assert feeds.expire_seen(cutoff, limit=1) == 1
    assert feeds.expire_seen(cutoff, limit=10) == 1
    assert feeds.expire_seen(cutoff, limit=10) == 0
    assert set(feeds.content_hashes(["a1", "a2", "a3", "a4"])) == {"a3", "a4"}


def test_an_expired_id_is_answered_from_its_stored_article(db: Database) -> None:
    feeds, articles = FeedStore(db), ArticleStore(db)
    feeds.add(feed())
    feeds.accept_poll(feed(), FeedState(feed_id="f1"), [art(1)], now=T)
    articles.commit_enriched([(feeds.pending()[0].seq, enrich(art(1)))], [], [], now=T)
    assert feeds.expire_seen(T + timedelta(days=1), limit=10) == 1
    assert feeds.content_hashes(["a1", "a2"]) == {"a1": "h1"}


def test_expire_events_deletes_only_older_ones(db: Database) -> None:
    db.record_event(T - timedelta(days=2), "ingest", "feed", "old")
    db.record_event(T, "ingest", "feed", "new")
    assert db.expire_events(T - timedelta(days=1), limit=10) == 1
    assert [r[0] for r in db.conn.execute("SELECT message FROM events")] == ["new"]


def gaza_rule() -> AlertRule:
    return AlertRule(
        id="r1", name="gaza", query="gaza", webhook_url="https://hooks.example.org/x", created_at=T
    )


def hit_for(e: EnrichedArticle) -> Alert:
    return Alert(
        id=alert_id("r1", e.id),
        rule_id="r1",
        rule_name="gaza",
        query="gaza",
        article_id=e.id,
        title=e.article.title,
        source="Example",
        published_at=e.article.published_at,
        matched_at=T,
    )


Batch = list[tuple[int | None, EnrichedArticle]]


def polled_batch(
    feeds: FeedStore, alerts: AlertStore
) -> tuple[Batch, list[StoryRecord], list[Alert]]:
    """Two polled articles in the outbox, enriched, with their story records and hits."""
    feeds.add(feed())
    alerts.add_rule(gaza_rule())
    feeds.accept_poll(feed(), FeedState(feed_id="f1"), [art(1), art(2)], now=T)
    batch: Batch = [(p.seq, enrich(p.article)) for p in feeds.pending()]
    stories = [StoryRecord(e.id, "s1", e.article.published_at, b"sig") for _, e in batch]
    return batch, stories, [hit_for(e) for _, e in batch]


def test_commit_enriched_clears_outbox_and_records_each_hit_once(db: Database) -> None:
    feeds, articles, alerts = FeedStore(db), ArticleStore(db), AlertStore(db)
    batch, stories, hits = polled_batch(feeds, alerts)
    assert len(articles.commit_enriched(batch, stories, hits, now=T)) == 2
    assert feeds.outbox_size() == 0 and articles.count() == 2
    # a replay (crash after commit, or the same article again) adds nothing
    assert articles.commit_enriched(batch, stories, hits, now=T) == []
    assert articles.count() == 2
    rows = alerts.hits()
    assert len(rows) == 2
    assert {(d.channel, d.state) for h in rows for d in h.deliveries} == {
        (Channel.WEBHOOK, DeliveryState.PENDING)
    }
    assert [r.article_id for r in articles.story_records_since(T)] == ["a1", "a2"]


def test_hits_recorded_on_their_own_are_recorded_once_and_queued_for_delivery(
    db: Database,
) -> None:
    alerts, queue = AlertStore(db), DeliveryStore(db)
    alerts.add_rule(gaza_rule())
    hits = [hit_for(enrich(art(1))), hit_for(enrich(art(2)))]
    assert alerts.record_hits(hits) == hits
    assert alerts.record_hits(hits[:1]) == []  # a replayed article alerts nobody twice
    assert sorted(d.alert.id for d in queue.due_deliveries(T)) == sorted(h.id for h in hits)
    assert alerts.count_hits() == 2 and queue.delivery_counts() == {"pending": 2}


def test_a_batch_indexed_elsewhere_is_acked_with_its_hits_and_a_replay_adds_nothing(
    db: Database, tmp_path: Path
) -> None:
    """The engine-backed hand-over: index in another ArticleIndex (idempotent), then
    commit hits + outbox ack; a crash in between re-indexes the same ids."""
    feeds, local, alerts = FeedStore(db), ArticleStore(db), AlertStore(db)
    engine_db = Database.open(tmp_path / "engine")
    engine = ArticleStore(engine_db)  # stands in for a search engine's index
    batch, stories, hits = polled_batch(feeds, alerts)

    assert engine.index([e for _, e in batch]).indexed == 2
    assert feeds.outbox_size() == 2 and alerts.hits() == []  # a crash here loses nothing
    assert engine.index([e for _, e in batch]).indexed == 2  # the re-run indexes again
    assert len(local.commit_indexed(batch, stories, hits)) == 2
    assert local.commit_indexed(batch, stories, hits) == []
    assert engine.count() == 2 and local.count() == 0
    assert feeds.outbox_size() == 0 and len(alerts.hits()) == 2
    assert [r.article_id for r in local.story_records_since(T)] == ["a1", "a2"]
    engine_db.close()


def test_failed_delivery_is_rescheduled_then_given_up(db: Database) -> None:
    alerts, articles, queue = AlertStore(db), ArticleStore(db), DeliveryStore(db)
    alerts.add_rule(gaza_rule())
    a = art(1)
    hit = hit_for(enrich(a)).model_copy(update={"id": "h1"})
    articles.commit_enriched([(None, enrich(a))], [], [hit], now=T)
    assert [d.alert.id for d in queue.due_deliveries(T)] == ["h1"]
    hook = (Channel.WEBHOOK, "https://hooks.example.org/x")
    queue.mark_attempt_failed("h1", *hook, "HTTP 503", retry_at=T + timedelta(minutes=1))
    assert queue.due_deliveries(T) == []
    assert [d.attempts for d in queue.due_deliveries(T + timedelta(minutes=2))] == [1]
    queue.mark_attempt_failed("h1", *hook, "HTTP 503", retry_at=None)
    [failed] = alerts.hits()[0].deliveries
    assert (failed.state, failed.attempts, failed.last_error) == (
        DeliveryState.FAILED,
        2,
        "HTTP 503",
    )


def test_feed_add_is_idempotent_and_rm_unknown_is_clear(db: Database) -> None:
    feeds = FeedStore(db)
    assert feeds.add(feed())[1] is True
    assert feeds.add(feed())[1] is False
    with pytest.raises(FeedError, match="no feed"):
        feeds.remove("https://nope.example/feed")


def test_unwritable_data_dir_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(ConfigError, match="data directory"):
        Database.open(blocker / "sub")


def test_the_rules_version_changes_with_every_rule_change_and_only_then(db: Database) -> None:
    alerts = AlertStore(db)
    seen = [alerts.rules_version()]
    rule = AlertRule(id="r1", name="gaza", query="gaza", created_at=T)
    alerts.add_rule(rule)
    seen.append(alerts.rules_version())
    assert alerts.rules_version() == seen[-1]  # reading changes nothing
    alerts.add_rule(rule.model_copy(update={"enabled": False}), replace=True)
    seen.append(alerts.rules_version())
    alerts.remove_rule("gaza")
    seen.append(alerts.rules_version())
    assert len(set(seen)) == 4
