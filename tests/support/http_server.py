"""A scriptable HTTP server on 127.0.0.1 for fetch and poll tests.

Routes map a path to a function of the request returning a `Reply`; the body may
be bytes or an iterator of chunks (with optional delays) for slow drips and
endless bodies. Requests are recorded so tests can assert the conditional GET
headers that were sent.
"""

from __future__ import annotations

import gzip
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes = b""


@dataclass
class Reply:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | Iterable[bytes] = b""
    delay: float = 0.0  # before the status line


Route = Callable[[Request], Reply]


def gzipped(data: bytes) -> bytes:
    return gzip.compress(data)


def drip(chunk: bytes, every: float, count: int | None = None) -> Iterator[bytes]:
    """`count` chunks (None: forever), one every `every` seconds."""
    n = 0
    while count is None or n < count:
        yield chunk
        time.sleep(every)
        n += 1


class TestServer:
    """`with TestServer() as s: s.route("/feed", lambda r: Reply(body=...)); s.url("/feed")`."""

    __test__ = False  # not a pytest class

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        self.routes: dict[str, Route] = {}
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _serve(self) -> None:
                path = self.path.split("?", 1)[0]
                length = int(self.headers.get("Content-Length", "0") or 0)
                req = Request(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    self.rfile.read(length) if length else b"",
                )
                server.requests.append(req)
                route = server.routes.get(path)
                reply = route(req) if route else Reply(404, body=b"not found")
                if reply.delay:
                    time.sleep(reply.delay)
                self.send_response(reply.status)
                for k, v in reply.headers.items():
                    self.send_header(k, v)
                if isinstance(reply.body, bytes):
                    if "content-length" not in {k.lower() for k in reply.headers}:
                        self.send_header("Content-Length", str(len(reply.body)))
                    self.end_headers()
                    if self.command != "HEAD":
                        self.wfile.write(reply.body)
                    return
                self.send_header("Connection", "close")
                self.end_headers()
                try:
                    for chunk in reply.body:
                        self.wfile.write(chunk)
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    return
                self.close_connection = True

            do_GET = _serve
            do_POST = _serve

            def log_message(self, *args: object) -> None:
                return

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.host = host
        self.port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def route(self, path: str, fn: Route) -> None:
        self.routes[path] = fn

    def url(self, path: str) -> str:
        return f"http://{self.host}:{self.port}{path}"

    @property
    def allow_entry(self) -> str:
        return f"{self.host}:{self.port}"

    def __enter__(self) -> TestServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
