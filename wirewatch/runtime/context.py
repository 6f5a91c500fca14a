"""What every command opens: settings and the stores behind their ports, config sync.

`open_context` is the one factory that chooses the adapters; everything above it
(the CLI, the embedded runtime) holds ports from `wirewatch.core.ports` only. Today
every port is served by the one SQLite file of the data directory.

Feeds and alerts listed in the config file are synced into the stores when they
are opened, so `feeds list` and `alerts list` show them and `run` polls them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.clock import Clock, SystemClock
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
from wirewatch.core.settings import LoadedSettings, Settings
from wirewatch.runtime import subscriptions


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
    close: Callable[[], None]

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir


def _open_sqlite(loaded: LoadedSettings, clock: Clock) -> AppContext:
    db = Database.open(loaded.settings.data_dir)
    feeds, articles, alerts = FeedStore(db), ArticleStore(db, clock), AlertStore(db)
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
        deliveries=alerts,
        journal=db,
        close=db.close,
    )


def open_context(
    loaded: LoadedSettings, *, clock: Clock | None = None, sync_config: bool = True
) -> AppContext:
    ctx = _open_sqlite(loaded, clock or SystemClock())
    if sync_config:
        base = loaded.config_file.parent if loaded.config_file else None
        subscriptions.sync_from_config(ctx.settings, ctx.feeds, ctx.rules, ctx.clock, base_dir=base)
    return ctx
