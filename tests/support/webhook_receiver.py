"""A real webhook receiver on 127.0.0.1 that records requests and checks signatures."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sinks.webhook import IDEMPOTENCY_HEADER, verify_signature


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    signature_ok: bool

    @property
    def idempotency_key(self) -> str:
        return self.headers.get(IDEMPOTENCY_HEADER.lower(), "")

    @property
    def json(self) -> Any:
        return json.loads(self.body)


class WebhookReceiver:
    """`with WebhookReceiver(secret) as r:` — `r.url`, `r.requests`; `r.status` sets the reply.

    `r.extra_headers` are added to replies (e.g. Retry-After); `r.aborted` counts requests
    whose body was cut short (not recorded: they were never delivered). With `r.hold_replies()`
    the receiver records a request and then answers only once the test calls
    `r.release()` (or exits), which is how a timeout is produced without sleeping.
    `r.reply_delay` (seconds) slows every reply, as a distant receiver would, so that a
    crash test can catch the sender in the middle of its deliveries.
    """

    def __init__(self, secret: str, status: int = 200) -> None:
        self.secret = secret
        self.status = status
        self.requests: list[Received] = []
        self.extra_headers: dict[str, str] = {}
        self.aborted = 0
        self.reply_delay = 0.0
        self._released = threading.Event()
        self._released.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:
                    # The sender died mid-request (the crash tests SIGKILL it): nothing
                    # was delivered, as for any real receiver reading a truncated body.
                    receiver.aborted += 1
                    self.close_connection = True
                    return
                headers = {k.lower(): v for k, v in self.headers.items()}
                ok = verify_signature(receiver.secret, body, headers)
                receiver.requests.append(Received(self.path, headers, body, ok))
                receiver._released.wait(timeout=30)
                time.sleep(receiver.reply_delay)
                try:
                    self.send_response(receiver.status)
                    for k, v in receiver.extra_headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the sender gave up waiting (a timeout test)
                    self.close_connection = True

            def log_message(self, *args: object) -> None:
                return

        class Server(ThreadingHTTPServer):
            # The notifier opens up to notify.concurrency (16) connections at once; the
            # default listen backlog of 5 refused some, which the runtime rightly retries
            # later, but a `run --once` then ends with them still pending.
            request_queue_size = 128

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}/hook"
        # A short poll interval keeps shutdown (once per test) quick.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def hold_replies(self) -> None:
        self._released.clear()

    def release(self) -> None:
        self._released.set()

    def __enter__(self) -> WebhookReceiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()
        self._server.shutdown()
        self._server.server_close()
