"""The configured engine as the article index, connected on first use.

Commands that never touch the index (`feeds`, `alerts`, `config show`) hold this
object without sending anything, so they work while the engine is down (and
without its client installed). The first call that needs the index builds the
client and checks the engine once (`engine.check`): a search with the engine down
fails with one line naming `search.urls`. A run calls `start` instead, which
accepts an engine that is down (the bulk sink waits for it) but still refuses bad
credentials or a URL that is not an engine.

`stop_waiting` is the bulk sink's way out of an outage: a stopping runtime sets
it, and a batch the engine still cannot take raises `IndexStopped` instead of
retrying forever (the batch stays in the outbox).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime

from sinks.search.engine import Engine, EngineUnreachable, check, connect
from sinks.search.index import EngineArticleIndex
from sinks.search.setup import install
from wirewatch.core.errors import WirewatchError
from wirewatch.core.models import Alert, DeliveryState, EnrichedArticle
from wirewatch.core.ports import IndexResult, SearchPage, SearchRequest
from wirewatch.core.records import StorySummary
from wirewatch.core.settings import SearchSettings


class LazyEngineIndex:
    """`ArticleIndex` and `HitIndex` on the configured engine, opened when first used."""

    def __init__(self, search: SearchSettings) -> None:
        self._search = search
        self._stop = threading.Event()
        self._opened: tuple[Engine, EngineArticleIndex] | None = None

    def start(self) -> str | None:
        """Open the engine for a run: None when it answers, else why it cannot be reached.

        Bad credentials or a URL that is not an engine still raise `ConfigError`.
        """
        if self._opened is not None:
            return None
        self._opened, down = self._connect()
        return None if down is None else down.message

    def problem(self) -> str | None:
        """Why the engine cannot take documents now (one health request), or None: the
        sink's readiness check. Bad credentials are a reason here, not an exception."""
        try:
            if self._opened is None:
                return self.start()
            check(self._opened[0].transport, self._search)
        except WirewatchError as e:
            return e.message
        return None

    def _open(self) -> tuple[Engine, EngineArticleIndex]:
        opened = self._opened
        if opened is None:
            opened, down = self._connect()
            if down is not None:
                opened[0].close()
                raise down
            self._opened = opened
        return opened

    def _connect(self) -> tuple[tuple[Engine, EngineArticleIndex], EngineUnreachable | None]:
        """Build the client and ask the engine once; an outage is returned, the rest raised."""
        engine = connect(self._search)
        down: EngineUnreachable | None = None
        try:
            check(engine.transport, self._search)
        except EngineUnreachable as e:
            down = e
        except BaseException:
            engine.close()
            raise
        return (engine, engine.index(stop=self._stop)), down

    def setup(self) -> list[str]:
        """Install the layout's templates and policies; one report line per step."""
        engine, _ = self._open()
        return install(engine.transport, engine.layout, engine.lifecycle)

    def stop_waiting(self) -> None:
        """Make the bulk sink give up on an unreachable engine instead of waiting (thread-safe)."""
        self._stop.set()

    def close(self) -> None:
        if self._opened is not None:
            self._opened[0].close()

    # --- the ports, delegated ------------------------------------------------------------

    def index(self, batch: Sequence[EnrichedArticle]) -> IndexResult:
        return self._open()[1].index(batch)

    def index_hits(self, hits: Sequence[tuple[Alert, DeliveryState]]) -> IndexResult:
        return self._open()[1].index_hits(hits)

    def search(self, request: SearchRequest) -> SearchPage:
        return self._open()[1].search(request)

    def stories(
        self, *, since: datetime | None, until: datetime | None, min_size: int, limit: int
    ) -> list[StorySummary]:
        return self._open()[1].stories(since=since, until=until, min_size=min_size, limit=limit)

    def count(self) -> int:
        return self._open()[1].count()

    def get(self, article_id: str) -> EnrichedArticle | None:
        return self._open()[1].get(article_id)

    def refresh(self) -> None:
        self._open()[1].refresh()
