"""Parse one file under a memory cap and report time and items (run in a subprocess).

Usage: python hostile_parse_probe.py FILE MEMORY_MB
The address-space limit is set to what the interpreter already uses plus
MEMORY_MB, so the cap measures the parse, not Python itself. Any attempt to open
a network connection or a file other than FILE (or a module of Python's own, such
as a codec imported on first use) raises, via an audit hook.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import sysconfig
import time
from datetime import UTC, datetime
from pathlib import Path

from ingest.parse import parse_feed
from wirewatch.core.models import Feed


def main() -> None:
    path, memory_mb = Path(sys.argv[1]), int(sys.argv[2])
    data = path.read_bytes()
    feed = Feed(id="f", url="https://hostile.example/feed", added_at=datetime.now(UTC))
    parse_feed(
        b"<rss version='2.0'><channel><title>warm</title></channel></rss>",
        feed=feed,
        fetched_at=datetime.now(UTC),
    )  # imports done before the cap

    python_libs = tuple(
        {sysconfig.get_path(k) + os.sep for k in ("stdlib", "platstdlib", "purelib", "platlib")}
    )

    def audit(event: str, args: tuple[object, ...]) -> None:
        if event in {"socket.connect", "socket.getaddrinfo", "urllib.Request"}:
            raise RuntimeError(f"network access attempted: {event} {args!r}")
        opened = str(args[0]) if event == "open" and args else str(path)
        if opened != str(path) and not opened.startswith(python_libs):  # e.g. a codec module
            raise RuntimeError(f"file access attempted: {opened!r}")

    with open("/proc/self/statm") as fh:
        vm_pages = int(fh.read().split()[0])
    used = vm_pages * resource.getpagesize()
    cap = used + memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    sys.addaudithook(audit)
    start = time.process_time()
    parsed = parse_feed(data, feed=feed, fetched_at=datetime.now(UTC))
    elapsed = time.process_time() - start
    longest = max((len(a.title) + len(a.text) + len(a.summary) for a in parsed.articles), default=0)
    print(
        json.dumps(
            {
                "seconds": elapsed,
                "articles": len(parsed.articles),
                "longest_text": longest,
                "bozo": parsed.bozo_reason,
            }
        )
    )


if __name__ == "__main__":
    main()
