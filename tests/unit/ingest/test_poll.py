"""One poll of one feed, over real HTTP: dedup, updates, schedule, health."""

from __future__ import annotations

import functools
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import SecretStr

from ingest.fetch import Fetcher
from ingest.parse import parse_feed
from ingest.poll import PollOutcome, poll_feed
from ingest.schedule import backoff, learned_interval, skip_quiet_hours
from tests.support.http_server import Reply, TestServer
from wirewatch.core.clock import ManualClock
from wirewatch.core.models import Feed, FeedAuth, FeedState, FeedStatus
from wirewatch.core.settings import FetchSettings, LimitsSettings, ScheduleSettings

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def rss(items: list[tuple[str, str, datetime]], extra: str = "") -> bytes:
    body = "".join(
        f"<item><title>{t}</title><link>https://news.example/{slug}?utm_source=x</link>"
        f"<pubDate>{d.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate></item>"
        for slug, t, d in items
    )
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>Example News</title>'
        f"<link>https://news.example/</link>{extra}{body}</channel></rss>"
    ).encode()


class Seen:
    def __init__(self) -> None:
        self.hashes: dict[str, str] = {}

    def content_hashes(self, article_ids: Sequence[str]) -> Mapping[str, str]:
        return {i: self.hashes[i] for i in article_ids if i in self.hashes}

    def accept(self, outcome: PollOutcome) -> None:
        for a in outcome.articles:
            self.hashes[a.id] = a.content_hash


class Env:
    def __init__(self, server: TestServer) -> None:
        self.server = server
        self.clock = ManualClock(NOW)
        self.fetcher = Fetcher(FetchSettings(allow_private=[server.allow_entry]), clock=self.clock)
        self.seen = Seen()
        self.settings = ScheduleSettings()
        self.feed = Feed(id="f1", url=server.url("/feed"), added_at=NOW)
        self.state = FeedState(feed_id="f1")

    async def poll(self, parse: Callable[..., Any] = parse_feed) -> PollOutcome:
        out = await poll_feed(
            self.feed,
            self.state,
            fetcher=self.fetcher,
            parse=parse,
            seen=self.seen,
            clock=self.clock,
            schedule_settings=self.settings,
            rng=random.Random(1),
        )
        self.seen.accept(out)
        self.feed, self.state = out.feed, out.state
        return out


@pytest.fixture
async def env() -> AsyncIterator[Env]:
    with TestServer() as s:
        e = Env(s)
        yield e
        await e.fetcher.aclose()


async def test_new_then_seen_then_updated(env: Env) -> None:
    items = [("a", "First", NOW - timedelta(hours=1)), ("b", "Second", NOW - timedelta(hours=2))]
    env.server.route("/feed", lambda r: Reply(200, body=rss(items)))
    first = await env.poll()
    assert (first.new_count, first.updated_count) == (2, 0)
    assert first.articles[0].canonical_url == "https://news.example/a"
    assert first.state.last_status is FeedStatus.OK and first.feed.title == "Example News"
    again = await env.poll()
    assert again.articles == [] and again.new_count == 0
    items[0] = ("a", "First (updated headline)", items[0][2])
    changed = await env.poll()
    assert (changed.new_count, changed.updated_count) == (0, 1)
    assert changed.articles[0].id == first.articles[0].id


async def test_304_costs_no_parse(env: Env) -> None:
    env.server.route(
        "/feed",
        lambda r: (
            Reply(304)
            if r.headers.get("if-none-match")
            else Reply(200, {"ETag": '"e1"'}, rss([("a", "A", NOW)]))
        ),
    )
    await env.poll()

    def boom(*a: Any, **k: Any) -> Any:
        raise AssertionError("parsed a 304")

    out = await poll_feed(
        env.feed,
        env.state,
        fetcher=env.fetcher,
        parse=boom,
        seen=env.seen,
        clock=env.clock,
        schedule_settings=env.settings,
    )
    assert out.state.last_status is FeedStatus.NOT_MODIFIED and out.articles == []
    assert out.state.etag == '"e1"'


async def test_permanent_redirect_updates_the_url_temporary_does_not(env: Env) -> None:
    env.server.route("/feed", lambda r: Reply(301, {"Location": "/moved"}))
    env.server.route("/moved", lambda r: Reply(200, body=rss([("a", "A", NOW)])))
    env.server.route("/tmp", lambda r: Reply(302, {"Location": "/moved"}))
    out = await env.poll()
    assert out.feed.url == env.server.url("/moved") and out.feed.id == "f1"
    env.feed = env.feed.model_copy(update={"url": env.server.url("/tmp")})
    out = await env.poll()
    assert out.feed.url == env.server.url("/tmp")


async def test_a_feed_with_credentials_never_moves_to_another_origin(env: Env) -> None:
    """A permanent move away from the origin is followed each poll without the credentials,
    but not adopted: adopting it would send them to the new origin on the next poll."""
    with TestServer() as elsewhere:
        elsewhere.route("/feed", lambda r: Reply(200, body=rss([("a", "A", NOW)])))
        env.server.route("/feed", lambda r: Reply(301, {"Location": elsewhere.url("/feed")}))
        await env.fetcher.aclose()  # the fixture's fetcher may not reach `elsewhere`
        env.fetcher = Fetcher(
            FetchSettings(allow_private=[env.server.allow_entry, elsewhere.allow_entry]),
            clock=env.clock,
        )
        env.feed = env.feed.model_copy(
            update={"auth": FeedAuth(username=SecretStr("bob"), password=SecretStr("pw"))}
        )
        out = await env.poll()
        assert out.state.last_status is FeedStatus.OK and len(out.articles) == 1
        assert out.feed.url == env.server.url("/feed")
        assert "authorization" not in elsewhere.requests[-1].headers
        # without credentials the same move is adopted, as for any feed
        env.feed = env.feed.model_copy(update={"auth": None})
        assert (await env.poll()).feed.url == elsewhere.url("/feed")


async def test_410_stops_polling(env: Env) -> None:
    env.server.route("/feed", lambda r: Reply(410))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.GONE and out.state.next_poll_at is None
    assert "410" in (out.error or "")


@pytest.mark.parametrize("status", [429, 503])
async def test_retry_after_is_honoured(env: Env, status: int) -> None:
    env.server.route("/feed", lambda r: Reply(status, {"Retry-After": "3600"}))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.ERROR and out.state.consecutive_errors == 1
    assert out.state.next_poll_at is not None
    assert out.state.next_poll_at - NOW >= timedelta(seconds=3600)


async def test_errors_back_off_and_a_feed_failing_for_days_is_dead(env: Env) -> None:
    env.server.route("/feed", lambda r: Reply(500))
    delays = []
    for _ in range(4):
        out = await env.poll()
        assert out.state.next_poll_at is not None
        delays.append((out.state.next_poll_at - env.clock.now()).total_seconds())
        env.clock.advance(delays[-1])
    assert delays[-1] > delays[0] and out.state.consecutive_errors == 4
    env.clock.advance(timedelta(days=4))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.DEAD
    env.server.route("/feed", lambda r: Reply(200, body=rss([("a", "A", NOW)])))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.OK and out.state.consecutive_errors == 0


async def test_not_a_feed_is_an_error_with_the_reason(env: Env) -> None:
    env.server.route(
        "/feed",
        lambda r: Reply(200, {"Content-Type": "text/html"}, b"<html><body>hello</body></html>"),
    )
    out = await env.poll()
    assert out.state.last_status is FeedStatus.ERROR and "not a feed" in (out.error or "")


@pytest.mark.parametrize(
    ("body", "error"),
    [
        (  # a download cut short before the first item
            b'<?xml version="1.0"?><rss version="2.0"><channel><title>News</title><link>https:',
            "malformed feed (SAXParseException: <unknown>:1:",
        ),
        (
            b'<rss version="2.0"><channel><title>News</title></chanel></rss>',
            "mismatched tag); no item could be read",
        ),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "invalid JSON Feed"),
    ],
    ids=["truncated RSS", "mismatched tag", "truncated JSON Feed"],
)
async def test_a_feed_too_broken_to_yield_an_item_is_an_error(
    env: Env, body: bytes, error: str
) -> None:
    env.server.route("/feed", lambda r: Reply(200, body=body))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.ERROR and out.state.consecutive_errors == 1
    assert error in (out.state.last_error or "") and out.error == out.state.last_error


async def test_broken_xml_with_items_or_an_empty_valid_feed_is_ok(env: Env) -> None:
    broken = rss([("a", "A", NOW)]).replace(b"</channel>", b"</chanel>")
    env.server.route("/feed", lambda r: Reply(200, body=broken))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.OK and len(out.articles) == 1
    assert "malformed feed" in (out.state.bozo_reason or "")
    env.server.route("/feed", lambda r: Reply(200, body=rss([])))
    out = await env.poll()
    assert out.state.last_status is FeedStatus.OK and out.error is None


async def test_a_bug_while_polling_one_feed_is_that_feeds_error(
    env: Env, caplog: pytest.LogCaptureFixture
) -> None:
    """Both runtimes poll many feeds at once; a bug must not end the others' polls."""

    def broken_parse(body: bytes, **kwargs: Any) -> Any:
        raise KeyError("a bug in parsing")

    env.server.route("/feed", lambda r: Reply(200, body=rss([("a", "A", NOW)])))
    out = await env.poll(parse=broken_parse)
    assert out.articles == [] and out.state.last_status is FeedStatus.ERROR
    assert out.state.last_error == out.error and "internal error while polling" in out.error
    assert "a bug in parsing" in out.error and out.state.next_poll_at is not None
    assert "Traceback" in caplog.text and env.feed.url in caplog.text


async def test_adaptive_interval_and_publisher_hints(env: Env) -> None:
    busy = [(f"i{i}", f"Item {i}", NOW - timedelta(minutes=30 * i)) for i in range(40)]
    env.server.route("/feed", lambda r: Reply(200, {"Cache-Control": "max-age=60"}, rss(busy)))
    out = await env.poll()
    assert 1500 < (out.state.interval_seconds or 0) < 2000  # 40 items in ~20 h: every ~30 min
    quiet = [("q", "Quiet", NOW - timedelta(days=20))]
    env.server.route("/feed", lambda r: Reply(200, body=rss(quiet, "<ttl>600</ttl>")))
    out = await env.poll()
    assert out.state.interval_seconds == env.settings.max_interval
    weekly = [(f"w{i}", f"W {i}", NOW - timedelta(days=i)) for i in range(7)]
    env.server.route("/feed", lambda r: Reply(200, body=rss(weekly, "<ttl>600</ttl>")))
    out = await env.poll()
    # ttl asks for 10 h; the user's bound (max_interval, 6 h) wins: staleness is capped
    assert out.state.interval_seconds == env.settings.max_interval


def test_learned_interval_bounds() -> None:
    s = ScheduleSettings()
    assert learned_interval([], NOW, s) == s.max_interval
    daily = [NOW - timedelta(days=i) for i in range(7)]
    assert learned_interval(daily, NOW, s) == s.max_interval  # one a day → slower than 6 h
    hourly = [NOW - timedelta(hours=i) for i in range(24 * 7)]
    assert 3500 < learned_interval(hourly, NOW, s) < 3600
    burst = [NOW - timedelta(minutes=i) for i in range(50)]
    assert learned_interval(burst, NOW, s) == s.min_interval


def test_skip_hours_and_days_move_the_next_poll() -> None:
    t = datetime(2026, 11, 28, 2, 30, tzinfo=UTC)  # a Saturday
    assert skip_quiet_hours(t, frozenset({2, 3}), frozenset()).hour == 4
    monday = skip_quiet_hours(t, frozenset(), frozenset({"saturday", "sunday"}))
    assert monday.weekday() == 0 and monday.hour == 0


def test_backoff_grows_with_jitter_and_cap() -> None:
    s = ScheduleSettings()
    rng = random.Random(7)
    d = [backoff(n, s, rng) for n in range(1, 12)]
    assert d[0] < d[3] < d[6] and max(d) <= s.max_backoff
    assert backoff(1, s, rng, retry_after=5000) >= 5000


async def test_items_over_the_limit_are_counted_in_the_result_and_the_feed_state(
    env: Env,
) -> None:
    items = [(f"s{i}", f"Story {i}", NOW - timedelta(minutes=i)) for i in range(8)]
    env.server.route("/feed", lambda r: Reply(200, body=rss(items)))
    out = await poll_feed(
        env.feed,
        env.state,
        fetcher=env.fetcher,
        parse=functools.partial(parse_feed, limits=LimitsSettings(items_per_feed=5)),
        seen=env.seen,
        clock=env.clock,
        schedule_settings=env.settings,
    )
    assert [a.title for a in out.articles] == [f"Story {i}" for i in range(5)]
    assert out.items_dropped == 3 and out.state.items_dropped == 3
    assert out.state.last_status is FeedStatus.OK and out.error is None
