"""Stories across partitions: workers sign, one resolver decides, in any arrival order.

The distributed mode splits story assignment into `StorySigner` (each worker, for its own
partitions) and one `StoryIndex` that resolves every worker's candidates
(docs/distributed.md). bench/bench_story_partitions.py measures it at scale.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
from datetime import timedelta

from kafka.partitioner.default import murmur2

from processors.enrich.stories import StoryIndex
from processors.enrich.story_signature import StoryCandidate, StorySigner
from tests.unit.processors.conftest import SEED_TEXT, SEED_TITLE, T0, article
from tests.unit.processors.test_enrich_stories import (
    BOILERPLATE,
    FOOTER,
    QUAKE,
    RATES,
    WINDOW,
    rewrite,
)
from wirewatch.core.models import Article
from wirewatch.core.records import StoryRecord


def partition(article_id: str) -> int:
    """Of two, as Kafka's default partitioner places an article keyed by its id."""
    return (murmur2(article_id.encode()) & 0x7FFFFFFF) % 2


def test_two_copies_on_two_partitions_join_one_story_in_either_order(
    seed_article: Article,
) -> None:
    copy = rewrite(seed_article, "copy-2", seed_article.published_at + timedelta(minutes=5))
    assert partition(seed_article.id) != partition(copy.id)
    # Two workers, each signing the articles of its own partition.
    original_candidate = StorySigner().candidate(seed_article)
    copy_candidate = StorySigner().candidate(copy)

    for first, second in [
        (original_candidate, copy_candidate),
        (copy_candidate, original_candidate),
    ]:
        resolver = StoryIndex(WINDOW)
        founded = resolver.resolve(first)
        joined = resolver.resolve(second)
        assert joined.joined
        assert joined.story_id == founded.story_id

    # What the resolver stage is for: a story index per partition splits them.
    alone = [StoryIndex(WINDOW).resolve(c) for c in (original_candidate, copy_candidate)]
    assert alone[0].story_id != alone[1].story_id


def stream() -> list[StoryCandidate]:
    signer = StorySigner()
    seed = article("seed-1", SEED_TITLE, SEED_TEXT)
    articles = [
        seed,
        article("quake-1", *QUAKE, published_at=T0 + timedelta(minutes=1)),
        rewrite(seed, "copy-1", T0 + timedelta(minutes=2)),
        article("rates-1", *RATES, published_at=T0 + timedelta(minutes=3)),
        article("bulletin-1", "Weather", "Sunny.", published_at=T0 + timedelta(minutes=4)),
        article("quake-2", QUAKE[0], f"{QUAKE[1]}\n{BOILERPLATE}\n{FOOTER}", published_at=T0),
    ]
    return [signer.candidate(a) for a in articles]


def test_a_resolver_restarted_from_its_records_gives_the_same_ids() -> None:
    """The records are the resolver's snapshot; after a restart the candidates after the
    last committed one come again (at-least-once) and keep their stories."""
    candidates = stream()
    uninterrupted = StoryIndex(WINDOW)
    expected = [uninterrupted.resolve(c).story_id for c in candidates]
    assert len(set(expected)) == 4  # the seed story, the quake, the rates, the bulletin

    before = StoryIndex(WINDOW)
    records = [before.resolve(c).record for c in candidates[:4]]
    restarted = StoryIndex(WINDOW)
    restarted.restore(records)
    again = [restarted.resolve(c).story_id for c in candidates[2:]]  # two delivered again
    assert [r.story_id for r in records[:2]] + again == expected


def test_equally_similar_stories_go_to_the_earliest_published_whatever_the_order() -> None:
    """A tie never depends on arrival or restore order, nor on the process's string hashing."""
    [candidate] = stream()[:1]
    records = [
        StoryRecord(f"a{i}", f"story-{i}", T0 + timedelta(minutes=(i * 7) % 6), candidate.signature)
        for i in range(6)
    ]
    for seed in range(3):
        random.Random(seed).shuffle(records)
        resolver = StoryIndex(WINDOW)
        resolver.restore(records)
        assert resolver.resolve(candidate).story_id == "story-0"


SIGN_ELSEWHERE = """
import sys
from processors.enrich.story_signature import StorySigner
from wirewatch.core.models import Article
print(StorySigner().candidate(Article.model_validate_json(sys.stdin.read())).signature.hex())
"""


def test_a_worker_in_another_process_signs_the_same(seed_article: Article) -> None:
    """Workers are separate processes with their own string-hash seeds; their candidates
    must compare with each other's."""
    done = subprocess.run(
        [sys.executable, "-c", SIGN_ELSEWHERE],
        input=seed_article.model_dump_json(),
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONHASHSEED": "12345"},
    )
    assert bytes.fromhex(done.stdout.strip()) == StorySigner().candidate(seed_article).signature
