"""Build the embedded pipeline's components from settings.

This is the one place that knows which concrete fetcher, parser, enricher and
sender the embedded runtime uses; tests build `EmbeddedPipeline` directly with
their own pieces (a loopback allow-list, a manual clock).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from ingest.fetch import Fetcher, FetchErrorKind
from ingest.fulltext import FullTextFetcher
from ingest.parse_guard import GuardedParser
from ingest.ssrf import AddressPolicy
from processors.enrich.pipeline import Enricher
from sinks.email import EmailSender
from sinks.slack import SlackSender
from sinks.webhook import ChannelSender, HttpPost, WebhookSender
from wirewatch.core.metrics import NO_METRICS, Metrics
from wirewatch.core.models import Article, Channel, EnrichedArticle
from wirewatch.core.records import StoryRecord
from wirewatch.core.settings import Settings, email_ready
from wirewatch.runtime.context import AppContext
from wirewatch.runtime.embedded import EmbeddedPipeline, ProgressFn


class EnricherAdapter:
    """Runs processors' Enricher in the shape the runtime's enrich stage calls."""

    def __init__(self, enricher: Enricher) -> None:
        self.enricher = enricher
        self.provenance = enricher.provenance  # what `reprocess` compares stored articles to

    def enrich(
        self, articles: Sequence[Article]
    ) -> tuple[list[EnrichedArticle], list[StoryRecord]]:
        result = self.enricher.enrich_batch(articles)
        return result.enriched, result.story_records

    async def aclose(self) -> None:
        """Stop the NER worker processes with the runtime (waiting for a batch in flight)."""
        await asyncio.to_thread(self.enricher.close)


def build_enricher(ctx: AppContext) -> Enricher:
    """Load the models and restore story state from the database (fails if no model)."""
    window = timedelta(hours=ctx.settings.enrich.story_window_hours)
    enricher = Enricher(ctx.settings.enrich, clock=ctx.clock)
    since = ctx.clock.now() - window
    ctx.story_state.expire_story_records(since)
    enricher.stories.restore(ctx.story_state.story_records_since(since))
    return enricher


@dataclass
class _Response:
    status: int | None
    headers: Mapping[str, str] = field(default_factory=dict)
    error: str | None = None
    permanent: bool = False


# A refused address or an unusable URL will not change by retrying.
_NEVER_DELIVERABLE = frozenset({FetchErrorKind.BLOCKED, FetchErrorKind.BAD_URL})


class GuardedPost:
    """Webhook POSTs through a Fetcher, so they get the same SSRF guard and limits."""

    def __init__(self, fetcher: Fetcher) -> None:
        self.fetcher = fetcher

    async def __call__(self, url: str, body: bytes, headers: Mapping[str, str]) -> _Response:
        r = await self.fetcher.fetch(
            url, method="POST", content=body, accept="*/*", extra_headers=headers
        )
        error = (
            None if r.error is None or (r.status is not None and r.status >= 400) else str(r.error)
        )
        permanent = r.error is not None and r.error.kind in _NEVER_DELIVERABLE
        return _Response(r.status if error is None else None, r.headers, error, permanent)

    async def aclose(self) -> None:
        await self.fetcher.aclose()


def build_fetcher(
    settings: Settings,
    ctx_clock: Any,
    *,
    deadline_setting: str = "fetch.deadline",
    **fetch_overrides: Any,
) -> Fetcher:
    """A Fetcher with `fetch.*`, some overridden; `deadline_setting` names where the
    deadline came from, so its error message points at the setting to change."""
    fetch = settings.fetch.model_copy(update=fetch_overrides)
    return Fetcher(
        fetch,
        policy=AddressPolicy.from_allow_list(fetch.allow_private),
        allow_local_files=settings.allow_local_files,
        clock=ctx_clock,
        deadline_setting=deadline_setting,
    )


def build_webhook_post(settings: Settings, clock: Any) -> GuardedPost:
    """Webhook POSTs: the feed fetcher's guard and limits, under `notify.timeout`, and no
    redirects (a receiver that moved is reconfigured, not followed).

    Feed politeness does not apply: a receiver is the user's own endpoint, and every
    Slack rule posts to the same host, so a per-host limit of 2 would let two stalled
    Slack webhooks hold every other rule's Slack delivery. The notifier's own bound
    (`notify.concurrency`) is the limit, per host and overall.
    """
    slots = settings.notify.concurrency
    return GuardedPost(
        build_fetcher(
            settings,
            clock,
            deadline_setting="notify.timeout",
            deadline=settings.notify.timeout,
            max_redirects=0,
            concurrency=slots,
            per_host_concurrency=slots,
        )
    )


def build_senders(settings: Settings, post: HttpPost) -> dict[Channel, ChannelSender]:
    """A sender for every channel these settings can deliver to, webhooks and Slack through
    `post` (see `build_webhook_post`). E-mail is left out until `email_ready`: a delivery
    to a channel without a sender is given up with that reason, not retried."""
    user_agent = settings.fetch.user_agent
    senders: dict[Channel, ChannelSender] = {
        Channel.WEBHOOK: WebhookSender(
            settings.notify, user_agent, post=post, limits=settings.limits
        ),
        Channel.SLACK: SlackSender(user_agent, post=post, limits=settings.limits),
    }
    if email_ready(settings.notify) is None:
        senders[Channel.EMAIL] = EmailSender(settings.notify, limits=settings.limits)
    return senders


def build_parser(settings: Settings) -> GuardedParser:
    return GuardedParser(
        memory_mb=settings.parse.memory_mb, deadline=settings.parse.deadline, limits=settings.limits
    )


def build_embedded(
    ctx: AppContext, *, progress: ProgressFn | None = None, metrics: Metrics = NO_METRICS
) -> EmbeddedPipeline:
    settings = ctx.settings
    fetcher = build_fetcher(settings, ctx.clock)
    post = build_webhook_post(settings, ctx.clock)
    enricher = EnricherAdapter(build_enricher(ctx))
    parser = build_parser(settings)
    return EmbeddedPipeline(
        ctx,
        fetcher=fetcher,
        parse=parser,
        enricher=enricher,
        senders=build_senders(settings, post),
        fulltext=FullTextFetcher(fetcher, text_chars=settings.limits.text_chars),
        closers=[post, parser, enricher],
        progress=progress,
        metrics=metrics,
    )
