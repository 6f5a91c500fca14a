"""Topic tags: IPTC top-level topics with scores and evidence, and the user's own topics."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from processors.enrich.topics import TopicTagger, load_tagger
from tests.unit.processors.conftest import MakeEnricher, article
from wirewatch.core.errors import ConfigError
from wirewatch.core.query.text import stem

POLITICS, ECONOMY, SPORT = "medtop:11000000", "medtop:04000000", "medtop:15000000"

ARTICLES = {
    POLITICS: (
        "Parliament passes election reform bill",
        "Lawmakers in parliament voted 312 to 250 on Wednesday to pass the government's election "
        "reform bill, which changes how constituencies are drawn before the next general "
        "election. The opposition party said the legislation favoured the ruling coalition, and "
        "several members of parliament called for a referendum. The prime minister said the vote "
        "was a victory for democracy.",
        ["election", "vote"],
    ),
    SPORT: (
        "Arsenal beat Chelsea 2-1 to go top of the Premier League",
        "Arsenal came from behind to beat Chelsea 2-1 at the Emirates Stadium on Saturday and "
        "move to the top of the Premier League table. The striker scored twice in the second "
        "half after Chelsea had taken the lead through a penalty. The manager praised his players "
        "for their performance in the match, and the team now leads the league by two points with "
        "ten games of the season left.",
        ["league", "team"],
    ),
    ECONOMY: (
        "Central bank raises interest rates as inflation climbs",
        "The central bank raised its benchmark interest rate by half a percentage point on "
        "Thursday, its biggest increase in two decades, as inflation climbed to 7.5 percent. "
        "Economists said the move would slow economic growth and push up mortgage costs for "
        "households. Shares fell on the stock market and the currency rose against the dollar as "
        "investors weighed the risk of a recession.",
        ["inflation", "bank"],
    ),
}

GAZA = (
    "Mediators push for Gaza ceasefire",
    "Mediators from Qatar and Egypt met Hamas negotiators in Cairo on Monday to push for a "
    "ceasefire in Gaza and a hostage deal. The talks on a truce are expected to continue this "
    "week, officials said.",
)

EXAMPLE_TOPICS = Path(__file__).resolve().parents[3] / "examples" / "topics.yaml"


@pytest.mark.parametrize("topic", [POLITICS, SPORT, ECONOMY], ids=["politics", "sport", "economy"])
def test_clear_article_gets_its_iptc_top_level_topic(topic: str, tagger: TopicTagger) -> None:
    title, text, key_words = ARTICLES[topic]
    tags = {t.id: t for t in tagger.tag(title, text)}
    assert topic in tags
    tag = tags[topic]
    assert tag.score > 0
    assert {stem(w) for w in key_words} <= {stem(e) for e in tag.evidence}
    assert all(e in f"{title} {text}".lower() for e in tag.evidence)  # words as written
    others = {POLITICS, SPORT, ECONOMY} - {topic}
    assert not others & tags.keys()


def test_top_level_scores_rank_the_right_topic_first(tagger: TopicTagger) -> None:
    for topic, (title, text, _) in ARTICLES.items():
        scores = tagger.top_level_scores(title, text)
        assert max(scores, key=lambda k: scores[k]) == topic


def test_text_without_content_words_gets_no_topic(tagger: TopicTagger) -> None:
    assert tagger.tag("", "") == []
    assert tagger.tag("It is what it is", "And so it was, and so it is.") == []


# Headlines users found tagged sport on real feeds (issue 18), with the everyday words
# that fired ("hit, arms, rules"); a short standfirst of the same kind.
NOT_SPORT = [
    ("Is Thailand heading for another coup?", ""),
    ("Trump's New Arms Rules Will Hit Southeast Asia", ""),
    (
        "Trump's New Arms Rules Will Hit Southeast Asia",
        "New rules on arms exports will hit buyers across Southeast Asia. It is time to draw "
        "a line, officials said, and try to make the point that, like it or not, the rules "
        "will run for years.",
    ),
]
SPORTS_REPORT = (
    "Federer beats Roddick to win Wimbledon final",
    "Roger Federer won his third successive Wimbledon title on Sunday, beating Andy Roddick "
    "in straight sets in the men's singles final. The Swiss champion, the world number one, "
    "dropped only one set in the tournament and now has five Grand Slam titles. Roddick said "
    "he had played some of his best tennis.",
)
EVERYDAY_WORDS = {"hit", "run", "line", "try", "point", "like", "time", "arms", "rules"}


@pytest.mark.parametrize("title, text", NOT_SPORT, ids=["coup", "arms-rules", "arms-rules-text"])
def test_everyday_words_do_not_make_an_article_sport(
    title: str, text: str, tagger: TopicTagger
) -> None:
    assert SPORT not in {t.id for t in tagger.tag(title, text)}


def test_a_real_sports_report_is_tagged_sport_on_sports_words(tagger: TopicTagger) -> None:
    tags = {t.id: t for t in tagger.tag(*SPORTS_REPORT)}
    assert SPORT in tags
    assert "tennis" in tags[SPORT].evidence
    assert tags.keys() & {POLITICS, ECONOMY} == set()


@pytest.mark.parametrize(
    "title, text", [*NOT_SPORT, SPORTS_REPORT, *(a[:2] for a in ARTICLES.values())]
)
def test_evidence_of_a_tag_is_never_only_everyday_words(
    title: str, text: str, tagger: TopicTagger
) -> None:
    for tag in tagger.tag(title, text):
        assert len(tag.evidence) >= 2
        assert set(tag.evidence) - EVERYDAY_WORDS, tag


def test_a_new_tagging_method_changes_the_provenance(tagger: TopicTagger) -> None:
    """So `wirewatch reprocess` re-tags coverage tagged by the previous method."""
    assert tagger.version.endswith("/evidence-6")


def write_topics(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "my-topics.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_user_topic_fires_on_matching_text_with_its_evidence(make_enricher: MakeEnricher) -> None:
    """With the example file users start from (a Gaza ceasefire topic, among others)."""
    enricher = make_enricher(topics_file=EXAMPLE_TOPICS)
    gaza, economy = enricher.enrich_batch(
        [article("gaza-1", *GAZA), article("econ-1", *ARTICLES[ECONOMY][:2])]
    ).enriched
    tags = {t.id: t for t in gaza.topics}
    assert "user:gaza-ceasefire" in tags
    custom = tags["user:gaza-ceasefire"]
    assert custom.label == "Gaza ceasefire talks"
    assert custom.score > 0
    assert {"ceasefire", "hamas"} <= set(custom.evidence)  # a term and an entity
    assert "user:gaza-ceasefire" not in {t.id for t in economy.topics}
    assert ECONOMY in {t.id for t in economy.topics}  # the IPTC topics are still there
    # Articles tagged with the user's topics can be told apart from the rest.
    assert gaza.provenance.taxonomy_version != make_enricher().provenance.taxonomy_version


@pytest.mark.parametrize(
    "content",
    [
        "topics: [unclosed\n",
        "- just\n- a list\n",
        "topics:\n  id: not-a-list\n",
        "topics:\n  - id: user:x\n",
        "topics:\n  - id: user:x\n    label: X\n    terms: ceasefire\n",
    ],
    ids=["invalid-yaml", "no-topics-key", "topics-not-a-list", "no-label", "terms-not-a-list"],
)
def test_malformed_user_topics_file_is_refused_naming_the_file(
    content: str, tmp_path: Path, make_enricher: MakeEnricher
) -> None:
    path = write_topics(tmp_path, content)
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        make_enricher(topics_file=path)


def test_missing_user_topics_file_is_refused_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(ConfigError, match=re.escape(str(path))):
        load_tagger(path)
