"""What every command opens: settings and the stores behind their ports, config sync.

`open_context` and `open_poller_context` are the factories that choose the adapters;
everything above them (the CLI, the embedded runtime, the Kafka poller) holds ports
from `wirewatch.core.ports` only. SQLite serves every port from the one file of the
data directory (and a file of its own per Kafka poller); with `search.engine` set to
`opensearch` or `elasticsearch`, that engine is the article index instead: its
client is imported and the engine checked only when a command first uses the index
(`start_index` for a run), so commands that never touch it work while it is down.

Feeds and alerts listed in the config file are synced into the stores when they
are opened, so `feeds list` and `alerts list` show them and `run` polls them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import DB_FILENAME, Database
from sinks.sqlite.deliveries import DeliveryStore
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.clock import Clock, SystemClock
from wirewatch.core.pacing import HitPolicy
from wirewatch.core.ports import (
    ArticleIndex,
    DeliveryQueue,
    EnrichedCommit,
    FeedRegistry,
    HitLog,
    Journal,
    Outbox,
    RuleStore,
    StoryState,
)
from wirewatch.core.records import FeedRow
from wirewatch.core.settings import LoadedSettings, Settings
from wirewatch.runtime import subscriptions
from wirewatch.runtime.store import EmbeddedStore, EngineStore, StoreStep


@dataclass
class AppContext:
    """Settings, a clock and one handle per port (several may be the same adapter)."""

    loaded: LoadedSettings
    clock: Clock
    feeds: FeedRegistry
    outbox: Outbox
    articles: ArticleIndex
    commit: EnrichedCommit
    story_state: StoryState
    rules: RuleStore
    hits: HitLog
    deliveries: DeliveryQueue
    journal: Journal
    store: StoreStep
    close: Callable[[], None]
    setup_index: Callable[[], list[str]] | None = None
    """Install the engine's templates and policies, one report line per step (None: SQLite)."""
    start_index: Callable[[], str | None] = lambda: None
    """Connect to the index before a run: None when it is ready, else why it cannot be
    reached (the run goes on and indexes once it is back); bad settings raise."""

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir


def _open_sqlite(loaded: LoadedSettings, clock: Clock) -> AppContext:
    db = Database.open(loaded.settings.data_dir)
    policy = HitPolicy.of(loaded.settings.notify)
    feeds, articles = FeedStore(db), ArticleStore(db, clock, policy)
    alerts = AlertStore(db, policy)
    return AppContext(
        loaded,
        clock,
        feeds=feeds,
        outbox=feeds,
        articles=articles,
        commit=articles,
        story_state=articles,
        rules=alerts,
        hits=alerts,
        deliveries=DeliveryStore(db),
        journal=db,
        store=EmbeddedStore(articles),
        close=db.close,
    )


def _use_engine(ctx: AppContext) -> None:
    """Make the configured search engine the article index (connected when first used)."""
    from sinks.search.lazy import LazyEngineIndex

    index = LazyEngineIndex(ctx.settings.search)
    ctx.articles = index
    ctx.store = EngineStore(index, ctx.commit, ctx.rules, ctx.journal)
    ctx.setup_index = index.setup
    ctx.start_index = index.start
    close_sqlite = ctx.close

    def close() -> None:
        try:
            index.close()
        finally:
            close_sqlite()

    ctx.close = close


def open_context(
    loaded: LoadedSettings, *, clock: Clock | None = None, sync_config: bool = True
) -> AppContext:
    ctx = _open_sqlite(loaded, clock or SystemClock())
    if ctx.settings.search.engine != "sqlite":
        try:
            _use_engine(ctx)
        except BaseException:
            ctx.close()
            raise
    if sync_config:
        base = loaded.config_file.parent if loaded.config_file else None
        subscriptions.sync_from_config(ctx.settings, ctx.feeds, ctx.rules, ctx.clock, base_dir=base)
    return ctx


# --- the Kafka poller's own state ----------------------------------------------------------------


@dataclass
class PollerContext:
    """A poller's feed registry (its shard's state and dedup memory) and its journal."""

    feeds: FeedRegistry
    journal: Journal
    close: Callable[[], None]


def poller_db_name(index: int, count: int) -> str:
    return f"poller-{index}-of-{count}.db"


def open_poller_context(
    settings: Settings, clock: Clock, *, config_dir: Path | None
) -> PollerContext:
    """Open this poller's own store (`poller-<index>-of-<count>.db`) with its subscriptions
    synced: the config file's feeds and those added with `wirewatch feeds add`."""
    k = settings.kafka
    db = Database.open(settings.data_dir, poller_db_name(k.poller_index, k.poller_count))
    feeds = FeedStore(db)
    try:
        subscriptions.sync_from_config(
            settings.model_copy(update={"alerts": []}),
            feeds,
            AlertStore(db),
            clock,
            base_dir=config_dir,
        )
        for row in _subscribed_feeds(settings.data_dir):
            mine, created = feeds.add(row.feed)
            if not created and row.feed.auth and row.feed.auth != mine.feed.auth:
                feeds.set_auth(mine.feed.id, row.feed.auth)
    except BaseException:
        db.close()
        raise
    return PollerContext(feeds=feeds, journal=db, close=db.close)


def _subscribed_feeds(data_dir: Path) -> list[FeedRow]:
    """The feeds of the main database, if there is one (it is not created for a poller)."""
    if not (data_dir / DB_FILENAME).exists():
        return []
    db = Database.open(data_dir)
    try:
        return FeedStore(db).all()
    finally:
        db.close()
