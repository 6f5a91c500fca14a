"""Soak the distributed workers: N `wirewatch worker` processes, one killed (kill -9) and
restarted every S seconds for M minutes while articles flow, then count what came out.

    .venv/bin/python bench/soak_distributed.py --workers 2 --minutes 4 --kill-every 30

Starts a Kafka broker with `deploy/dev/services` in a temporary directory (or uses
`--bootstrap`), publishes each gold text of the shared corpora (AG News, BBC) with one
syndicated copy (`story_copies.make_copy`) to `articles.raw` at `--rate` articles/s, and
adds one alert rule. At the end it waits for the workers to drain, then prints, each
from its own function so later stages (the sink) can add theirs: published, distinct
enriched, missing, duplicated (at least once allows them), articles whose copies on the
topic disagree on the story, story copies split across stories, alert ids that differ
for one rule and article; and how long each restarted worker took to be Ready.
Exit status 1 when an article is missing or an id disagrees.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from news_corpus import gold_texts
from story_copies import make_copy

from wirewatch.core.messages import decode, encode
from wirewatch.core.models import Alert, Article, EnrichedArticle

REPO = Path(__file__).resolve().parents[1]
SERVICES = REPO / "deploy" / "dev" / "services"
ROLES = ("raw", "candidates", "enriched", "rules", "alerts", "feeds", "deadletters")
RULE = "government OR election OR market"


@dataclass
class Worker:
    """One `wirewatch worker` process, as a user runs it, with its own data directory."""

    home: Path
    config: Path
    env: dict[str, str]
    process: subprocess.Popen[bytes] | None = None
    restarts: list[float] = field(default_factory=list)  # seconds from start to Ready

    @property
    def log(self) -> Path:
        return self.home / "worker.log"

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as sink:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "wirewatch",
                    "worker",
                    "--config",
                    str(self.config),
                    "--data-dir",
                    str(self.home / "data"),
                ],
                env=self.env,
                stdout=sink,
                stderr=subprocess.STDOUT,
            )

    def kill_and_restart(self) -> None:
        """kill -9, start again, and time how long until faust says the worker is Ready."""
        assert self.process is not None
        self.process.kill()
        self.process.wait()
        ready_before = self.log.read_text(errors="replace").count("[^Worker]: Ready")
        started = time.monotonic()
        self.start()
        while time.monotonic() - started < 300:
            if self.log.read_text(errors="replace").count("[^Worker]: Ready") > ready_before:
                self.restarts.append(time.monotonic() - started)
                return
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=60)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def corpus(seed: int) -> Iterator[tuple[str, Article]]:
    """(story number, article): each gold text, then its syndicated copy, in a seeded order."""
    rng = random.Random(seed)
    texts = gold_texts()
    rng.shuffle(texts)
    now = datetime.now(UTC).replace(microsecond=0)
    for n, (title, text) in enumerate(texts):
        for copy in range(2):
            url = f"https://s{copy}.example/{seed}-{n}"
            t, body, u = (title, text, url) if copy == 0 else make_copy(title, text, url, rng)
            aid = f"soak-{seed}-{n}-{copy}"
            yield (
                str(n),
                Article(
                    id=aid,
                    url=u,
                    feed_id=f"s{copy}",
                    feed_url=f"https://s{copy}.example/feed",
                    source=f"s{copy}.example",
                    title=t,
                    text=body,
                    published_at=now,
                    fetched_at=now,
                ),
            )


def read_topic(bootstrap: str, topic: str) -> list[bytes]:
    """Every value of `topic`, from the beginning to the end offsets taken now."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        parts = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic) or ()]
        consumer.assign(parts)
        consumer.seek_to_beginning()
        end = consumer.end_offsets(parts)
        values: list[bytes] = []
        while any(consumer.position(p) < end[p] for p in parts):
            for records in consumer.poll(timeout_ms=1000).values():
                values += [r.value for r in records if r.value is not None]
        return values
    finally:
        consumer.close()


# The checks: each takes what was published and what came out, and returns its finding.


def missing(published: set[str], enriched: list[EnrichedArticle]) -> set[str]:
    return published - {e.id for e in enriched}


def duplicated(enriched: list[EnrichedArticle]) -> int:
    """Copies beyond the first on the topic (at-least-once repeats after a kill)."""
    return sum(n - 1 for n in Counter(e.id for e in enriched).values())


def story_disagreements(enriched: list[EnrichedArticle]) -> set[str]:
    """Articles whose copies on the topic carry different story ids."""
    stories: dict[str, set[str | None]] = {}
    for e in enriched:
        stories.setdefault(e.id, set()).add(e.story_id)
    return {a for a, s in stories.items() if len(s) > 1}


def stories_split(story_of: dict[str, str], enriched: list[EnrichedArticle]) -> set[str]:
    """Gold stories whose original and copy came out with different story ids."""
    ids: dict[str, set[str | None]] = {}
    for e in enriched:
        ids.setdefault(story_of[e.id], set()).add(e.story_id)
    return {s for s, i in ids.items() if len(i) > 1}


def alert_id_disagreements(alerts: list[Alert]) -> set[tuple[str, str]]:
    """(rule, article) pairs whose hits carry more than one alert id or story id."""
    seen: dict[tuple[str, str], set[tuple[str, str | None]]] = {}
    for a in alerts:
        seen.setdefault((a.rule_id, a.article_id), set()).add((a.id, a.story_id))
    return {k for k, v in seen.items() if len(v) > 1}


def drain(bootstrap: str, topic: str, published: set[str], patience: float) -> None:
    """Wait until every published id is on `topic`, or nothing new came for `patience` s."""
    last, since = -1, time.monotonic()
    while time.monotonic() - since < patience:
        out = {decode(EnrichedArticle, v).id for v in read_topic(bootstrap, topic)}
        if published <= out:
            return
        if len(out) != last:
            last, since = len(out), time.monotonic()
        time.sleep(2)


@contextmanager
def broker(given: str | None, tmp: Path, env: dict[str, str]) -> Iterator[str]:
    """The broker to use: `given`, or one started for the soak and stopped after it."""
    if given is not None:
        yield given
        return
    port = free_port()
    services_env = {
        **env,
        "WWDEV_KAFKA_PORT": str(port),
        "WWDEV_KAFKA_CONTROLLER_PORT": str(free_port()),
        "WWDEV_SERVICES_DIR": str(tmp / "services"),
    }
    subprocess.run([str(SERVICES), "up", "kafka"], env=services_env, check=True)
    try:
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([str(SERVICES), "down", "kafka"], env=services_env, check=True)


@dataclass
class Outcome:
    story_of: dict[str, str]  # published article id → gold story
    enriched: list[EnrichedArticle]
    alerts: list[Alert]
    restarts: list[float]
    drained: float


def soak(args: argparse.Namespace, bootstrap: str, tmp: Path, env: dict[str, str]) -> Outcome:
    prefix = f"soak{os.getpid()}"
    topics = {role: f"{prefix}.{role}" for role in ROLES}
    config = tmp / "wirewatch.yaml"
    kafka = {f"topic_{r}": t for r, t in topics.items()}
    config.write_text(
        json.dumps(
            {
                "mode": "distributed",
                "kafka": {**kafka, "bootstrap_servers": bootstrap, "client_id": prefix},
            }
        )
    )
    cli = [sys.executable, "-m", "wirewatch"]
    common = ["--config", str(config), "--data-dir", str(tmp / "cli")]
    subprocess.run([*cli, "setup", *common], env=env, check=True, capture_output=True)
    subprocess.run(
        [*cli, "alerts", "add", "soak", RULE, *common], env=env, check=True, capture_output=True
    )
    workers = [Worker(tmp / f"worker{n}", config, env) for n in range(args.workers)]
    rng = random.Random(args.seed)
    producer = KafkaProducer(bootstrap_servers=bootstrap, acks="all")
    story_of: dict[str, str] = {}
    try:
        for w in workers:
            w.start()
        started = time.monotonic()
        next_kill = started + args.kill_every
        articles = corpus(args.seed)
        while (now := time.monotonic()) - started < args.minutes * 60:
            while len(story_of) < (now - started) * args.rate:
                story, a = next(articles)
                story_of[a.id] = story
                producer.send(topics["raw"], key=a.id.encode(), value=encode(a))
            producer.flush()
            if now >= next_kill:
                rng.choice(workers).kill_and_restart()
                next_kill = time.monotonic() + args.kill_every
            time.sleep(0.2)
        published_at_end = time.monotonic()
        drain(bootstrap, topics["enriched"], set(story_of), patience=120)
        drained = time.monotonic() - published_at_end
    finally:
        producer.close()
        for w in workers:
            w.stop()
    return Outcome(
        story_of,
        [decode(EnrichedArticle, v) for v in read_topic(bootstrap, topics["enriched"])],
        [decode(Alert, v) for v in read_topic(bootstrap, topics["alerts"])],
        sorted(t for w in workers for t in w.restarts),
        drained,
    )


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--bootstrap", help="a running broker (default: start one)")
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--minutes", type=float, default=4)
    p.add_argument("--kill-every", type=float, default=30, help="seconds")
    p.add_argument("--rate", type=float, default=10, help="articles/s published")
    p.add_argument("--seed", type=int, default=17)
    args = p.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="wirewatch-soak-"))
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    with broker(args.bootstrap, tmp, env) as bootstrap:
        out = soak(args, bootstrap, tmp, env)
    story_of, enriched, alerts, restarts = out.story_of, out.enriched, out.alerts, out.restarts
    published = set(story_of)
    lost = missing(published, enriched)
    disagree = story_disagreements(enriched)
    split = stories_split(story_of, enriched)
    alert_ids = alert_id_disagreements(alerts)
    print(
        f"{args.workers} workers, {args.minutes:g} min at {args.rate:g} articles/s, "
        f"one killed (kill -9) and restarted every {args.kill_every:g} s: {len(restarts)} kills"
    )
    print(
        f"published {len(published)}  distinct enriched {len(published) - len(lost)}  "
        f"missing {len(lost)}  duplicated {duplicated(enriched)} "
        f"(records {len(enriched)}; drained {out.drained:.0f} s after the last publish)"
    )
    print(
        f"story ids: articles whose copies disagree {len(disagree)}  "
        f"gold stories split {len(split)} of {len(set(story_of.values()))}"
    )
    print(f"alerts: {len(alerts)} hits, (rule, article) pairs with differing ids {len(alert_ids)}")
    if restarts:
        print(
            f"restarted worker Ready after {restarts[0]:.1f}–{restarts[-1]:.1f} s "
            f"(median {restarts[len(restarts) // 2]:.1f} s)"
        )
    print(f"logs: {tmp}")
    return 1 if lost or disagree or alert_ids else 0


if __name__ == "__main__":
    sys.exit(main())
