"""The fetcher against a real HTTP server on loopback: statuses, limits, redirects, SSRF."""

from __future__ import annotations

import base64
import gzip
from collections.abc import Iterator
from pathlib import Path

import pytest

from ingest.fetch import Fetcher, FetchErrorKind
from ingest.ssrf import AddressPolicy
from tests.support.http_server import Reply, Request, TestServer, drip
from wirewatch.core.models import FeedAuth
from wirewatch.core.settings import FetchSettings

RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>T</title>
<item><title>One</title><link>https://news.example/1</link></item></channel></rss>"""


class FakeResolver:
    """DNS answers from a table; records what was asked. Never touches the network."""

    def __init__(self, table: dict[str, list[str]]) -> None:
        self.table = table
        self.asked: list[str] = []

    async def resolve(self, host: str, port: int) -> list[str]:
        self.asked.append(host)
        if host not in self.table:
            raise OSError(f"NXDOMAIN {host}")
        return self.table[host]


@pytest.fixture
def server() -> Iterator[TestServer]:
    with TestServer() as s:
        yield s


def fetcher_for(server: TestServer, **overrides: object) -> Fetcher:
    settings = FetchSettings(allow_private=[server.allow_entry], **overrides)  # type: ignore[arg-type]
    return Fetcher(settings, resolver=FakeResolver({"localhost": ["127.0.0.1"]}))


async def test_200_then_304_with_validators(server: TestServer) -> None:
    def feed(req: object) -> Reply:
        if getattr(req, "headers", {}).get("if-none-match") == '"v1"':
            return Reply(304)
        return Reply(
            200,
            {
                "ETag": '"v1"',
                "Last-Modified": "Tue, 24 Nov 2026 10:00:00 GMT",
                "Content-Type": "application/rss+xml",
            },
            RSS,
        )

    server.route("/feed", feed)
    f = fetcher_for(server)
    first = await f.fetch(server.url("/feed"))
    assert first.ok and first.body == RSS and first.headers["etag"] == '"v1"'
    second = await f.fetch(
        server.url("/feed"), etag='"v1"', last_modified="Tue, 24 Nov 2026 10:00:00 GMT"
    )
    assert second.not_modified and second.body is None and second.error is None
    sent = server.requests[-1].headers
    assert sent["if-none-match"] == '"v1"'
    assert sent["if-modified-since"] == "Tue, 24 Nov 2026 10:00:00 GMT"
    assert sent["user-agent"].startswith("Wirewatch/") and "+https://" in sent["user-agent"]
    await f.aclose()


@pytest.mark.parametrize(
    ("status", "permanent"), [(301, True), (308, True), (302, False), (307, False)]
)
async def test_redirects_permanent_or_not(server: TestServer, status: int, permanent: bool) -> None:
    server.route("/old", lambda r: Reply(status, {"Location": "/new"}))
    server.route("/new", lambda r: Reply(200, body=RSS))
    f = fetcher_for(server)
    r = await f.fetch(server.url("/old"))
    assert r.ok and r.final_url == server.url("/new")
    assert r.permanent_redirect == (server.url("/new") if permanent else None)
    await f.aclose()


async def test_redirect_loop_and_long_chain(server: TestServer) -> None:
    server.route("/a", lambda r: Reply(302, {"Location": "/b"}))
    server.route("/b", lambda r: Reply(302, {"Location": "/a"}))
    for i in range(10):
        server.route(f"/c{i}", lambda r, i=i: Reply(301, {"Location": f"/c{i + 1}"}))
    f = fetcher_for(server, max_redirects=5)
    loop = await f.fetch(server.url("/a"))
    assert loop.error is not None and loop.error.kind is FetchErrorKind.REDIRECT_LOOP
    chain = await f.fetch(server.url("/c0"))
    assert chain.error is not None and chain.error.kind is FetchErrorKind.TOO_MANY_REDIRECTS
    await f.aclose()


@pytest.mark.parametrize("status", [404, 410, 429, 500, 503])
async def test_error_statuses(server: TestServer, status: int) -> None:
    server.route("/x", lambda r: Reply(status, {"Retry-After": "120"}, b"nope"))
    f = fetcher_for(server)
    r = await f.fetch(server.url("/x"))
    assert r.status == status and r.error is not None and r.error.kind is FetchErrorKind.HTTP
    assert str(status) in str(r.error)
    assert r.retry_after(r.fetched_at) == 120  # type: ignore[arg-type]
    await f.aclose()


async def test_read_timeout(server: TestServer) -> None:
    server.route("/slow", lambda r: Reply(200, body=RSS, delay=1.5))
    f = fetcher_for(server, read_timeout=0.3)
    r = await f.fetch(server.url("/slow"))
    assert r.error is not None and r.error.kind is FetchErrorKind.TIMEOUT
    await f.aclose()


async def test_slow_drip_is_stopped_by_the_total_deadline(server: TestServer) -> None:
    server.route("/drip", lambda r: Reply(200, body=drip(b"<", 0.1, count=100)))
    f = fetcher_for(server, read_timeout=0.5, deadline=1.0)
    r = await f.fetch(server.url("/drip"))
    assert r.error is not None and r.error.kind is FetchErrorKind.DEADLINE
    assert "deadline" in str(r.error)
    await f.aclose()


async def test_oversize_gzip_bomb_and_endless_body(server: TestServer) -> None:
    big = b"x" * 200_000
    bomb = gzip.compress(b"\0" * 20_000_000)  # ~20 KB on the wire, 20 MB inflated
    server.route("/big", lambda r: Reply(200, body=big))
    server.route("/bomb", lambda r: Reply(200, {"Content-Encoding": "gzip"}, bomb))
    server.route("/endless", lambda r: Reply(200, body=drip(b"y" * 65536, 0.0)))
    f = fetcher_for(server, max_body_bytes=100_000, deadline=5.0)
    for path in ("/big", "/bomb", "/endless"):
        r = await f.fetch(server.url(path))
        assert r.error is not None and r.error.kind is FetchErrorKind.TOO_LARGE, path
        assert r.body is None
    await f.aclose()


async def test_gzip_and_brotli_bodies_are_decoded(server: TestServer) -> None:
    import brotli

    server.route("/gz", lambda r: Reply(200, {"Content-Encoding": "gzip"}, gzip.compress(RSS)))
    server.route("/br", lambda r: Reply(200, {"Content-Encoding": "br"}, brotli.compress(RSS)))
    f = fetcher_for(server)
    assert (await f.fetch(server.url("/gz"))).body == RSS
    assert (await f.fetch(server.url("/br"))).body == RSS
    assert "br" in server.requests[-1].headers["accept-encoding"]
    await f.aclose()


async def test_redirect_to_another_loopback_address_is_refused(server: TestServer) -> None:
    other = f"http://127.0.0.2:{server.port}/feed"
    server.route("/jump", lambda r: Reply(302, {"Location": other}))
    server.route("/feed", lambda r: Reply(200, body=RSS))
    f = fetcher_for(server)
    r = await f.fetch(server.url("/jump"))
    assert r.error is not None and r.error.kind is FetchErrorKind.BLOCKED
    assert "127.0.0.2" in str(r.error) and "allow_private" in str(r.error)
    assert [q.path for q in server.requests] == ["/jump"]  # the target was never contacted
    await f.aclose()


@pytest.mark.parametrize(
    ("target", "table"),
    [
        ("http://10.0.0.5/feed", {}),
        ("http://192.168.1.1/feed", {}),
        ("http://169.254.169.254/latest/meta-data/", {}),
        ("http://[::1]/feed", {}),
        ("http://[::ffff:10.0.0.1]/feed", {}),
        ("http://metadata.google.internal/computeMetadata/v1/", {}),
        ("http://internal.example/feed", {"internal.example": ["10.1.2.3"]}),
        ("http://rebind.example/feed", {"rebind.example": ["93.184.216.34", "127.0.0.1"]}),
        ("http://meta.example/feed", {"meta.example": ["169.254.169.254"]}),
    ],
)
async def test_redirect_chains_to_private_addresses_are_refused_before_connecting(
    server: TestServer, target: str, table: dict[str, list[str]]
) -> None:
    server.route("/start", lambda r: Reply(301, {"Location": "/hop"}))
    server.route("/hop", lambda r: Reply(302, {"Location": target}))
    resolver = FakeResolver(table)
    f = Fetcher(FetchSettings(allow_private=[server.allow_entry]), resolver=resolver)
    r = await f.fetch(server.url("/start"))
    assert r.error is not None and r.error.kind is FetchErrorKind.BLOCKED, r.error
    assert [q.path for q in server.requests] == ["/start", "/hop"]
    await f.aclose()


async def test_default_policy_refuses_loopback_without_allow_list(server: TestServer) -> None:
    server.route("/feed", lambda r: Reply(200, body=RSS))
    f = Fetcher(FetchSettings())
    r = await f.fetch(server.url("/feed"))
    assert r.error is not None and r.error.kind is FetchErrorKind.BLOCKED
    assert server.requests == []
    await f.aclose()


async def test_local_files_only_when_allowed(tmp_path: Path) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(RSS)
    off = Fetcher(FetchSettings())
    r = await off.fetch(feed.as_uri())
    assert r.error is not None and r.error.kind is FetchErrorKind.LOCAL_FILES_OFF
    assert "allow_local_files" in str(r.error)
    on = Fetcher(FetchSettings(max_body_bytes=100), allow_local_files=True)
    small = tmp_path / "small.xml"
    small.write_bytes(b"<rss/>")
    assert (await on.fetch(small.as_uri())).body == b"<rss/>"
    assert (await on.fetch(feed.as_uri())).error.kind is FetchErrorKind.TOO_LARGE  # type: ignore[union-attr]
    await off.aclose()
    await on.aclose()


async def test_unsupported_scheme_in_a_redirect(server: TestServer) -> None:
    server.route("/ftp", lambda r: Reply(302, {"Location": "ftp://example.org/feed"}))
    f = fetcher_for(server)
    r = await f.fetch(server.url("/ftp"))
    assert r.error is not None and r.error.kind is FetchErrorKind.BAD_URL
    await f.aclose()


def test_allow_list_entries() -> None:
    p = AddressPolicy.from_allow_list(["127.0.0.1:8080", "10.0.0.0/8", "intranet.local"])
    p.check_ip("x", "127.0.0.1", 8080)
    p.check_ip("x", "10.9.8.7", 443)
    p.check_ip("intranet.local", "192.168.0.5", 80)
    with pytest.raises(Exception, match="allow_private"):
        p.check_ip("x", "127.0.0.1", 8081)


# --- basic auth -------------------------------------------------------------------------------

BOB = "Basic " + base64.b64encode(b"bob:s3cret").decode()


def needs_bob(req: Request) -> Reply:
    if req.headers.get("authorization") != BOB:
        return Reply(401, {"WWW-Authenticate": 'Basic realm="feeds"'})
    return Reply(200, body=RSS)


@pytest.mark.parametrize("how", ["auth", "user info"])
async def test_a_feed_behind_basic_auth_is_fetched_with_the_header(
    server: TestServer, how: str
) -> None:
    server.route("/private", needs_bob)
    f = fetcher_for(server)
    plain = await f.fetch(server.url("/private"))
    assert plain.status == 401 and plain.error is not None
    if how == "auth":
        r = await f.fetch(server.url("/private"), auth=FeedAuth(username="bob", password="s3cret"))
    else:
        r = await f.fetch(f"http://bob:s3cret@{server.allow_entry}/private")
    assert r.ok and r.body == RSS
    assert "@" not in r.url and "@" not in r.final_url  # user info is never part of the URL
    await f.aclose()


async def test_the_header_follows_a_redirect_on_the_same_origin(server: TestServer) -> None:
    server.route("/old", lambda r: Reply(301, {"Location": "/private"}))
    server.route("/private", needs_bob)
    f = fetcher_for(server)
    r = await f.fetch(server.url("/old"), auth=FeedAuth(username="bob", password="s3cret"))
    assert r.ok and r.permanent_redirect == server.url("/private")
    assert [q.headers.get("authorization") for q in server.requests] == [BOB, BOB]
    await f.aclose()


async def test_the_header_is_not_sent_after_a_redirect_to_another_origin(
    server: TestServer,
) -> None:
    with TestServer() as elsewhere:  # another port on loopback: another origin
        elsewhere.route("/feed", lambda r: Reply(200, body=RSS))
        elsewhere.route("/back", lambda r: Reply(302, {"Location": server.url("/private")}))
        server.route("/jump", lambda r: Reply(302, {"Location": elsewhere.url("/feed")}))
        server.route("/round-trip", lambda r: Reply(302, {"Location": elsewhere.url("/back")}))
        server.route("/private", needs_bob)
        f = Fetcher(
            FetchSettings(allow_private=[server.allow_entry, elsewhere.allow_entry]),
        )
        bob = FeedAuth(username="bob", password="s3cret")
        r = await f.fetch(server.url("/jump"), auth=bob)
        assert r.ok and r.final_url == elsewhere.url("/feed")
        assert server.requests[-1].headers.get("authorization") == BOB
        assert "authorization" not in elsewhere.requests[-1].headers
        # once the chain has left the origin, coming back does not bring the credentials back
        r = await f.fetch(server.url("/round-trip"), auth=bob)
        assert r.status == 401
        assert "authorization" not in elsewhere.requests[-1].headers
        assert "authorization" not in server.requests[-1].headers
        await f.aclose()


async def test_user_info_in_a_redirect_location_is_neither_sent_nor_kept(
    server: TestServer,
) -> None:
    server.route(
        "/old", lambda r: Reply(301, {"Location": server.url("/feed").replace("//", "//eve:x@")})
    )
    server.route("/feed", lambda r: Reply(200, body=RSS))
    f = fetcher_for(server)
    r = await f.fetch(server.url("/old"))
    assert r.ok and r.permanent_redirect == server.url("/feed")
    assert "authorization" not in server.requests[-1].headers
    await f.aclose()


async def test_fetch_errors_quote_urls_redacted(server: TestServer) -> None:
    server.route("/private", needs_bob)
    f = fetcher_for(server)
    r = await f.fetch(f"http://bob:wrong@{server.allow_entry}/private?token=T0K")
    assert r.error is not None and r.status == 401
    assert "wrong" not in str(r.error) and "T0K" not in str(r.error)
    assert "/private?token=***" in str(r.error)
    await f.aclose()
