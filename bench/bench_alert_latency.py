"""Alert latency in the embedded runtime: article matched → webhook request received.

What a user sees, measured through the CLI: a local feed server on loopback serves
`--articles` documents of the shared alert workload in one RSS feed; the data directory
holds the workload's `--rules` rules (written through the rule store, as `alerts add`
would, since 10,000 CLI calls would take longer than the bench) and one rule added with
`wirewatch alerts add ... --webhook`, which every article matches (a marker word in each
body); `wirewatch run` runs as a subprocess; a local receiver notes when each
webhook request arrives. Latency is that moment minus the hit's `matched_at` (in the
body), so polling, parsing and enrichment are left out and matching, the hit log and
delivery are in. All articles arrive in one poll: a burst, the hard case for delivery.
`run` (not `--once`, which sends what it found only at its end) is stopped with SIGTERM
once every article's request arrived.

    PYTHONPATH=. .venv/bin/python bench/bench_alert_latency.py [--rules 10000] [--articles 1000]
"""

from __future__ import annotations

import argparse
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.alert_workload import generate, load_rules, store_rules

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
MARKER = "wwlatencymarker"  # in every article, in no workload rule


class Loopback:
    """A threaded HTTP server on 127.0.0.1: GET serves the feed, POST records arrival times.

    With a `rate`, the feed grows by that many items per second from its first fetch
    (a steady trickle); without, every item is there at once (a burst).
    """

    def __init__(self, items: list[str], rate: float) -> None:
        self.received: dict[str, tuple[datetime, bytes]] = {}  # first arrival per alert id
        self._start: float | None = None
        owner = self

        def feed() -> bytes:
            owner._start = owner._start or time.monotonic()
            shown = int((time.monotonic() - owner._start) * rate) if rate else len(items)
            return rss(items[: max(shown, 1)])

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                body = feed()
                self.send_response(200)
                self.send_header("Content-Type", "application/rss+xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                key = self.headers.get("Idempotency-Key", "")
                owner.received.setdefault(key, (datetime.now(UTC), body))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: object) -> None:
                return

        class Server(ThreadingHTTPServer):
            request_queue_size = 128  # the notifier opens up to 16 connections at once

        self._server = Server(("127.0.0.1", 0), Handler)
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def items(docs: Path, count: int) -> list[str]:
    """The first `count` workload documents as RSS items, the marker in each body."""
    now = format_datetime(datetime.now(UTC), usegmt=True)
    out = []
    with docs.open(encoding="utf-8") as f:
        for line, _ in zip(f, range(count), strict=False):
            d = json.loads(line)
            out.append(
                f"<item><title>{escape(d['title'])}</title>"
                f"<link>https://bench.example/{d['id']}</link><guid>{d['id']}</guid>"
                f"<pubDate>{now}</pubDate>"
                f"<description>{escape(d['body'])} {MARKER}</description></item>"
            )
    return out


def rss(shown: list[str]) -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        "<title>Latency bench</title><link>https://bench.example/</link>"
        f"<description>bench</description>{''.join(shown)}</channel></rss>"
    ).encode()


def cli(config: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "wirewatch", *args, "--config", str(config)]


def run_until(config: Path, server: Loopback, expected: int, timeout: float) -> None:
    """`wirewatch run` until `expected` requests arrived (or `timeout`), then SIGTERM it."""
    proc = subprocess.Popen(cli(config, "run", "--quiet"), stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + timeout
    try:
        while len(server.received) < expected and time.monotonic() < deadline:
            if proc.poll() is not None:
                sys.exit(f"wirewatch run exited early with status {proc.returncode}")
            time.sleep(0.2)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rules", type=int, default=10_000)
    p.add_argument("--articles", type=int, default=1000)
    p.add_argument("--rate", type=float, default=0, help="articles/s (default: one burst)")
    p.add_argument("--timeout", type=float, default=600, help="seconds to wait for deliveries")
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        docs, rules_file = generate(work, CORPORA, docs=5000, rules=args.rules)
        server = Loopback(items(docs, args.articles), args.rate)
        config = work / "wirewatch.yaml"
        config.write_text(
            f"data_dir: data\nfetch:\n  allow_private: ['127.0.0.1:{server.port}']\n"
            "enrich:\n  ner_languages: []\n  ner_processes: 1\n"
            "schedule:\n  min_interval: 1\n  default_interval: 1\n  max_interval: 1\n",
            encoding="utf-8",
        )
        store_rules(work / "data", load_rules(rules_file))
        url = f"http://127.0.0.1:{server.port}"
        for cmd in (
            cli(config, "feeds", "add", f"{url}/feed.xml", "--title", "Latency bench"),
            cli(config, "alerts", "add", "every article", MARKER, "--webhook", f"{url}/hook"),
        ):
            subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        run_until(config, server, args.articles, args.timeout)
        server.close()
    lat = sorted(
        (at - datetime.fromisoformat(json.loads(body)["alert"]["matched_at"])).total_seconds()
        for at, body in server.received.values()
    )
    if not lat:
        sys.exit("no webhook request arrived: see `wirewatch status` of a run like this one")
    q = statistics.quantiles(lat, n=100, method="inclusive")
    print(
        f"{args.rules:,} rules · {len(lat)} of {args.articles} articles delivered "
        f"({f'{args.rate:g}/s' if args.rate else 'in one burst'}) · "
        f"matched → received: p50 {q[49] * 1000:.0f} ms, p95 {q[94] * 1000:.0f} ms, "
        f"max {lat[-1] * 1000:.0f} ms"
    )


if __name__ == "__main__":
    main()
