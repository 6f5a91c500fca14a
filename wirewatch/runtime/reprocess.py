"""`wirewatch reprocess`: re-enrich stored articles with the current enrichment.

Each stored article whose provenance differs from the enricher's (a new enrichment
version, NER model or taxonomy) is enriched again from its stored `Article` and goes
through the store stage's own hand-over (`StoreStep`: SQLite in one transaction, or
the engine first and then SQLite), so the configured index replaces it under the same
id. Its story id is kept: re-clustering old coverage would move alerts between
stories. Its hits go through the same recording as a live run's, so a hit recorded
before records nothing (one per rule and article), a copy of a story that alerted
folds into that alert, and an unchanged text fires no update alert.

Resuming needs no checkpoint: an article already carrying the current provenance is
skipped, so a run killed half-way and started again re-enriches only the rest.
Articles are read in a stable order — by id from the data directory, or newest
published first through the index's search with `--where` — in pages keyed on the
last one read, so re-indexing never shifts a page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from processors.matching.rules import RuleSet, compile_rules, hits_for
from wirewatch.core.models import Article, EnrichedArticle, Provenance
from wirewatch.core.ports import ArticleIndex, RuleStore, SearchRequest, StoredArticles
from wirewatch.core.query import Query
from wirewatch.core.records import StoryRecord
from wirewatch.runtime.store import StoreStep

PAGE = 200
BATCH = 32
_TICK = timedelta(microseconds=1)


class Reenrich(Protocol):
    """What reprocessing needs from processors' Enricher: its provenance, and the
    enriched articles of a batch (the runtime's `EnrichStage`)."""

    provenance: Provenance

    def enrich(
        self, articles: Sequence[Article]
    ) -> tuple[list[EnrichedArticle], list[StoryRecord]]: ...


@dataclass
class Reprocessed:
    examined: int = 0  # stored articles in the selection
    reenriched: int = 0  # enriched again and re-indexed now
    current: int = 0  # already had the current provenance (done before, or by a run)
    new_hits: int = 0  # hits recorded now (a rule that matches only with the new enrichment)


def by_search(
    index: ArticleIndex, query: Query, since: datetime | None
) -> Iterator[EnrichedArticle]:
    """The query's matches, newest published first, in pages keyed on the last one read
    (an engine pages through at most 10,000 hits by offset; this has no such cap)."""
    until: datetime | None = None
    seen_at_until: set[str] = set()
    while True:
        page = index.search(
            SearchRequest(query, since=since, until=until, limit=PAGE, offset=len(seen_at_until))
        )
        yield from page.articles
        if page.next_offset is None:
            return
        last = page.articles[-1].article.published_at
        if until is None or last + _TICK != until:
            seen_at_until = set()
        seen_at_until |= {e.id for e in page.articles if e.article.published_at == last}
        until = last + _TICK  # inclusive of `last`: those already read are skipped by offset


def by_id(
    stored: StoredArticles, index: ArticleIndex, since: datetime | None
) -> Iterator[EnrichedArticle]:
    """Every stored article published since `since`, by id (the data directory's order)."""
    after = ""
    while page := stored.articles_after(after, PAGE):
        for a in page:
            if since is None or a.published_at >= since:
                e = index.get(a.id)
                if e is not None:
                    yield e
        after = page[-1].id


async def reprocess(
    articles: Iterator[EnrichedArticle],
    enricher: Reenrich,
    store: StoreStep,
    rules: RuleStore,
    now: Callable[[], datetime],
    progress: Callable[[Reprocessed], None] = lambda done: None,
) -> Reprocessed:
    """Re-enrich and re-store, in batches, the articles not enriched as `enricher` would."""
    done = Reprocessed()
    rule_set = compile_rules(rules.rules())
    stale: list[EnrichedArticle] = []
    for e in articles:
        done.examined += 1
        if e.provenance == enricher.provenance:
            done.current += 1
        else:
            stale.append(e)
        if len(stale) >= BATCH:
            await _redo(stale, enricher, store, rule_set, now(), done)
            stale = []
        progress(done)
    if stale:
        await _redo(stale, enricher, store, rule_set, now(), done)
    await store.finish()
    progress(done)
    return done


async def _redo(
    stale: list[EnrichedArticle],
    enricher: Reenrich,
    store: StoreStep,
    rule_set: RuleSet,
    now: datetime,
    done: Reprocessed,
) -> None:
    enriched, _ = enricher.enrich([e.article for e in stale])
    kept = [
        n.model_copy(update={"story_id": o.story_id}) for o, n in zip(stale, enriched, strict=True)
    ]
    hits = [h for e in kept for h in hits_for(e, rule_set, now)]
    new = await store([(None, e) for e in kept], [], hits, now)
    done.reenriched += len(kept)
    done.new_hits += len(new)
