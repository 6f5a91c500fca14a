"""End to end: articles/s and publish → searchable latency, distributed beside embedded.

The same BBC News articles go through both runtimes into the same OpenSearch node, at
equal NER processes: embedded with 1 NER process vs 1 worker (1 each), and embedded
with 2 vs 2 workers. Each setup gets its own topics, consumer groups and index prefix,
so runs never see each other's data.

- **Rate** (articles/s): the steady rate at the engine, the same way for both — the
  articles that became searchable after the first ones did, over the time between,
  counted by polling `_count` every 0.2 s. The distributed roles are started and
  warmed (a few articles through every stage) before the articles are published at
  once; the embedded runtime starts on an outbox already holding them, and its model
  loading ends before the first article is searchable.
- **Latency** (distributed only): articles published one by one at half the
  distributed setup's measured rate, each timestamped; an article is searchable when
  an `ids` query (polled every 0.25 s, the index refreshing every second) finds it.
- **CPU share**: the CPU seconds Kafka, the engine and the Wirewatch processes used
  during the rate phase, as a share of the machine's (wall time × cores) — they all
  share the same cores here.

    deploy/dev/services up kafka && deploy/dev/services up opensearch
    .venv/bin/python bench/bench_distributed.py [--articles 300] [--latency-articles 120]
        [--bootstrap 127.0.0.1:19092] [--url http://127.0.0.1:19210] [--ner 1 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import yaml
from kafka import KafkaProducer

from wirewatch.core.messages import article_key, encode
from wirewatch.core.models import Article, Feed, FeedState
from wirewatch.core.settings import load_settings
from wirewatch.runtime.context import open_context

REPO = Path(__file__).resolve().parents[1]
BBC = REPO.parent / "shared" / "corpora" / "news_topics" / "bbc_news" / "bbc_news.jsonl"
WARMUP = 24  # several per partition of articles.raw (6 by default)
TICK = 0.2
STEP_TIMEOUT = 900.0


def articles(n: int, run: str, *, offset: int = 0) -> list[Article]:
    """n BBC News articles (seeded order) under ids of this run, published now."""
    rows = [json.loads(line) for line in BBC.read_text().splitlines()]
    random.Random(17).shuffle(rows)
    now = datetime.now(UTC).replace(microsecond=0)
    return [
        Article(
            id=f"{run}-{offset + i}",
            url=f"https://bench.example/{run}/{offset + i}",
            feed_id="bench",
            feed_url="https://bench.example/feed",
            source="BBC News",
            title=row["title"],
            text=row["text"],
            published_at=now - timedelta(minutes=i),
            fetched_at=now,
        )
        for i, row in enumerate(rows[offset : offset + n])
    ]


def words(batch: Sequence[Article]) -> int:
    return sum(len(a.title.split()) + len(a.text.split()) for a in batch)


# --- the engine --------------------------------------------------------------------------


@dataclass
class Engine:
    url: str
    alias: str

    def count(self) -> int:
        reply = httpx.get(f"{self.url}/{self.alias}/_count", timeout=10)
        return int(reply.json().get("count", 0)) if reply.status_code == 200 else 0

    def visible(self, ids: Sequence[str]) -> set[str]:
        body = {"query": {"ids": {"values": list(ids)}}, "_source": False, "size": len(ids)}
        reply = httpx.post(f"{self.url}/{self.alias}/_search", json=body, timeout=10)
        if reply.status_code != 200:
            return set()
        return {h["_id"] for h in reply.json()["hits"]["hits"]}


@dataclass
class Steady:
    """What polling the count saw: when the first articles showed, and when all had."""

    started_at: float
    first_at: float
    first_count: int
    done_at: float
    total: int

    @property
    def rate(self) -> float:
        """After the first articles showed (so a runtime's start-up is not counted); from
        the start when they all showed at once."""
        if self.first_count < self.total and self.done_at > self.first_at:
            return (self.total - self.first_count) / (self.done_at - self.first_at)
        return self.total / (self.done_at - self.started_at)


def wait_for_count(
    engine: Engine, total: int, roles: Sequence[Role], *, baseline: int = 0
) -> Steady:
    """Poll the count until `total` more than `baseline` are searchable (roles must live)."""
    started_at = time.monotonic()
    first_at, first_count = 0.0, 0
    deadline = started_at + STEP_TIMEOUT
    while time.monotonic() < deadline:
        for role in roles:
            role.check()
        seen = engine.count() - baseline
        now = time.monotonic()
        if seen > 0 and not first_at:
            first_at, first_count = now, seen
        if seen >= total:
            return Steady(started_at, first_at, first_count, now, total)
        time.sleep(TICK)
    raise SystemExit(f"only {engine.count() - baseline} of {total} articles became searchable")


# --- processes ---------------------------------------------------------------------------


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process and its children that ended (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    ticks = sum(int(fields[i]) for i in (11, 12, 13, 14))
    return ticks / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU seconds the whole machine spent busy (/proc/stat), to show what else ran."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    idle = int(fields[3]) + int(fields[4])  # idle + iowait
    return (sum(int(f) for f in fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """pid and its descendants (NER processes are children of the enricher's process)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            kids = []
        todo.extend(int(k) for k in kids)
    return out


def service_pid(name: str) -> int | None:
    states = Path(os.environ.get("WWDEV_SERVICES_DIR", REPO / ".services"))
    for pid_file in states.glob(f"{name}-*/pid"):
        pid = int(pid_file.read_text())
        if Path(f"/proc/{pid}").exists():
            return pid
    return None


class CpuMeter:
    """CPU seconds per group of processes between `start` and `stop`."""

    def __init__(self, groups: dict[str, list[int]]) -> None:
        self.groups = groups
        self.before: dict[str, float] = {}
        self.used: dict[str, float] = {}
        self.wall = 0.0

    def _read(self) -> dict[str, float]:
        groups = self.groups.items()
        used = {k: sum(cpu_seconds(p) for pid in v for p in tree(pid)) for k, v in groups}
        return used | {"everything else": machine_cpu_seconds() - sum(used.values())}

    def start(self) -> None:
        self.before, self.t0 = self._read(), time.monotonic()

    def stop(self) -> None:
        after, self.wall = self._read(), time.monotonic() - self.t0
        self.used = {k: after[k] - self.before[k] for k in after}

    def shares(self) -> str:
        machine = self.wall * (os.cpu_count() or 1)
        return " · ".join(f"{k} {100 * v / machine:.0f} %" for k, v in self.used.items())


class Role:
    """One `wirewatch <role>` process, logging to a file (a full pipe would stall it)."""

    def __init__(self, role: str, config: Path, home: Path) -> None:
        self.role, self.home = role, home
        (home / "data").mkdir(parents=True, exist_ok=True)
        self.log = home / f"{role}.log"
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "wirewatch",
                    role,
                    "--config",
                    str(config),
                    "--data-dir",
                    str(home / "data"),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )

    def check(self) -> None:
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-2000:]
            raise SystemExit(f"{self.role} exited ({self.process.returncode}):\n{tail}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def write_config(path: Path, settings: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(settings, sort_keys=False))
    return path


def base_settings(tag: str, args: argparse.Namespace, ner: int) -> dict[str, Any]:
    return {
        "log_level": "WARNING",
        "search": {"engine": "opensearch", "urls": [args.url], "index_prefix": tag, "replicas": 0},
        "enrich": {"ner_processes": ner},
    }


# --- the two runtimes --------------------------------------------------------------------


@dataclass
class Result:
    name: str
    steady: Steady
    cpu: str
    latencies: list[float] | None = None


def embedded(args: argparse.Namespace, work: Path, ner: int, batch: list[Article]) -> Result:
    tag = f"bench-emb{ner}-{uuid.uuid4().hex[:6]}"
    home = work / tag
    home.mkdir()
    config = write_config(home / "wirewatch.yaml", base_settings(tag, args, ner))
    loaded = load_settings(config, overrides={"data_dir": str(home / "data")})
    ctx = open_context(loaded)
    try:
        assert ctx.setup_index is not None
        ctx.setup_index()
        feed = Feed(
            id="bench", url="https://bench.example/feed", title="bench", added_at=datetime.now(UTC)
        )
        ctx.feeds.add(feed)
        later = datetime.now(UTC) + timedelta(days=1)  # never due: only the outbox runs
        state = FeedState(feed_id="bench", next_poll_at=later)
        ctx.feeds.accept_poll(feed, state, batch, now=datetime.now(UTC))
    finally:
        ctx.close()
    engine = Engine(args.url, f"{tag}-articles")
    run = Role("run", config, home)
    meter = CpuMeter({"wirewatch": [run.process.pid], **service_groups()})
    try:
        meter.start()
        steady = wait_for_count(engine, len(batch), [run])
        meter.stop()
    finally:
        run.stop()
    return Result(f"embedded, {ner} NER process{'es' if ner > 1 else ''}", steady, meter.shares())


def service_groups() -> dict[str, list[int]]:
    pids = {name: service_pid(name) for name in ("kafka", "opensearch")}
    return {name: [pid] for name, pid in pids.items() if pid is not None}


@contextmanager
def distributed_roles(
    args: argparse.Namespace, work: Path, workers: int
) -> Iterator[tuple[Path, Engine, dict[str, Any], list[Role]]]:
    tag = f"bench-dist{workers}-{uuid.uuid4().hex[:6]}"
    home = work / tag
    home.mkdir()
    settings = base_settings(tag, args, 1)
    topics = {
        f"topic_{role}": f"{tag}.{role}"
        for role in ("feeds", "raw", "candidates", "enriched", "rules", "alerts", "deadletters")
    }
    settings |= {
        "mode": "distributed",
        "kafka": {"bootstrap_servers": args.bootstrap, "client_id": tag, **topics},
    }
    config = write_config(home / "wirewatch.yaml", settings)
    subprocess.run(
        [sys.executable, "-m", "wirewatch", "setup", "--config", str(config)],
        check=True,
        cwd=REPO,
        capture_output=True,
    )
    roles: list[Role] = []
    try:
        roles += [Role("worker", config, home / f"worker-{i}") for i in range(workers)]
        roles.append(Role("sink", config, home / "sink"))
        yield config, Engine(args.url, f"{tag}-articles"), topics, roles
    finally:
        for role in roles:
            role.stop()


def wait_for_members(config: Path, workers: int, roles: Sequence[Role]) -> None:
    """Until `wirewatch status` shows every worker in the group and it is stable, so no
    rebalance moves partitions while the clock runs (a joining worker stops the others)."""
    deadline = time.monotonic() + STEP_TIMEOUT
    while time.monotonic() < deadline:
        for role in roles:
            role.check()
        status = subprocess.run(
            [sys.executable, "-m", "wirewatch", "status", "--json", "--config", str(config)],
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        if status.returncode == 0:
            group = next(g for g in json.loads(status.stdout)["groups"] if g["role"] == "worker")
            if group["members"] == workers and group["state"] == "Stable":
                return
        time.sleep(1)
    raise SystemExit(f"the worker group never had {workers} stable members")


def publish(producer: KafkaProducer, topic: str, batch: Sequence[Article]) -> None:
    for a in batch:
        producer.send(topic, key=article_key(a.id), value=encode(a))
    producer.flush()


def distributed(
    args: argparse.Namespace,
    work: Path,
    workers: int,
    batch: list[Article],
    warm: list[Article],
    late: list[Article],
) -> Result:
    producer = KafkaProducer(bootstrap_servers=args.bootstrap, linger_ms=5)
    with distributed_roles(args, work, workers) as (config, engine, topics, roles):
        raw = topics["topic_raw"]
        wait_for_members(config, workers, roles)
        publish(producer, raw, warm)  # every stage and partition warm before the clock runs
        wait_for_count(engine, len(warm), roles)
        pids = [r.process.pid for r in roles]
        meter = CpuMeter({"wirewatch": pids, **service_groups()})
        meter.start()
        publish(producer, raw, batch)
        steady = wait_for_count(engine, len(batch), roles, baseline=len(warm))
        meter.stop()
        latencies = paced(producer, raw, engine, late, steady.rate / 2)
        for role in roles:
            role.check()
    producer.close()
    name = f"distributed, {workers} worker{'s' if workers > 1 else ''} × 1 NER process"
    return Result(name, steady, meter.shares(), latencies)


def paced(
    producer: KafkaProducer, topic: str, engine: Engine, batch: Sequence[Article], rate: float
) -> list[float]:
    """Publish one article every 1/rate s; seconds from each send to its first sighting."""
    sent: dict[str, float] = {}
    seen: dict[str, float] = {}
    start = time.monotonic()
    i = 0
    next_poll = start
    deadline = start + len(batch) / rate + STEP_TIMEOUT
    while len(seen) < len(batch) and time.monotonic() < deadline:
        now = time.monotonic()
        while i < len(batch) and now >= start + i / rate:
            producer.send(topic, key=article_key(batch[i].id), value=encode(batch[i]))
            producer.flush()
            sent[batch[i].id] = time.monotonic()
            i += 1
        if now >= next_poll:
            waiting = [k for k in sent if k not in seen]
            if waiting:
                at = time.monotonic()
                seen |= {k: at for k in engine.visible(waiting)}
            next_poll = now + 0.25
        time.sleep(0.02)
    if len(seen) < len(batch):
        raise SystemExit(f"only {len(seen)} of {len(batch)} paced articles became searchable")
    return [seen[k] - sent[k] for k in sent]


# --- report -------------------------------------------------------------------------------


def pct(values: Sequence[float], q: float) -> float:
    return (
        statistics.quantiles(values, n=100, method="inclusive")[q - 1]
        if len(values) > 1
        else values[0]
    )


def report(r: Result, per_article_words: float) -> str:
    line = (
        f"{r.name:44s} {r.steady.rate:6.1f} articles/s "
        f"({r.steady.rate * per_article_words:,.0f} words/s)"
        f"  ·  CPU: {r.cpu}"
    )
    if r.latencies:
        line += (
            f"\n{'':44s} publish → searchable at {r.steady.rate / 2:.1f}/s: "
            f"p50 {pct(r.latencies, 50):.2f} s, p95 {pct(r.latencies, 95):.2f} s, "
            f"max {max(r.latencies):.2f} s ({len(r.latencies)} articles)"
        )
    return line


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=300, help="articles per rate phase")
    parser.add_argument("--latency-articles", type=int, default=120)
    parser.add_argument("--bootstrap", default="127.0.0.1:19092")
    parser.add_argument("--url", default="http://127.0.0.1:19210")
    parser.add_argument("--ner", type=int, nargs="+", default=[1, 2], help="NER processes")
    parser.add_argument("--skip-embedded", action="store_true")
    args = parser.parse_args()

    run = uuid.uuid4().hex[:8]
    batch = articles(args.articles, run)
    warm = articles(WARMUP, run, offset=args.articles)
    late = articles(args.latency_articles, run, offset=args.articles + WARMUP)
    per_article = words(batch) / len(batch)
    print(
        f"{len(batch)} BBC News articles per rate phase ({per_article:.0f} words each), "
        f"{len(late)} for latency; Kafka {args.bootstrap}, OpenSearch {args.url}; "
        f"{os.cpu_count()} CPUs shared by everything",
        flush=True,
    )
    results: dict[str, Result] = {}
    with ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="ww-bench-")))
        for ner in args.ner:
            if not args.skip_embedded:
                results[f"e{ner}"] = embedded(args, work, ner, batch)
                print(report(results[f"e{ner}"], per_article), flush=True)
            results[f"d{ner}"] = distributed(args, work, ner, batch, warm, late)
            print(report(results[f"d{ner}"], per_article), flush=True)
            if f"e{ner}" in results:
                ratio = results[f"d{ner}"].steady.rate / results[f"e{ner}"].steady.rate
                print(f"{'':44s} distributed / embedded at {ner} NER: {ratio:.2f}× (target ≥ 0.80)")
    if "d1" in results and "d2" in results:
        scale = results["d2"].steady.rate / results["d1"].steady.rate
        print(f"2 workers / 1 worker: {scale:.2f}× (target ≥ 1.7)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
