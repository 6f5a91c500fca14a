"""Stories across partitions: the distributed design's story results beside the embedded
ones, on the same story-copies stream as bench/bench_stories.py.

- The stream: the second half of the folded BBC originals, then one seeded copy of each
  (bench/story_copies.py); then the wikiref220 articles.
- N simulated partitions: each article goes to the partition Kafka's default partitioner
  gives its key, the article id (murmur2, as kafka-python and the Java client compute
  it); each partition has its own worker, which signs its articles in partition order
  (`StorySigner`, one per worker).
- One resolver (`StoryIndex.resolve`, the embedded code) consumes the candidates of all
  partitions, interleaved in several orders: round robin; one partition entirely before
  the other (a worker lagging by the whole stream, so many copies arrive before their
  originals); random fetch batches of 1–300 messages from a random partition (three
  seeds); and random batches with a resolver restart halfway that restores the records
  and has the last 100 candidates delivered again (at-least-once), counted against the
  same order without the restart.
- For contrast: per-partition state (each worker resolving its own partition alone),
  what a worker with a process-global `StoryIndex` would do.
- The cost of each half, which is why one resolver owns all the state
  (docs/distributed.md).

    .venv/bin/python bench/bench_story_partitions.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import timedelta
from itertools import chain, zip_longest
from pathlib import Path

from kafka.partitioner.default import murmur2

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_stories import Assign, bbc, fold, report, stream, wirewatch

from processors.enrich.stories import StoryIndex
from processors.enrich.story_signature import StoryCandidate, StorySigner
from wirewatch.core.models import Article

WINDOW = timedelta(days=3650)
Queues = list[list[StoryCandidate]]
Order = Callable[[Queues], Iterator[StoryCandidate]]


def partition(article_id: str, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for this article id as the key."""
    return (murmur2(article_id.encode()) & 0x7FFFFFFF) % partitions


def round_robin(queues: Queues) -> Iterator[StoryCandidate]:
    return (c for row in zip_longest(*queues) for c in row if c is not None)


def last_partition_first(queues: Queues) -> Iterator[StoryCandidate]:
    return chain(*reversed(queues))


def random_batches(seed: int) -> Order:
    def order(queues: Queues) -> Iterator[StoryCandidate]:
        rng = random.Random(seed)
        offsets = [0] * len(queues)
        while live := [p for p, q in enumerate(queues) if offsets[p] < len(q)]:
            p = rng.choice(live)
            n = rng.randint(1, 300)
            yield from queues[p][offsets[p] : offsets[p] + n]
            offsets[p] += n

    return order


def sign(arts: Sequence[Article], partitions: int) -> Queues:
    """Each partition's candidates in partition order, signed by that partition's worker."""
    signers = [StorySigner() for _ in range(partitions)]
    queues: Queues = [[] for _ in range(partitions)]
    for a in arts:
        p = partition(a.id, partitions)
        queues[p].append(signers[p].candidate(a))
    return queues


def resolve(candidates: Sequence[StoryCandidate], restart_at: int | None = None) -> dict[str, str]:
    """Story id by article id from one resolver; with `restart_at`, the resolver is replaced
    there by a new one restored from the records, and the last 100 candidates come again."""
    index, records, stories = StoryIndex(WINDOW), [], {}
    i = 0
    while i < len(candidates):
        if i == restart_at:
            index = StoryIndex(WINDOW)
            index.restore(records)
            restart_at, i = None, max(0, i - 100)
        assignment = index.resolve(candidates[i])
        records.append(assignment.record)
        stories.setdefault(candidates[i].article_id, assignment.story_id)
        if stories[candidates[i].article_id] != assignment.story_id:
            raise AssertionError(f"{candidates[i].article_id} changed story when re-delivered")
        i += 1
    return stories


def distributed(partitions: int, order: Order, restart: bool = False) -> Assign:
    def assign(arts: Sequence[Article]) -> list[str]:
        candidates = list(order(sign(arts, partitions)))
        stories = resolve(candidates, len(candidates) // 2 if restart else None)
        if restart and stories != resolve(candidates):
            raise AssertionError("a restart changed story ids")
        return [stories[a.id] for a in arts]

    return assign


def per_partition(partitions: int) -> Assign:
    def assign(arts: Sequence[Article]) -> list[str]:
        stories: dict[str, str] = {}
        for queue in sign(arts, partitions):
            stories |= resolve(queue)
        return [stories[a.id] for a in arts]

    return assign


def costs(arts: Sequence[Article]) -> tuple[float, float]:
    """Microseconds per article: signing (every worker) and resolving (the one resolver)."""
    signer, index = StorySigner(), StoryIndex(WINDOW)
    start = time.perf_counter()
    candidates = [signer.candidate(a) for a in arts]
    signed = time.perf_counter()
    for c in candidates:
        index.resolve(c)
    done = time.perf_counter()
    return (signed - start) / len(arts) * 1e6, (done - signed) / len(arts) * 1e6


def main() -> None:
    originals = fold(bbc())
    test = originals[len(originals) // 2 :]
    arts = stream(test, seed=2)
    apart = sum(
        partition(o.id, 2) != partition(c.id, 2)
        for o, c in zip(arts[: len(test)], arts[len(test) :], strict=True)
    )
    print(
        f"{len(test)} BBC originals + one copy each, then wikiref220; partition = "
        f"murmur2(article id) as Kafka's default partitioner; with 2 partitions, "
        f"{apart} copies ({apart / len(test):.0%}) are on another partition than their original"
    )
    runs: list[tuple[str, Assign]] = [
        ("embedded (one StoryIndex, stream order)", wirewatch),
        ("1 partition", distributed(1, round_robin)),
        ("2 partitions, round robin", distributed(2, round_robin)),
        ("2 partitions, partition 1 first", distributed(2, last_partition_first)),
    ]
    runs += [
        (f"2 partitions, random batches seed {s}", distributed(2, random_batches(s)))
        for s in (1, 2, 3)
    ]
    runs += [
        ("2 partitions, random batches + restart", distributed(2, random_batches(4), restart=True)),
        ("contrast: per-partition state, 2 partitions", per_partition(2)),
    ]
    for name, assign in runs:
        print(report(name, assign, test, width=44))
    sign_us, resolve_us = costs(arts)
    print(
        f"per article: signing {sign_us:.0f} µs (every worker, for its own partitions), "
        f"resolving {resolve_us:.0f} µs (the one resolver, which keeps up with "
        f"{1e6 / resolve_us:,.0f} articles/s)"
    )


if __name__ == "__main__":
    main()
