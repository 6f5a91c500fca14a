"""What every command opens: settings, the database and its stores, config sync.

Feeds and alerts listed in the config file are synced into the database when it
is opened, so `feeds list` and `alerts list` show them and `run` polls them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from sinks.sqlite.feeds import FeedStore
from wirewatch.core.clock import Clock, SystemClock
from wirewatch.core.settings import LoadedSettings, Settings
from wirewatch.runtime import subscriptions


@dataclass
class AppContext:
    loaded: LoadedSettings
    db: Database
    feeds: FeedStore
    articles: ArticleStore
    alerts: AlertStore
    clock: Clock

    @property
    def settings(self) -> Settings:
        return self.loaded.settings

    @property
    def data_dir(self) -> Path:
        return self.settings.data_dir

    def close(self) -> None:
        self.db.close()


def open_context(
    loaded: LoadedSettings, *, clock: Clock | None = None, sync_config: bool = True
) -> AppContext:
    db = Database.open(loaded.settings.data_dir)
    ctx = AppContext(
        loaded, db, FeedStore(db), ArticleStore(db), AlertStore(db), clock or SystemClock()
    )
    if sync_config:
        base = loaded.config_file.parent if loaded.config_file else None
        subscriptions.sync_from_config(
            ctx.settings, ctx.feeds, ctx.alerts, ctx.clock, base_dir=base
        )
    return ctx
