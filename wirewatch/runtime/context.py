"""What every command opens: settings and the stores behind their ports, config sync.

`open_context` and `open_poller_context` are the factories that choose the adapters;
everything above them (the CLI, the embedded runtime, the Kafka poller) holds ports
from `wirewatch.core.ports` only. SQLite serves every port from the one file of the
data directory (and a file of its own per Kafka poller); with `search.engine` set to
`opensearch` or `elasticsearch`, that engine is the article index instead: its
client is imported and the engine checked only when a command first uses the index
(`start_index` for a run), so commands that never touch it work while it is down.

With `mode: distributed`, subscriptions and alert rules live on their compacted Kafka
topics instead (`sinks/kafka/control.py`, imported only then): the same commands read
and write there, and every poller and worker sees the change.

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
    StoredArticles,
    StoryState,
    Subscriptions,
)
from wirewatch.core.records import FeedRow
from wirewatch.core.settings import KafkaSettings, LoadedSettings, Settings
from wirewatch.runtime import subscriptions
from wirewatch.runtime.store import EmbeddedStore, EngineIndex, EngineStore, StoreStep


@dataclass
class AppContext:
    """Settings, a clock and one handle per port (several may be the same adapter)."""

    loaded: LoadedSettings
    clock: Clock
    feeds: FeedRegistry
    subscriptions: Subscriptions
    """What `feeds add/rm/list` change: `feeds` itself when embedded, the `feeds` topic
    when distributed (where `feeds` only holds the local poll state)."""
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
    stored: StoredArticles | None = None
    """Every stored article, when the index is the data directory's (None with an engine)."""
    setup_index: Callable[[], list[str]] | None = None
    """Install the engine's templates and policies, one report line per step (None: SQLite)."""
    start_index: Callable[[], str | None] = lambda: None
    """Connect to the index before a run: None when it is ready, else why it cannot be
    reached (the run goes on and indexes once it is back); bad settings raise."""
    engine: EngineIndex | None = None
    """The search engine, when it is the article index (None: SQLite)."""
    hit_rules: RuleStore | None = None
    """Distributed mode: the data directory's copy of the rules, by which the hit log
    queues deliveries (`rules` is the topic); the sink keeps it equal to the topic."""

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
        subscriptions=feeds,
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
        stored=articles,
    )


def _use_engine(ctx: AppContext) -> None:
    """Make the configured search engine the article index (connected when first used)."""
    from sinks.search.lazy import LazyEngineIndex

    index = LazyEngineIndex(ctx.settings.search)
    ctx.articles = ctx.engine = index
    ctx.stored = None
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


@dataclass
class ControlPlane:
    """The distributed mode's subscriptions and rules, on their compacted topics."""

    feeds: Subscriptions
    rules: RuleStore
    close: Callable[[], None]


def open_control_plane(k: KafkaSettings) -> ControlPlane:
    """The `feeds` and `alerts.rules` topics behind their ports (Kafka imported only now);
    each is read on first use."""
    from sinks.kafka.control import KafkaRuleStore, KafkaSubscriptions

    feeds, rules = KafkaSubscriptions(k), KafkaRuleStore(k)

    def close() -> None:
        try:
            feeds.close()
        finally:
            rules.close()

    return ControlPlane(feeds, rules, close)


def _use_kafka(ctx: AppContext) -> None:
    """Make the `feeds` and `alerts.rules` topics the subscriptions and the rule store."""
    plane = open_control_plane(ctx.settings.kafka)
    ctx.hit_rules = ctx.rules
    ctx.subscriptions, ctx.rules = plane.feeds, plane.rules
    close_rest = ctx.close

    def close() -> None:
        try:
            plane.close()
        finally:
            close_rest()

    ctx.close = close


def open_context(
    loaded: LoadedSettings, *, clock: Clock | None = None, sync_config: bool = True
) -> AppContext:
    ctx = _open_sqlite(loaded, clock or SystemClock())
    try:
        if ctx.settings.search.engine != "sqlite":
            _use_engine(ctx)
        if ctx.settings.mode == "distributed":
            _use_kafka(ctx)
        if sync_config:
            base = loaded.config_file.parent if loaded.config_file else None
            subscriptions.sync_from_config(
                ctx.settings, ctx.subscriptions, ctx.rules, ctx.clock, base_dir=base
            )
    except BaseException:
        ctx.close()
        raise
    return ctx


# --- the Kafka poller's own state ----------------------------------------------------------------


@dataclass
class PollerContext:
    """A poller's feed registry (its shard's state and dedup memory) and its journal."""

    feeds: FeedRegistry
    journal: Journal
    close: Callable[[], None]
    read_topic_feeds: Callable[[], list[FeedRow]] | None = None
    """Distributed mode: read the `feeds` topic again (from any thread: Kafka only), for
    `follow_topic_feeds` to apply; None in embedded mode."""

    def follow_topic_feeds(self, rows: list[FeedRow]) -> None:
        """Make this poller's store hold exactly `rows`, the topic's feeds."""
        _mirror(self.feeds, rows)


def poller_db_name(index: int, count: int) -> str:
    return f"poller-{index}-of-{count}.db"


def open_poller_context(
    settings: Settings, clock: Clock, *, config_dir: Path | None
) -> PollerContext:
    """Open this poller's own store (`poller-<index>-of-<count>.db`) with its subscriptions
    synced: the config file's feeds and those added with `wirewatch feeds add`.

    Embedded mode reads those from the data directory's database; distributed mode from
    the `feeds` topic, and a feed removed there is removed here too, so the poller polls
    exactly the topic's feeds. Poll state (validators, intervals, seen ids) stays here.
    """
    k = settings.kafka
    db = Database.open(settings.data_dir, poller_db_name(k.poller_index, k.poller_count))
    feeds = FeedStore(db)
    read = None
    try:
        if settings.mode == "distributed":

            def read() -> list[FeedRow]:
                return _topic_feeds(settings, clock, config_dir)

            _mirror(feeds, read())
        else:
            subscriptions.sync_from_config(
                settings.model_copy(update={"alerts": []}),
                feeds,
                AlertStore(db),
                clock,
                base_dir=config_dir,
            )
            subscriptions.copy_feeds(feeds, _subscribed_feeds(settings.data_dir))
    except BaseException:
        db.close()
        raise
    return PollerContext(feeds=feeds, journal=db, close=db.close, read_topic_feeds=read)


def _mirror(feeds: FeedRegistry, rows: list[FeedRow]) -> None:
    """Make `feeds` hold exactly `rows` (keeping the poll state of those it had)."""
    subscriptions.copy_feeds(feeds, rows)
    wanted = {r.feed.id for r in rows}
    for row in feeds.all():
        if row.feed.id not in wanted:
            feeds.remove(row.feed.id)


def _topic_feeds(settings: Settings, clock: Clock, config_dir: Path | None) -> list[FeedRow]:
    """The `feeds` topic's subscriptions, after adding the config file's feeds to it."""
    plane = open_control_plane(settings.kafka)
    try:
        subscriptions.sync_from_config(
            settings.model_copy(update={"alerts": []}),
            plane.feeds,
            plane.rules,
            clock,
            base_dir=config_dir,
        )
        return plane.feeds.all()
    finally:
        plane.close()


def _subscribed_feeds(data_dir: Path) -> list[FeedRow]:
    """The feeds of the main database, if there is one (it is not created for a poller)."""
    if not (data_dir / DB_FILENAME).exists():
        return []
    db = Database.open(data_dir)
    try:
        return FeedStore(db).all()
    finally:
        db.close()
