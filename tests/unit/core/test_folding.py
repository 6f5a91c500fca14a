"""The fate of a hit: a first alert, folded into its story's, an update, or nothing."""

from __future__ import annotations

from tests.unit.sinks.test_sqlite_store import art
from wirewatch.core.folding import Action, ArticleVersion, Decision, Prior, decide

BODY = " ".join(f"word{i}" for i in range(100))  # 100 distinct words, with the title's 3


def version(title: str = "Ceasefire talks resume", body: str = BODY) -> ArticleVersion:
    return ArticleVersion.of(art(1).model_copy(update={"title": title, "summary": body}))


def changed_words(n: int) -> str:
    return " ".join(f"new{i}" if i < n else f"word{i}" for i in range(100))


def alerted(v: ArticleVersion) -> Prior:
    return Prior("alert-1", folded=False, version=v)


def test_a_first_hit_is_a_new_alert_and_a_copy_of_its_story_is_folded_into_it() -> None:
    assert decide(version(), None, None, 0.2) == Decision(Action.NEW)
    assert decide(version(), None, "alert-1", 0.2) == Decision(Action.FOLD, "alert-1")


def test_a_changed_headline_is_an_update_whatever_the_words() -> None:
    new = version("Ceasefire talks collapse")
    assert decide(new, alerted(version()), None, 0.2) == Decision(Action.UPDATE, "alert-1")


def test_case_and_accents_in_a_headline_are_no_change() -> None:
    for same in ("CEASEFIRE talks resumé", "Ceasefire  Talks  Resume"):
        assert decide(version(same), alerted(version()), None, 0.2).action is Action.IGNORE


def test_words_changing_fire_an_update_from_the_threshold_on() -> None:
    old = alerted(version())
    assert decide(version(body=changed_words(5)), old, None, 0.2).action is Action.IGNORE
    assert decide(version(body=changed_words(34)), old, None, 0.2).action is Action.UPDATE
    assert decide(version(body=changed_words(5)), old, None, 0.05).action is Action.UPDATE


def test_the_same_version_again_or_a_folded_copy_changing_never_fires() -> None:
    assert decide(version(), alerted(version()), None, 0.2).action is Action.IGNORE
    copy = Prior("alert-1", folded=True, version=None)
    assert decide(version("Something else entirely"), copy, None, 0.2).action is Action.IGNORE


def test_without_versions_to_compare_nothing_is_an_update() -> None:
    assert decide(None, alerted(version()), None, 0.2).action is Action.IGNORE
    unknown = Prior("alert-1", folded=False, version=None)
    assert decide(version("Other"), unknown, None, 0.2).action is Action.IGNORE


def test_a_version_survives_storage_and_its_digest_is_stable() -> None:
    v = version()
    assert ArticleVersion.from_stored(v.headline, v.words_blob()) == v
    assert v.digest() == version().digest() != version(body=changed_words(1)).digest()


def test_an_older_version_replayed_after_an_update_fires_nothing() -> None:
    old, new = version(), version("Ceasefire talks collapse")
    after_update = Prior(
        "alert-1", folded=False, version=new, alerted=frozenset({old.digest(), new.digest()})
    )
    assert decide(old, after_update, None, 0.2).action is Action.IGNORE
