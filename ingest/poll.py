"""One poll of one feed: fetch → parse → dedup → the feed's next state.

Both runtimes call `poll_feed`; it changes nothing itself. The caller persists
the outcome (state, seen ids, accepted articles) atomically — in the embedded
runtime with the outbox, in `wirewatch poll` after Kafka acknowledged the
articles — so a crash in between re-polls instead of losing anything.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Protocol

from ingest.fetch import FetchErrorKind, FetchResult
from ingest.parse import ParsedFeed
from ingest.parse_guard import ParseLimitExceeded
from ingest.schedule import (
    backoff,
    clamp,
    is_dead,
    learned_interval,
    respect_publisher,
    skip_quiet_hours,
)
from wirewatch.core.clock import Clock
from wirewatch.core.credentials import may_forward_credentials
from wirewatch.core.models import Article, Feed, FeedAuth, FeedState, FeedStatus
from wirewatch.core.settings import ScheduleSettings

log = logging.getLogger(__name__)


class SeenLookup(Protocol):
    def content_hashes(self, article_ids: Sequence[str]) -> Mapping[str, str]:
        """Stored content hash per already-accepted article id."""
        ...


class FeedFetcher(Protocol):
    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        auth: FeedAuth | None = None,
    ) -> FetchResult: ...


class FeedParser(Protocol):
    """Turns one fetched body into a ParsedFeed: `parse_feed` itself, or `GuardedParser`,
    which parses in a worker process under limits and so answers with an awaitable."""

    def __call__(
        self,
        body: bytes,
        *,
        feed: Feed,
        fetched_at: datetime,
        content_type: str | None,
        base_url: str | None,
        content_language: str | None,
    ) -> ParsedFeed | Awaitable[ParsedFeed]: ...


# Fetches the full page text of a feed's articles (opt-in per feed; ingest.fulltext).
FullText = Callable[[Sequence[Article]], Awaitable[list[Article]]]


@dataclass
class PollOutcome:
    feed: Feed
    state: FeedState
    articles: list[Article] = field(default_factory=list)
    new_count: int = 0
    updated_count: int = 0
    error: str | None = None
    items_dropped: int = 0  # older items beyond limits.items_per_feed


def _fail(
    feed: Feed,
    state: FeedState,
    now: datetime,
    message: str,
    *,
    status: int | None,
    settings: ScheduleSettings,
    rng: random.Random,
    retry_after: float | None = None,
) -> PollOutcome:
    errors = state.consecutive_errors + 1
    first = state.first_error_at or now
    dead = is_dead(first, now, settings)
    delay = settings.max_backoff if dead else backoff(errors, settings, rng, retry_after)
    new = state.model_copy(
        update={
            "last_polled_at": now,
            "last_status": FeedStatus.DEAD if dead else FeedStatus.ERROR,
            "last_http_status": status,
            "last_error": message,
            "consecutive_errors": errors,
            "first_error_at": first,
            "next_poll_at": now + timedelta(seconds=delay),
        }
    )
    return PollOutcome(feed, new, error=message)


async def poll_feed(
    feed: Feed,
    state: FeedState,
    *,
    fetcher: FeedFetcher,
    parse: FeedParser,
    seen: SeenLookup,
    clock: Clock,
    schedule_settings: ScheduleSettings,
    fulltext: FullText | None = None,
    rng: random.Random | None = None,
) -> PollOutcome:
    """Poll once. Never raises for a bad feed: problems land in the returned state.

    That includes a bug met while handling this one feed: it is logged with its
    traceback and recorded on the feed as an internal error (backing off like any
    error), so a runtime polling many feeds at once goes on with the others.
    """
    rng = rng or random.Random()
    try:
        return await _poll(
            feed,
            state,
            fetcher=fetcher,
            parse=parse,
            seen=seen,
            clock=clock,
            settings=schedule_settings,
            fulltext=fulltext,
            rng=rng,
        )
    except Exception as e:
        log.exception("polling %s failed unexpectedly", feed.url)
        message = f"internal error while polling: {e!r} (a bug; the log has the details)"
        return _fail(
            feed, state, clock.now(), message, status=None, settings=schedule_settings, rng=rng
        )


async def _poll(
    feed: Feed,
    state: FeedState,
    *,
    fetcher: FeedFetcher,
    parse: FeedParser,
    seen: SeenLookup,
    clock: Clock,
    settings: ScheduleSettings,
    fulltext: FullText | None,
    rng: random.Random,
) -> PollOutcome:
    result = await fetcher.fetch(
        feed.url, etag=state.etag, last_modified=state.last_modified, auth=feed.auth
    )
    now = clock.now()
    moved = result.permanent_redirect
    # A feed's credentials belong to its origin: a permanent move elsewhere is followed on
    # each poll (without them) but never adopted, or the next poll would send them there.
    if (
        moved
        and moved != feed.url
        and (feed.auth is None or may_forward_credentials(feed.url, moved))
    ):
        feed = feed.model_copy(update={"url": moved})

    if result.status == 410:
        gone = state.model_copy(
            update={
                "last_polled_at": now,
                "last_status": FeedStatus.GONE,
                "last_http_status": 410,
                "last_error": "410 Gone: the publisher removed this feed; polling stopped",
                "next_poll_at": None,
            }
        )
        return PollOutcome(feed, gone, error=gone.last_error)
    if result.error is not None:
        retry_after = result.retry_after(now) if result.status in {429, 503} else None
        message = str(result.error)
        if result.error.kind is FetchErrorKind.HTTP and retry_after is not None:
            message += f" (Retry-After {retry_after:.0f}s honoured)"
        return _fail(
            feed,
            state,
            now,
            message,
            status=result.status,
            settings=settings,
            rng=rng,
            retry_after=retry_after,
        )

    interval = state.interval_seconds or settings.default_interval
    if result.not_modified:
        interval = respect_publisher(
            interval, ttl_minutes=None, max_age=result.max_age(), settings=settings
        )
        new_state = state.model_copy(
            update={
                "last_polled_at": now,
                "last_success_at": now,
                "last_status": FeedStatus.NOT_MODIFIED,
                "last_http_status": 304,
                "last_error": None,
                "consecutive_errors": 0,
                "first_error_at": None,
                "next_poll_at": now + timedelta(seconds=interval),
            }
        )
        return PollOutcome(feed, new_state)

    try:
        answer = parse(
            result.body or b"",
            feed=feed,
            fetched_at=now,
            content_type=result.content_type,
            base_url=result.final_url if result.final_url.startswith("http") else None,
            content_language=result.headers.get("content-language"),
        )
        parsed = answer if isinstance(answer, ParsedFeed) else await answer
    except ParseLimitExceeded as e:
        return _fail(
            feed, state, now, f"feed refused: {e}", status=result.status, settings=settings, rng=rng
        )
    if not parsed.articles and parsed.error:
        return _fail(
            feed, state, now, parsed.error, status=result.status, settings=settings, rng=rng
        )
    _log_limits(feed, parsed)
    if parsed.title and not feed.title:
        feed = feed.model_copy(update={"title": parsed.title})
    if parsed.site_url and not feed.site_url:
        feed = feed.model_copy(update={"site_url": parsed.site_url})

    known = seen.content_hashes([a.id for a in parsed.articles])
    fresh = [a for a in parsed.articles if known.get(a.id) != a.content_hash]
    updated = sum(1 for a in fresh if a.id in known)
    if fulltext is not None and fresh:
        fresh = await fulltext(fresh)

    dated = [a.published_at for a in parsed.articles if not a.published_is_fetch_time]
    interval = learned_interval(dated, now, settings) if dated else clamp(interval, settings)
    interval = respect_publisher(
        interval, ttl_minutes=parsed.ttl_minutes, max_age=result.max_age(), settings=settings
    )
    next_at = skip_quiet_hours(
        now + timedelta(seconds=interval), parsed.skip_hours, parsed.skip_days
    )
    new_state = state.model_copy(
        update={
            "etag": result.headers.get("etag"),
            "last_modified": result.headers.get("last-modified"),
            "last_polled_at": now,
            "last_success_at": now,
            "last_status": FeedStatus.OK,
            "last_http_status": result.status,
            "last_error": None,
            "consecutive_errors": 0,
            "first_error_at": None,
            "bozo_reason": parsed.bozo_reason,
            "interval_seconds": interval,
            "next_poll_at": next_at,
            "entries_seen": state.entries_seen + len(fresh) - updated,
            "items_dropped": parsed.items_dropped,
        }
    )
    return PollOutcome(
        feed, new_state, fresh, len(fresh) - updated, updated, items_dropped=parsed.items_dropped
    )


def _log_limits(feed: Feed, parsed: ParsedFeed) -> None:
    """Say what the limits took from this feed: nothing is cut silently."""
    if parsed.items_dropped:
        log.info(
            "feed %s: %d older items dropped, over limits.items_per_feed",
            feed.url,
            parsed.items_dropped,
        )
    cut = [a for a in parsed.articles if a.truncated]
    if cut:
        log.debug(
            "feed %s: %d articles cut to the limits, e.g. %s (%s)",
            feed.url,
            len(cut),
            cut[0].url or cut[0].id,
            ", ".join(cut[0].truncated),
        )
