"""Build the embedded pipeline's components from settings.

This is the one place that knows which concrete fetcher, parser, enricher and
sender the embedded runtime uses; tests build `EmbeddedPipeline` directly with
their own pieces (a loopback allow-list, a manual clock).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from ingest.fetch import Fetcher
from ingest.parse import parse_feed
from ingest.ssrf import AddressPolicy
from processors.enrich.pipeline import Enricher
from sinks.sqlite.articles import StoryRow
from sinks.webhook import WebhookSender
from wirewatch.core.models import Article, EnrichedArticle
from wirewatch.runtime.context import AppContext
from wirewatch.runtime.embedded import EmbeddedPipeline, ProgressFn


class EnricherAdapter:
    """Runs processors' Enricher and turns its story records into rows the store persists."""

    def __init__(self, enricher: Enricher) -> None:
        self.enricher = enricher

    def enrich(self, articles: Sequence[Article]) -> tuple[list[EnrichedArticle], list[StoryRow]]:
        result = self.enricher.enrich_batch(articles)
        rows = [StoryRow(r.article_id, r.story_id, r.published_at, r.payload)
                for r in result.story_records]
        return list(result.enriched), rows


def build_enricher(ctx: AppContext) -> Enricher:
    """Load the models and restore story state from the database (fails if no model)."""
    window = timedelta(hours=ctx.settings.enrich.story_window_hours)
    enricher = Enricher(ctx.settings.enrich, clock=ctx.clock)
    since = ctx.clock.now() - window
    enricher.stories.restore(ctx.articles.story_rows_since(since))
    ctx.articles.expire_story_rows(since)
    return enricher


def build_embedded(ctx: AppContext, *, progress: ProgressFn | None = None,
                   **overrides: Any) -> EmbeddedPipeline:
    settings = ctx.settings
    policy = AddressPolicy.from_allow_list(settings.fetch.allow_private)
    fetcher = overrides.pop("fetcher", None) or Fetcher(
        settings.fetch, policy=policy, allow_local_files=settings.allow_local_files,
        clock=ctx.clock,
    )
    enricher = overrides.pop("enricher", None) or EnricherAdapter(build_enricher(ctx))
    sender = overrides.pop("sender", None) or WebhookSender(
        settings.notify, settings.fetch.user_agent, is_allowed=policy.url_allowed_sync,
    )
    return EmbeddedPipeline(ctx, fetcher=fetcher, parse=parse_feed, enricher=enricher,
                            sender=sender, progress=progress, **overrides)
