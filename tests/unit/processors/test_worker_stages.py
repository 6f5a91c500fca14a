"""The worker's stages as plain functions over record bytes (wirewatch/runtime/worker/
stages.py): the distributed halves give the embedded enricher's articles, a record that
does not decode is dead-lettered while the others go on, and matching reads the rules
table as the compacted topic leaves it."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from processors.enrich.pipeline import Signed
from processors.enrich.stories import StoryIndex
from processors.enrich.story_signature import StorySigner, candidate_message
from tests.support.enriched import enriched
from tests.unit.processors.conftest import SEED_TEXT, SEED_TITLE, T0, MakeEnricher, article
from wirewatch.core.messages import StoryCandidateMessage, decode, encode, rule_key
from wirewatch.core.models import Alert, AlertRule, Article, EnrichedArticle
from wirewatch.runtime.worker import stages

RAW = "articles.raw"


def received(i: int, value: bytes | None, topic: str = RAW) -> stages.Received:
    return stages.Received(topic, i % 2, i, f"k{i}".encode(), value)


def distributed(make_enricher: MakeEnricher, values: list[bytes]) -> stages.Output:
    """Sign on one worker, resolve on the resolver, as the bytes travel between them."""
    signed = stages.sign(make_enricher(), [received(i, v) for i, v in enumerate(values)], T0)
    index, out = StoryIndex(timedelta(hours=48)), stages.Output(dead=signed.dead)
    for i, (_, candidate) in enumerate(signed.records):
        resolved, record = stages.resolve(index, received(i, candidate, "candidates"), T0)
        assert record is not None
        out.records += resolved.records
    return out


def test_the_distributed_halves_give_the_embedded_articles(make_enricher: MakeEnricher) -> None:
    articles = [
        article("a1", SEED_TITLE, SEED_TEXT),
        article("a2", SEED_TITLE, SEED_TEXT, source="Copy News"),
        article("a3", "Danube floods", "Flood waters rose across the delta near Tulcea."),
    ]
    embedded = make_enricher().enrich_batch(articles).enriched
    out = distributed(make_enricher, [encode(a) for a in articles])
    assert [k for k, _ in out.records] == [b"a1", b"a2", b"a3"]
    assert [decode(EnrichedArticle, v) for _, v in out.records] == embedded
    assert embedded[0].story_id == embedded[1].story_id != embedded[2].story_id


def test_a_record_that_does_not_decode_is_dead_lettered_and_the_others_go_on(
    make_enricher: MakeEnricher,
) -> None:
    out = distributed(make_enricher, [b"{not json", encode(article("ok", "Title", "Some text."))])
    (letter,) = out.dead
    assert (letter.value, letter.key, letter.offset, letter.stage) == (
        b"{not json",
        b"k0",
        0,
        "enrich",
    )
    assert letter.reason.startswith("not a valid Article")
    assert [k for k, _ in out.records] == [b"ok"]


def test_hits_follow_the_rules_table_and_are_keyed_by_rule_and_story(
    make_enricher: MakeEnricher,
) -> None:
    ((_, value),) = distributed(
        make_enricher, [encode(article("a1", SEED_TITLE, SEED_TEXT))]
    ).records
    rule = AlertRule(id="r1", name="rafah", query="rafah", created_at=T0)
    table = {rule_key("r1"): encode(rule)}
    rules = stages.Rules()
    out = stages.match(rules.refresh(table), received(0, value, "articles.enriched"), T0)
    ((key, hit),) = out.records
    alert = decode(Alert, hit)
    assert (alert.rule_id, alert.article_id) == ("r1", "a1")
    assert key == f"r1:{alert.story_id}".encode()
    del table[rule_key("r1")]  # a tombstone on alerts.rules removes the rule
    assert stages.match(rules.refresh(table), received(0, value), T0).records == []


def _candidates(*published: datetime) -> list[StoryCandidateMessage]:
    signer = StorySigner()
    found = []
    for i, when in enumerate(published):
        e = enriched(f"a{i}", f"Headline {i}", SEED_TEXT, published_at=when)
        found.append(candidate_message(e, signer.candidate(e.article)))
    return found


def test_story_records_survive_the_changelog_and_expire_with_the_window() -> None:
    index = StoryIndex(timedelta(hours=48))
    old, new = (
        stages.resolve(index, received(i, encode(m), "candidates"), T0)[1]
        for i, m in enumerate(_candidates(T0 - timedelta(hours=50), T0))
    )
    assert old is not None and new is not None
    table = {r.article_id.encode(): stages.encode_record(r) for r in (old, new)}
    assert [stages.decode_record(k.decode(), v) for k, v in table.items()] == [old, new]
    assert stages.expired(table, T0 - index.window) == [old.article_id.encode()]


def test_an_article_that_breaks_enrichment_is_dead_lettered_and_its_batch_goes_on(
    make_enricher: MakeEnricher, monkeypatch: pytest.MonkeyPatch
) -> None:
    enricher = make_enricher()
    sign_batch = enricher.sign_batch

    def fragile(articles: list[Article], now: datetime) -> list[Signed]:
        if any(a.title == "boom" for a in articles):
            raise RuntimeError("model crashed")
        return sign_batch(articles, now)

    monkeypatch.setattr(enricher, "sign_batch", fragile)
    values = [encode(article(i, title, "Some text.")) for i, title in [("a", "A"), ("b", "boom")]]
    out = stages.sign(enricher, [received(i, v) for i, v in enumerate(values)], T0)
    assert [k for k, _ in out.records] == [b"a"]
    (letter,) = out.dead
    assert (letter.key, letter.reason) == (
        b"k1",
        "enrichment failed: RuntimeError('model crashed')",
    )
