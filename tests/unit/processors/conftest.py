"""Fixtures for the enrichment tests.

The spaCy model takes about a second to load and the IPTC tagger a fifth of one,
so both are loaded once per session; each test gets its own `Enricher` around
them, because the story index inside it carries state from article to article.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from processors.enrich.ner import EntityExtractor
from processors.enrich.pipeline import Enricher
from processors.enrich.topics import TopicTagger, load_tagger
from wirewatch.core.clock import ManualClock
from wirewatch.core.models import Article
from wirewatch.core.settings import EnrichSettings

T0 = datetime(2026, 3, 26, 12, 0, tzinfo=UTC)

# A news article about the meeting of Yoav Gallant and Lloyd Austin in March 2024
# (the project's seed example, /work/shared/examples/seed-article.txt), kept here so
# the tests run in a clone without the shared folder.
SEED_TITLE = (
    "Israel’s Defense Minister and U.S. Defense Secretary Meet to Discuss Humanitarian "
    "Crisis in Gaza"
)
SEED_TEXT = """\
In a high-stakes meeting at the Pentagon on Tuesday, Israel’s defense minister, Yoav Gallant, \
and the U.S. defense secretary, Lloyd J. Austin III, came together to address the rapidly \
deteriorating humanitarian conditions in Gaza. The focus of the discussion was Israel’s plan to \
invade the southern city of Rafah, a move that U.S. officials have warned could lead to \
catastrophe.
Tensions between the two allies have been on the rise, especially after the U.S. decision to \
allow the passage of a U.N. resolution calling for an immediate cease-fire in Gaza. Following \
this decision, Israel’s prime minister, Benjamin Netanyahu, announced the cancellation of a \
planned delegation to Washington to discuss the potential offensive in Rafah.
During the meeting, Mr. Gallant and Mr. Austin highlighted their countries’ commitment to \
Israel’s security, but their remarks underscored a clear divide. Mr. Gallant emphasized the \
urgent need to destroy Hamas, secure the release of Israelis taken hostage in recent attacks, \
and ensure Israel’s military edge and capabilities. On the other hand, Mr. Austin focused on the \
dire consequences the war has had on Palestinian civilians, stressing the need for increased \
humanitarian aid and the safety of those in Rafah.
After the meeting, a senior Defense Department official revealed that Mr. Austin presented the \
Biden administration’s alternative approach to a major combat operation in Rafah. The plan \
includes precision targeting to root out Hamas leadership, steps to evacuate civilians, \
increased humanitarian aid, and securing the border between Gaza and Egypt.
Despite the discussions, Mr. Gallant made it clear that Israel would not be deterred in its \
mission to destroy Hamas and maintain its military advantage in the region. The Israeli minister \
also highlighted the urgency of recovering hostages held by Hamas and addressing the \
humanitarian crisis in Gaza.
As talks continue between Israel and Hamas to halt the fighting and secure the release of \
hostages, hopes for a breakthrough remain distant. The negotiations have been stalled over the \
release of Palestinian prisoners, with Hamas demanding Israel’s withdrawal from Gaza and a true \
prisoner exchange.
The meeting between Mr. Gallant and Mr. Austin comes at a critical juncture in the conflict, \
with both sides grappling with the complex challenges of balancing military objectives with \
humanitarian concerns. The outcome of their discussions will have far-reaching implications for \
the future of the region and the lives of those caught in the crossfire."""

MakeEnricher = Callable[..., Enricher]


def article(
    article_id: str,
    title: str,
    text: str,
    *,
    published_at: datetime = T0,
    language: str | None = None,
    source: str = "Example News",
) -> Article:
    return Article(
        id=article_id,
        url=f"https://news.example/{article_id}",
        feed_id="feed-1",
        feed_url="https://news.example/feed.xml",
        source=source,
        title=title,
        text=text,
        published_at=published_at,
        fetched_at=published_at,
        language=language,
    )


@pytest.fixture(scope="session")
def extractor() -> EntityExtractor:
    return EntityExtractor(EnrichSettings().spacy_model)


@pytest.fixture(scope="session")
def tagger() -> TopicTagger:
    return load_tagger()


@pytest.fixture(scope="session")
def make_enricher(extractor: EntityExtractor, tagger: TopicTagger) -> MakeEnricher:
    """An Enricher on the shared model and taxonomy, with a fresh story index."""

    def make(clock: ManualClock | None = None, **settings: object) -> Enricher:
        return Enricher(
            EnrichSettings.model_validate(settings),
            clock=clock or ManualClock(T0),
            extractor=extractor,
            tagger=None if "topics_file" in settings else tagger,
        )

    return make


@pytest.fixture
def seed_article() -> Article:
    return article("seed-1", SEED_TITLE, SEED_TEXT)
