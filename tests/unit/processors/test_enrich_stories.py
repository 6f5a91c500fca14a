"""Story ids: copies and close rewrites of one story share one; different stories never do."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from processors.enrich.stories import StoryAssignment, StoryIndex
from processors.enrich.story_signature import StorySigner
from tests.unit.processors.conftest import T0, MakeEnricher, article
from wirewatch.core.clock import ManualClock
from wirewatch.core.models import Article
from wirewatch.core.records import StoryRecord

WINDOW = timedelta(hours=72)
SIGNER = StorySigner()


def assign(index: StoryIndex, article: Article) -> StoryAssignment:
    """Both stages, as the enricher runs them."""
    return index.resolve(SIGNER.candidate(article))


BOILERPLATE = (
    "Sign up for our daily newsletter to get the latest headlines delivered to your inbox every "
    "morning. Follow us on Facebook, X and Instagram for breaking news, and download our app for "
    "alerts. Our journalism depends on readers like you: subscribe today and support "
    "independent reporting."
)
FOOTER = (
    "Copyright 2026 Example Media Group. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed without permission. Related coverage: how "
    "earthquakes are measured, what to pack in an emergency kit, and the history of the Pacific "
    "Ring of Fire."
)

RATES = (
    "Central bank raises interest rates as inflation climbs",
    "The central bank raised its benchmark interest rate by half a percentage point on Thursday, "
    "its biggest increase in two decades, as inflation climbed to 7.5 percent. Economists said "
    "the move would slow economic growth and push up mortgage costs for households. Shares fell "
    "on the stock market and the currency rose against the dollar as investors weighed the risk "
    "of a recession.",
)

QUAKE = (
    "Magnitude 6.1 earthquake strikes off northern Japan",
    "A magnitude 6.1 earthquake struck off the coast of northern Japan on Friday morning, the "
    "Japan Meteorological Agency said. No tsunami warning was issued and there were no immediate "
    "reports of damage or injuries. Trains in the region were briefly halted while tracks were "
    "checked.",
)


def rewrite(original: Article, article_id: str, published_at: datetime) -> Article:
    """A syndicated copy: reworded headline, every fifth sentence dropped, boilerplate added."""
    sentences = re.split(r"(?<=[.!?])\s+", original.text)
    kept = [s for i, s in enumerate(sentences) if i % 5 != 2]
    assert 0.15 < 1 - len(kept) / len(sentences) < 0.25
    return original.model_copy(
        update={
            "id": article_id,
            "url": f"https://other.example/{article_id}",
            "source": "Other Wire",
            "title": "Gallant and Austin discuss Rafah offensive and Gaza aid at the Pentagon",
            "text": " ".join(kept) + "\n" + BOILERPLATE,
            "published_at": published_at,
            "fetched_at": published_at,
        }
    )


def test_a_rewritten_copy_shares_the_story_of_the_original(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    copy = rewrite(seed_article, "copy-1", seed_article.published_at + timedelta(hours=3))
    enricher = make_enricher()
    [original] = enricher.enrich_batch([seed_article]).enriched
    [copied] = enricher.enrich_batch([copy]).enriched
    assert copied.story_id == original.story_id


def test_copies_in_one_batch_share_a_story(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    copy = rewrite(seed_article, "copy-1", seed_article.published_at)
    original, copied = make_enricher().enrich_batch([seed_article, copy]).enriched
    assert copied.story_id == original.story_id


def test_different_stories_with_the_same_boilerplate_stay_apart(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    with_boilerplate = seed_article.model_copy(
        update={"text": f"{seed_article.text}\n{BOILERPLATE}"}
    )
    title, text = RATES
    rates = article("rates-1", title, f"{text}\n{BOILERPLATE}")
    result = make_enricher().enrich_batch([with_boilerplate, rates])
    assert len({e.story_id for e in result.enriched}) == 2


def test_a_generic_headline_does_not_join_different_stories(make_enricher: MakeEnricher) -> None:
    a = article("live-1", "Live updates", RATES[1])
    b = article("live-2", "Live updates", QUAKE[1])
    result = make_enricher().enrich_batch([a, b])
    assert len({e.story_id for e in result.enriched}) == 2


def test_re_enriching_an_article_keeps_its_story(
    seed_article: Article, make_enricher: MakeEnricher
) -> None:
    enricher = make_enricher()
    [first] = enricher.enrich_batch([seed_article]).enriched
    [again] = enricher.enrich_batch([seed_article]).enriched
    assert again.story_id == first.story_id
    assert len(enricher.stories) == 1


def test_story_ids_survive_a_restart(seed_article: Article, make_enricher: MakeEnricher) -> None:
    """The runtime persists the batch's story records and restores them at start-up."""
    rates = article("rates-1", *RATES)
    before = make_enricher().enrich_batch([seed_article, rates])
    ids = {e.id: e.story_id for e in before.enriched}

    restarted = make_enricher()
    restarted.stories.restore(before.story_records)
    assert len(restarted.stories) == 2
    copy = rewrite(seed_article, "copy-1", seed_article.published_at + timedelta(hours=1))
    after = {e.id: e.story_id for e in restarted.enrich_batch([copy, rates]).enriched}
    assert after == {"copy-1": ids["seed-1"], "rates-1": ids["rates-1"]}


def test_a_same_headline_copy_joins_after_a_restart() -> None:
    """A short text with much boilerplate overlaps too little on its own; the headline decides."""
    original = article("quake-1", *QUAKE)
    body = f"{QUAKE[1]}\n{BOILERPLATE}\n{FOOTER}"
    copy = article("quake-2", QUAKE[0], body)
    reworded = StoryIndex(WINDOW)
    assign(reworded, original)
    assert not assign(reworded, article("quake-3", "Strong quake hits Japan", body)).joined
    uninterrupted = StoryIndex(WINDOW)
    record = assign(uninterrupted, original).record
    assert assign(uninterrupted, copy).joined

    restarted = StoryIndex(WINDOW)
    restarted.restore([record])
    assert assign(restarted, copy).story_id == record.story_id


def test_a_copy_after_the_window_starts_a_new_story(seed_article: Article) -> None:
    index = StoryIndex(WINDOW)
    original = assign(index, seed_article)
    start = seed_article.published_at
    inside = assign(index, rewrite(seed_article, "copy-1", start + WINDOW - timedelta(hours=1)))
    assert inside.story_id == original.story_id

    assert index.expire(start + WINDOW + timedelta(minutes=1)) == 1
    assert len(index) == 1  # the copy, published later, is still in the window
    assert index.expire(start + 2 * WINDOW) == 1
    assert len(index) == 0
    late = assign(index, rewrite(seed_article, "copy-2", start + 2 * WINDOW))
    assert not late.joined
    assert late.story_id != original.story_id


def test_story_memory_stays_bounded_as_time_passes(make_enricher: MakeEnricher) -> None:
    clock = ManualClock(T0)
    enricher = make_enricher(clock, story_window_hours=24)
    sizes = []
    records: list[StoryRecord] = []
    for i in range(40):
        a = article(f"a{i}", f"Bulletin number {i}", f"Item {i}.", published_at=clock.now())
        records += enricher.enrich_batch([a]).story_records
        sizes.append(len(enricher.stories))
        clock.advance(timedelta(hours=6))
    # Articles of the last 24 hours: now, 6, 12, 18 and 24 hours ago.
    assert max(sizes) == 5
    assert sizes[-1] == 5
    assert [r.article_id for r in records] == [f"a{i}" for i in range(40)]
