"""The embedded runtime in-process, over a local feed: retention never breaks dedup,
and a failed enrichment batch is retried, or kept in the outbox, never lost."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from ingest.fetch import Fetcher
from ingest.parse import parse_feed
from sinks.sqlite.database import Database
from wirewatch.core.clock import ManualClock
from wirewatch.core.models import Article, EnrichedArticle, Feed, Provenance
from wirewatch.core.records import StoryRecord
from wirewatch.core.settings import load_settings
from wirewatch.runtime.context import AppContext, open_context
from wirewatch.runtime.embedded import EmbeddedPipeline, RunSummary
from wirewatch.runtime.retention import prune

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def rss(items: dict[str, str]) -> str:
    body = "".join(
        f"<item><title>{title}</title><link>https://news.example/{slug}</link>"
        "<pubDate>Tue, 24 Nov 2026 10:00:00 GMT</pubDate></item>"
        for slug, title in items.items()
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>{body}</channel></rss>'
    )


class FlakyEnricher:
    """Fails its first `failures` calls (as a crashed NER worker would), then enriches."""

    def __init__(self, failures: int = 0) -> None:
        self.failures = failures
        self.calls = 0

    def enrich(
        self, articles: Sequence[Article]
    ) -> tuple[list[EnrichedArticle], list[StoryRecord]]:
        self.calls += 1
        if self.calls <= self.failures:
            raise RuntimeError("NER worker died")
        enriched = [
            EnrichedArticle(
                article=a,
                story_id=a.id,
                enriched_at=a.fetched_at,
                provenance=Provenance(enrichment_version="test"),
            )
            for a in articles
        ]
        return enriched, []


class Runtime:
    def __init__(self, tmp_path: Path) -> None:
        self.clock = ManualClock(NOW)
        self.feed = tmp_path / "feed.xml"
        config = tmp_path / "wirewatch.yaml"
        config.write_text("data_dir: data\nallow_local_files: true\n")
        loaded = load_settings(config, env={}, cwd=tmp_path)
        self.ctx: AppContext = open_context(loaded, clock=self.clock, sync_config=False)
        self.ctx.feeds.add(Feed(id="f1", url=self.feed.as_uri(), added_at=NOW))
        self.db = Database.open(self.ctx.data_dir)  # a second connection, to look inside

    async def run_once(
        self, enricher: FlakyEnricher | None = None, delays: Sequence[float] = (0.0, 0.0)
    ) -> RunSummary:
        fetcher = Fetcher(self.ctx.settings.fetch, allow_local_files=True, clock=self.clock)
        pipeline = EmbeddedPipeline(
            self.ctx,
            fetcher=fetcher,
            parse=parse_feed,
            enricher=enricher or FlakyEnricher(),
            senders={},  # no rule has a destination
            enrich_retry_delays=delays,
        )
        try:
            return await pipeline.run(once=True)
        finally:
            await pipeline.aclose()

    def count(self, table: str) -> int:
        return int(self.db.conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


@pytest.fixture
def runtime(tmp_path: Path) -> Iterator[Runtime]:
    r = Runtime(tmp_path)
    yield r
    r.db.close()
    r.ctx.close()


async def test_an_item_still_in_its_feed_is_not_stored_again_after_its_seen_row_expired(
    runtime: Runtime,
) -> None:
    runtime.feed.write_text(rss({"a": "Talks resume in Cairo", "b": "Floods in Valencia"}))
    assert (await runtime.run_once()).articles_stored == 2

    runtime.clock.advance(timedelta(days=runtime.ctx.settings.retention.seen_days + 1))
    assert (await prune(runtime.ctx)).seen == 2
    assert runtime.count("seen") == 0

    again = await runtime.run_once()
    assert (again.articles_new, again.articles_updated, again.articles_stored) == (0, 0, 0)
    versions = runtime.db.conn.execute("SELECT version FROM articles").fetchall()
    assert versions == [(1,), (1,)]

    runtime.feed.write_text(
        rss({"a": "Talks resume in Cairo, officials say", "b": "Floods in Valencia", "c": "New"})
    )
    changed = await runtime.run_once()
    assert (changed.articles_new, changed.articles_updated) == (1, 1)


async def test_the_runtime_prunes_old_seen_ids_and_events_by_itself(runtime: Runtime) -> None:
    runtime.feed.write_text(rss({"a": "Talks resume in Cairo"}))
    keep = runtime.ctx.settings.retention
    runtime.ctx.journal.record_event(
        NOW - timedelta(days=keep.events_days + 1), "ingest", "x", "old"
    )
    runtime.ctx.journal.record_event(
        NOW - timedelta(days=keep.events_days - 1), "ingest", "x", "new"
    )
    await runtime.run_once()
    assert [r[0] for r in runtime.db.conn.execute("SELECT message FROM events")] == ["new"]
    assert runtime.count("seen") == 1

    runtime.clock.advance(timedelta(days=keep.seen_days + 1))
    await runtime.run_once()
    assert runtime.count("seen") == 0 and runtime.count("articles") == 1


async def test_a_failed_enrichment_batch_is_retried_in_process(runtime: Runtime) -> None:
    runtime.feed.write_text(rss({"a": "Talks resume in Cairo", "b": "Floods in Valencia"}))
    enricher = FlakyEnricher(failures=2)
    summary = await runtime.run_once(enricher, delays=(0.0, 0.0, 0.0))
    assert enricher.calls == 3
    assert summary.articles_stored == 2 and runtime.count("outbox") == 0
    assert runtime.count("events") == 0


async def test_a_batch_that_keeps_failing_waits_in_the_outbox_for_the_next_start(
    runtime: Runtime,
) -> None:
    runtime.feed.write_text(rss({"a": "Talks resume in Cairo", "b": "Floods in Valencia"}))
    broken = FlakyEnricher(failures=100)
    summary = await runtime.run_once(broken, delays=(0.0, 0.0))
    assert broken.calls == 3  # the first try and one per delay: bounded
    assert summary.articles_stored == 0 and runtime.count("outbox") == 2
    stage, message = runtime.db.conn.execute("SELECT stage, message FROM events").fetchone()
    assert stage == "enrich" and "NER worker died" in message

    recovered = await runtime.run_once()
    assert recovered.articles_recovered == 2 and recovered.articles_stored == 2
    assert runtime.count("outbox") == 0 and runtime.count("articles") == 2
