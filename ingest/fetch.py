"""Fetching feeds and pages politely and safely.

One `Fetcher` per process holds an httpx client, a global and a per-host
concurrency limit, and the SSRF policy. Each fetch follows redirects itself so
every hop is vetted (scheme, address) before it is contacted, streams the body
and stops at `max_body_bytes` after decompression (a gzip bomb or an endless body
is an error, not a memory spike), and runs under a total deadline that a slow
drip cannot stretch. `file://` URLs are read only when local files are allowed.

Basic-auth credentials (a feed's `FeedAuth`, or user info in the URL, which is
split off and never sent as part of it) become an `Authorization` header on the
hops that stay on the URL's origin; once a redirect leaves it, no later hop gets
them. Error messages quote URLs redacted, so they can be stored and shown as is.
"""

from __future__ import annotations

import asyncio
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

import httpx

from ingest.ssrf import AddressPolicy, BlockedAddress, Resolver, SystemResolver
from wirewatch.core.clock import Clock, SystemClock
from wirewatch.core.credentials import (
    basic_auth_header,
    may_forward_credentials,
    split_credentials,
)
from wirewatch.core.models import FeedAuth
from wirewatch.core.redact import redact_text
from wirewatch.core.retry_after import parse_retry_after
from wirewatch.core.settings import FetchSettings

FEED_ACCEPT = (
    "application/rss+xml, application/atom+xml, application/feed+json, "
    "application/json;q=0.9, application/rdf+xml, application/xml;q=0.9, "
    "text/xml;q=0.9, */*;q=0.8"
)
PAGE_ACCEPT = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5"
_PERMANENT = {301, 308}
_REDIRECT = {301, 302, 303, 307, 308}


class FetchErrorKind(StrEnum):
    BAD_URL = "bad_url"
    LOCAL_FILES_OFF = "local_files_off"
    BLOCKED = "blocked_address"
    DNS = "dns"
    CONNECT = "connect"
    TLS = "tls"
    TIMEOUT = "timeout"
    DEADLINE = "deadline"
    TOO_LARGE = "too_large"
    REDIRECT_LOOP = "redirect_loop"
    TOO_MANY_REDIRECTS = "too_many_redirects"
    HTTP = "http_status"
    PROTOCOL = "protocol"
    FILE = "file"


@dataclass(frozen=True)
class FetchError:
    kind: FetchErrorKind
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass
class FetchResult:
    url: str
    final_url: str
    status: int | None = None
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None
    permanent_redirect: str | None = None
    error: FetchError | None = None
    fetched_at: datetime | None = None

    @property
    def not_modified(self) -> bool:
        return self.status == 304

    @property
    def ok(self) -> bool:
        return self.error is None and self.status is not None and 200 <= self.status < 300

    @property
    def content_type(self) -> str | None:
        return self.headers.get("content-type")

    def retry_after(self, now: datetime) -> float | None:
        """Seconds the server asked us to wait (Retry-After: seconds or an HTTP date)."""
        return parse_retry_after(self.headers.get("retry-after"), now)

    def max_age(self) -> float | None:
        cc = self.headers.get("cache-control", "")
        for part in cc.split(","):
            name, _, value = part.strip().partition("=")
            if name.lower() == "max-age" and value.strip().isdigit():
                return float(value.strip())
        return None


class _Fail(Exception):
    def __init__(self, kind: FetchErrorKind, message: str) -> None:
        super().__init__(message)
        self.error = FetchError(kind, redact_text(message))


class Fetcher:
    """`deadline_setting` names the setting that `settings.deadline` came from, for the
    error message: webhook deliveries run under `notify.timeout`, not `fetch.deadline`."""

    def __init__(
        self,
        settings: FetchSettings,
        *,
        policy: AddressPolicy | None = None,
        resolver: Resolver | None = None,
        allow_local_files: bool = False,
        clock: Clock | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        deadline_setting: str = "fetch.deadline",
    ) -> None:
        self.settings = settings
        self.deadline_setting = deadline_setting
        self.policy = policy or AddressPolicy.from_allow_list(settings.allow_private)
        self.resolver = resolver or SystemResolver()
        self.allow_local_files = allow_local_files
        self.clock = clock or SystemClock()
        self._global = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            limits=httpx.Limits(
                max_connections=settings.concurrency * 2,
                max_keepalive_connections=settings.concurrency,
            ),
            transport=transport,
            trust_env=False,
        )

    async def aclose(self) -> None:
        await self._client.aclose()

    async def fetch(
        self,
        url: str,
        *,
        etag: str | None = None,
        last_modified: str | None = None,
        accept: str = FEED_ACCEPT,
        method: str = "GET",
        content: bytes | None = None,
        extra_headers: Mapping[str, str] | None = None,
        auth: FeedAuth | None = None,
    ) -> FetchResult:
        """Fetch `url`; never raises for a network or server problem (see `.error`).

        `auth` (else user info in `url`) is sent as basic auth to `url`'s origin only.
        """
        url, url_auth = split_credentials(url)
        auth = auth or url_auth
        result = FetchResult(url=url, final_url=url, fetched_at=self.clock.now())
        try:
            if urlsplit(url).scheme.lower() == "file":
                result.body = await self._read_file(url)
                result.status = 200
                return result
            async with asyncio.timeout(self.settings.deadline):
                await self._follow(
                    result, etag, last_modified, accept, method, content, extra_headers or {}, auth
                )
        except _Fail as f:
            result.error = f.error
        except TimeoutError:
            result.error = FetchError(
                FetchErrorKind.DEADLINE,
                f"gave up after the total deadline of {self.settings.deadline:g}s "
                f"({self.deadline_setting})",
            )
        return result

    # --- local files ------------------------------------------------------------------------

    async def _read_file(self, url: str) -> bytes:
        if not self.allow_local_files:
            raise _Fail(
                FetchErrorKind.LOCAL_FILES_OFF,
                f"{url}: local files are not allowed (set allow_local_files: true)",
            )
        path = Path(unquote(urlsplit(url).path))
        limit = self.settings.max_body_bytes

        def read() -> bytes:
            with path.open("rb") as fh:
                data = fh.read(limit + 1)
            if len(data) > limit:
                raise _Fail(
                    FetchErrorKind.TOO_LARGE,
                    f"{path} is larger than fetch.max_body_bytes ({limit} bytes)",
                )
            return data

        try:
            return await asyncio.to_thread(read)
        except OSError as e:
            raise _Fail(FetchErrorKind.FILE, f"cannot read {path}: {e.strerror}") from None

    # --- HTTP ---------------------------------------------------------------------------------

    def _host_limit(self, host: str) -> asyncio.Semaphore:
        sem = self._hosts.get(host)
        if sem is None:
            sem = self._hosts[host] = asyncio.Semaphore(self.settings.per_host_concurrency)
        return sem

    async def _follow(
        self,
        result: FetchResult,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        method: str,
        content: bytes | None,
        extra: Mapping[str, str],
        auth: FeedAuth | None,
    ) -> None:
        url = result.url
        visited: set[str] = set()
        all_permanent = True
        for hop in range(self.settings.max_redirects + 1):
            if url in visited:
                raise _Fail(FetchErrorKind.REDIRECT_LOOP, f"redirect loop at {url}")
            visited.add(url)
            if auth is not None and not may_forward_credentials(result.url, url):
                auth = None  # left the origin: neither this hop nor any later one gets them
            hop_extra = {**extra, "Authorization": basic_auth_header(auth)} if auth else extra
            status, headers, body = await self._one_hop(
                url, etag, last_modified, accept, method, content, hop_extra
            )
            result.status, result.headers, result.final_url = status, headers, url
            if status in _REDIRECT and "location" in headers:
                all_permanent = all_permanent and status in _PERMANENT
                # user info in a Location is never sent nor kept (it would become the feed URL)
                url, _ = split_credentials(urljoin(url, headers["location"].strip()))
                if status == 303:
                    method, content = "GET", None
                continue
            if hop and all_permanent:
                result.permanent_redirect = url
            if status == 304:
                return
            if status >= 400:
                raise _Fail(FetchErrorKind.HTTP, f"HTTP {status} from {url}")
            result.body = body
            return
        raise _Fail(
            FetchErrorKind.TOO_MANY_REDIRECTS,
            f"more than {self.settings.max_redirects} redirects (fetch.max_redirects)",
        )

    async def _one_hop(
        self,
        url: str,
        etag: str | None,
        last_modified: str | None,
        accept: str,
        method: str,
        content: bytes | None,
        extra: Mapping[str, str],
    ) -> tuple[int, dict[str, str], bytes]:
        try:
            parts = urlsplit(url)
            port = parts.port or (443 if parts.scheme.lower() == "https" else 80)
        except ValueError as e:
            raise _Fail(FetchErrorKind.BAD_URL, f"bad URL {url!r}: {e}") from None
        scheme = parts.scheme.lower()
        if scheme not in {"http", "https"} or not parts.hostname:
            raise _Fail(
                FetchErrorKind.BAD_URL,
                f"cannot fetch {url!r}: only http(s) URLs (and allowed file://)",
            )
        host = parts.hostname
        try:
            ip = await self.policy.vet(host, port, self.resolver)
        except BlockedAddress as e:
            raise _Fail(FetchErrorKind.BLOCKED, str(e)) from None
        except OSError as e:
            raise _Fail(FetchErrorKind.DNS, f"cannot resolve {host}: {e}") from None
        # Connect to the vetted address; keep the name for Host and TLS (SNI, certificate).
        netloc = f"[{ip}]" if ":" in ip else ip
        target = urlunsplit((scheme, f"{netloc}:{port}", parts.path or "/", parts.query, ""))
        headers = {
            "User-Agent": self.settings.user_agent,
            "Accept": accept,
            "Accept-Encoding": "gzip, deflate, br",
            "Host": parts.netloc.rpartition("@")[2],
            **extra,
        }
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        async with self._global, self._host_limit(host.lower()):
            try:
                request = self._client.build_request(
                    method,
                    target,
                    headers=headers,
                    content=content,
                    extensions={"sni_hostname": host},
                )
                response = await self._client.send(request, stream=True)
                try:
                    body = await self._read_body(response, url)
                finally:
                    await response.aclose()
            except httpx.TimeoutException:
                raise _Fail(
                    FetchErrorKind.TIMEOUT,
                    f"timed out talking to {host} (fetch.connect_timeout / fetch.read_timeout)",
                ) from None
            except httpx.ConnectError as e:
                cause = e.__context__ or e.__cause__
                kind = (
                    FetchErrorKind.TLS
                    if isinstance(cause, ssl.SSLError)
                    else FetchErrorKind.CONNECT
                )
                raise _Fail(kind, f"cannot connect to {host}: {e}") from None
            except httpx.DecodingError as e:
                raise _Fail(
                    FetchErrorKind.PROTOCOL, f"bad compressed body from {host}: {e}"
                ) from None
            except httpx.HTTPError as e:
                raise _Fail(FetchErrorKind.PROTOCOL, f"HTTP error from {host}: {e}") from None
        return response.status_code, {k.lower(): v for k, v in response.headers.items()}, body

    async def _read_body(self, response: httpx.Response, url: str) -> bytes:
        if response.status_code in _REDIRECT or response.status_code == 304:
            return b""
        limit = self.settings.max_body_bytes
        declared = response.headers.get("content-length", "")
        if (
            declared.isdigit()
            and "content-encoding" not in response.headers
            and int(declared) > limit
        ):
            raise _Fail(
                FetchErrorKind.TOO_LARGE,
                f"{url} is {declared} bytes, over fetch.max_body_bytes ({limit})",
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > limit:
                raise _Fail(
                    FetchErrorKind.TOO_LARGE,
                    f"{url} sent more than fetch.max_body_bytes ({limit} bytes, after "
                    "decompression)",
                )
            chunks.append(chunk)
        return b"".join(chunks)
