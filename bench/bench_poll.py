"""Polling throughput: Wirewatch's poller vs a sequential httpx + feedparser loop.

A local server (a separate process) serves the 150 real feeds of the corpus behind
N URLs; every response is delayed 100–300 ms, as real servers are; each round 10 %
of the feeds change (new ETag and body) and the rest answer 304 to a conditional
GET. Every feed is due every round (the benchmark calls the poll step directly,
bypassing the schedule's intervals). Reported: polls per hour, CPU seconds per
poll (poller process and its parser workers), and the ratio against the
sequential loop run side by side on a sample of the same URLs.

    .venv/bin/python bench/bench_poll.py --feeds 1000 --rounds 3
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import random
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

CORPUS = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "corpora"
    / "feeds"
    / "fastfeedparser"
    / "benchmark_data"
)


# --- the server (own process, so its CPU is not counted) -------------------------------------


def serve(port: int, n_feeds: int, ready: multiprocessing.Event) -> None:  # type: ignore[valid-type]
    from aiohttp import web

    files = sorted(p for p in CORPUS.iterdir() if "." not in p.name)
    bodies = [p.read_bytes() for p in files]
    version = [0] * n_feeds
    rng = random.Random(42)

    async def feed(request: web.Request) -> web.Response:
        i = int(request.match_info["i"])
        await asyncio.sleep(rng.uniform(0.1, 0.3))
        etag = f'"{i}-{version[i]}"'
        if request.headers.get("If-None-Match") == etag:
            return web.Response(status=304, headers={"ETag": etag})
        body = bodies[i % len(bodies)]
        if version[i]:  # a changed feed: same items plus a new one at the top
            marker = f"<!-- v{version[i]} -->".encode()
            body = body.replace(b"?>", b"?>" + marker, 1)
        return web.Response(body=body, headers={"ETag": etag, "Content-Type": "application/xml"})

    async def bump(request: web.Request) -> web.Response:
        """Start a round: 10 % of the feeds change."""
        for i in rng.sample(range(n_feeds), max(1, n_feeds // 10)):
            version[i] += 1
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/feed/{i}", feed)
    app.router.add_post("/round", bump)

    async def main() -> None:
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", port, backlog=4096).start()
        ready.set()
        await asyncio.Event().wait()

    asyncio.run(main())


# --- CPU accounting ---------------------------------------------------------------------------


def cpu_seconds(pids: Sequence[int]) -> float:
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
        except (OSError, IndexError):
            continue
    return total


# --- Wirewatch ---------------------------------------------------------------------------------


class Seen:
    def __init__(self) -> None:
        self.hashes: dict[str, str] = {}

    def content_hashes(self, ids: Sequence[str]) -> Mapping[str, str]:
        return {i: self.hashes[i] for i in ids if i in self.hashes}


async def wirewatch_rounds(base: str, n: int, rounds: int, concurrency: int) -> list[dict]:
    import httpx

    from ingest.fetch import Fetcher
    from ingest.parse_guard import GuardedParser
    from ingest.poll import poll_feed
    from wirewatch.core.clock import SystemClock
    from wirewatch.core.models import Feed, FeedState
    from wirewatch.core.settings import FetchSettings, ScheduleSettings

    host = base.split("//")[1]
    settings = FetchSettings(
        allow_private=[host], concurrency=concurrency, per_host_concurrency=concurrency
    )
    fetcher = Fetcher(settings, clock=SystemClock())
    parser = GuardedParser(memory_mb=256, deadline=10.0, workers=2)
    seen = Seen()
    feeds = [Feed(id=f"f{i}", url=f"{base}/feed/{i}", added_at=datetime.now(UTC)) for i in range(n)]
    states = {f.id: FeedState(feed_id=f.id) for f in feeds}
    await parser(b"<rss version='2.0'/>", feed=feeds[0], fetched_at=datetime.now(UTC))
    pool = parser._pool
    worker_pids = list(pool._processes) if pool is not None else []
    results = []
    async with httpx.AsyncClient() as control:
        for r in range(rounds):
            if r:
                await control.post(f"{base}/round")
            cpu0, t0 = cpu_seconds(worker_pids), time.perf_counter()

            async def one(feed: Feed) -> int:
                out = await poll_feed(
                    feed,
                    states[feed.id],
                    fetcher=fetcher,
                    parse=parser,
                    seen=seen,
                    clock=SystemClock(),
                    schedule_settings=ScheduleSettings(),
                )
                states[feed.id] = out.state
                for a in out.articles:
                    seen.hashes[a.id] = a.content_hash
                return 0 if out.error else 1

            ok = sum(await asyncio.gather(*(one(f) for f in feeds)))
            wall, cpu = time.perf_counter() - t0, cpu_seconds(worker_pids) - cpu0
            results.append({"round": r, "polls": n, "ok": ok, "wall": wall, "cpu": cpu})
    await fetcher.aclose()
    parser.close()
    return results


# --- the baseline -------------------------------------------------------------------------------


def sequential_round(base: str, ids: Sequence[int], etags: dict[int, str]) -> tuple[float, float]:
    import feedparser
    import httpx

    cpu0, t0 = time.process_time(), time.perf_counter()
    with httpx.Client() as client:
        for i in ids:
            headers = {"If-None-Match": etags[i]} if i in etags else {}
            r = client.get(f"{base}/feed/{i}", headers=headers)
            if r.status_code == 200:
                etags[i] = r.headers.get("etag", "")
                feedparser.parse(r.content)
    return time.perf_counter() - t0, time.process_time() - cpu0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--feeds", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--concurrency", type=int, default=200)
    ap.add_argument("--baseline-sample", type=int, default=60)
    ap.add_argument("--port", type=int, default=18765)
    args = ap.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"corpus not found at {CORPUS}")
    ready = multiprocessing.Event()
    server = multiprocessing.Process(target=serve, args=(args.port, args.feeds, ready), daemon=True)
    server.start()
    ready.wait(30)
    base = f"http://127.0.0.1:{args.port}"
    try:
        rounds = asyncio.run(wirewatch_rounds(base, args.feeds, args.rounds, args.concurrency))
        sample = list(range(args.baseline_sample))
        etags: dict[int, str] = {}
        sequential_round(base, sample, etags)  # cold round: fills the validators
        import httpx

        httpx.post(f"{base}/round")
        wall_b, cpu_b = sequential_round(base, sample, etags)
    finally:
        server.terminate()
    print(f"{args.feeds} feeds · every response delayed 100–300 ms · 10 % change per round")
    for r in rounds:
        kind = "cold (all 200)" if r["round"] == 0 else "steady (10 % 200, 90 % 304)"
        print(
            f"  wirewatch round {r['round']} {kind}: {r['polls']} polls in {r['wall']:.1f} s"
            f" → {r['polls'] / r['wall'] * 3600:,.0f} polls/h; CPU {r['cpu']:.1f} s "
            f"= {r['cpu'] / r['polls'] * 1000:.2f} ms/poll, {r['cpu'] / r['wall']:.2f} cores"
        )
    steady = [r for r in rounds if r["round"] > 0] or rounds
    rate = sum(r["polls"] for r in steady) / sum(r["wall"] for r in steady) * 3600
    cores = sum(r["cpu"] for r in steady) / sum(r["wall"] for r in steady)
    base_rate = len(sample) / wall_b * 3600
    print(
        f"  sequential httpx + feedparser.parse, steady round on {len(sample)} feeds: "
        f"{base_rate:,.0f} polls/h; CPU {cpu_b / len(sample) * 1000:.2f} ms/poll"
    )
    print(
        f"RESULT wirewatch {rate:,.0f} polls/h on {cores:.2f} cores · baseline "
        f"{base_rate:,.0f} polls/h · ratio {rate / base_rate:.1f}×"
    )


if __name__ == "__main__":
    main()
