"""One alert per rule per story in the SQLite hit log, through the store's hand-over."""

from __future__ import annotations

from pathlib import Path

import pytest

from processors.matching.rules import compile_rules, hits_for
from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.articles import ArticleStore
from sinks.sqlite.database import Database
from sinks.sqlite.deliveries import DeliveryStore
from tests.unit.sinks.test_sqlite_store import T, art, enrich, gaza_rule
from wirewatch.core.models import Alert, DeliveryState, EnrichedArticle

BODY = " ".join(f"word{i}" for i in range(100)) + " Gaza"


@pytest.fixture
def stores(tmp_path: Path) -> tuple[ArticleStore, AlertStore]:
    db = Database.open(tmp_path)
    alerts = AlertStore(db)
    alerts.add_rule(gaza_rule())
    return ArticleStore(db), alerts


def story(i: int, title: str = "Gaza talks resume", body: str = BODY) -> EnrichedArticle:
    e = enrich(art(i, title), story="s1")
    return e.model_copy(update={"article": e.article.model_copy(update={"summary": body})})


def commit(articles: ArticleStore, alerts: AlertStore, *batch: EnrichedArticle) -> list[Alert]:
    rule_set = compile_rules(alerts.rules())
    hits = [h for e in batch for h in hits_for(e, rule_set, T)]
    return articles.commit_enriched([(None, e) for e in batch], [], hits, now=T)


def test_a_syndicated_copy_is_folded_into_the_first_alert(
    stores: tuple[ArticleStore, AlertStore],
) -> None:
    articles, alerts = stores
    first = commit(articles, alerts, story(1))
    assert [h.article_id for h in first] == ["a1"]
    assert commit(articles, alerts, story(2)) == []  # same story, another article id
    rows = {h.alert.article_id: h for h in alerts.hits()}
    assert [d.state for d in rows["a1"].deliveries] == [DeliveryState.PENDING]
    assert rows["a1"].folded_into is None
    assert rows["a1"].alert.story_size == 2  # the pending delivery shows the current size
    assert rows["a2"].deliveries == []  # a folded copy is never sent
    assert rows["a2"].folded_into is not None and rows["a2"].folded_into.alert_id == first[0].id
    assert rows["a2"].folded_into.title == "Gaza talks resume 1"
    assert [d.alert.id for d in DeliveryStore(alerts.db).due_deliveries(T)] == [first[0].id]


def test_two_copies_in_one_batch_alert_once(stores: tuple[ArticleStore, AlertStore]) -> None:
    articles, alerts = stores
    (first,) = commit(articles, alerts, story(1), story(2))
    assert first.article_id == "a1" and first.story_size == 2


def test_a_rewritten_headline_fires_one_update_and_a_small_edit_nothing(
    stores: tuple[ArticleStore, AlertStore],
) -> None:
    articles, alerts = stores
    (first,) = commit(articles, alerts, story(1))
    edited = " ".join(f"new{i}" if i < 5 else f"word{i}" for i in range(100)) + " Gaza"
    assert commit(articles, alerts, story(1, body=edited)) == []  # 5 % of the words
    (update,) = commit(articles, alerts, story(1, "Gaza talks collapse"))
    assert update.kind == "update" and update.article_id == "a1" and update.id != first.id
    assert commit(articles, alerts, story(1, "Gaza talks collapse")) == []  # replayed
    states = {h.alert.id: [d.state for d in h.deliveries] for h in alerts.hits()}
    assert states == {first.id: [DeliveryState.PENDING], update.id: [DeliveryState.PENDING]}


def test_a_folded_copy_that_changes_never_fires(stores: tuple[ArticleStore, AlertStore]) -> None:
    articles, alerts = stores
    commit(articles, alerts, story(1), story(2))
    assert commit(articles, alerts, story(2, "Gaza talks collapse")) == []
    assert len(alerts.hits()) == 2


def test_a_replayed_batch_records_nothing_new(stores: tuple[ArticleStore, AlertStore]) -> None:
    articles, alerts = stores
    copies, update = (story(1), story(2)), (story(1, "Gaza talks collapse"),)
    assert [h.kind for h in commit(articles, alerts, *copies)] == ["article"]
    assert [h.kind for h in commit(articles, alerts, *update)] == ["update"]
    assert commit(articles, alerts, *copies) == [] and commit(articles, alerts, *update) == []
    assert len(alerts.hits()) == 3
    sizes = sorted(h.alert.story_size for h in alerts.hits() if h.alert.kind == "article")
    assert sizes == [1, 2]  # the copy counted once, not once per replay
