"""Enriched news articles at any scale, from the gold news texts of the shared corpora.

Search benchmarks need many articles that look like the ones the product indexes:
real prose, entity names, topic tags, several sources, a year of dates. Running
the NER model over 100,000 texts would take hours, so entities come from a
gazetteer instead: the gold CoNLL-2003 entity names (with their gold type) and the
project's place register (`processors.enrich.gazetteer`), found in the text as
whole capitalised word sequences. Topics come from the project's own keyword
tagger (pure scoring, no model). Texts are AG News and BBC News items.

Each gold text is one story; its copies are syndicated versions (another source, a
few hours apart, some sentences dropped), as wire copy is. Everything is drawn
from one seeded `random.Random`, so a seed always gives the same articles.
Outside a clone that has `../shared/corpora` this module cannot run.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from processors.enrich.gazetteer import place_names
from processors.enrich.topics import load_tagger
from wirewatch.core.models import (
    Article,
    EnrichedArticle,
    Entity,
    EntityType,
    Provenance,
    TopicTag,
)

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
SOURCES = (
    ("BBC News", "feeds.bbci.co.uk"),
    ("Reuters", "www.reuters.com"),
    ("Al Jazeera", "www.aljazeera.com"),
    ("NPR", "feeds.npr.org"),
    ("The Guardian", "www.theguardian.com"),
    ("Deutsche Welle", "rss.dw.com"),
    ("The New York Times", "rss.nytimes.com"),
    ("The Washington Post", "feeds.washingtonpost.com"),
    ("CBS News", "www.cbsnews.com"),
    ("Associated Press", "apnews.com"),
)
CONLL_TYPES = {
    "PER": EntityType.PERSON,
    "ORG": EntityType.ORG,
    "LOC": EntityType.GPE,
    "MISC": EntityType.NORP,
}
MAX_NAME_WORDS = 4
NAME = re.compile(r"[A-Z][\w'&.-]*(?:\s+[A-Z][\w'&.-]*)*")
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
END = datetime(2026, 11, 30, tzinfo=UTC)
CALENDAR = {
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
}


@dataclass(frozen=True)
class Story:
    """One gold text with the entities and topics every copy of it carries."""

    title: str
    text: str
    entities: tuple[Entity, ...]
    topics: tuple[TopicTag, ...]


def gold_texts() -> list[tuple[str, str]]:
    """(title, text) of every AG News test item and BBC News article."""
    rows: list[tuple[str, str]] = []
    with (CORPORA / "news_topics" / "ag_news" / "test.csv").open(encoding="utf-8") as fh:
        for r in csv.reader(fh):
            if r and r[0].isdigit():
                rows.append((r[1], r[2].replace("\\", " ").replace("#36;", "$")))
    bbc = CORPORA / "news_topics" / "bbc_news" / "bbc_news.jsonl"
    for line in bbc.read_text("utf-8").splitlines():
        d = json.loads(line)
        rows.append((d["title"], d["text"]))
    return rows


def _conll_names(path: Path) -> Iterator[tuple[str, str]]:
    """(name, CoNLL label) of every entity mention in a CoNLL-2003 (IOB1) file."""
    tokens: list[str] = []
    label = ""
    for line in [*path.read_text("utf-8").splitlines(), ""]:
        cols = line.split()
        tag = cols[-1] if cols else "O"
        if tokens and (tag == "O" or tag.startswith("B-") or tag[2:] != label):
            yield " ".join(tokens), label
            tokens = []
        if tag != "O":
            tokens.append(cols[0])
            label = tag[2:]


def _common_words(texts: list[tuple[str, str]]) -> set[str]:
    """Words written lower-case at least five times: a name among them is ambiguous."""
    counts = Counter(w for t in texts for w in re.findall(r"\b[a-z]+\b", t[1]))
    return {w for w, c in counts.items() if c >= 5} | CALENDAR


def gazetteer(texts: list[tuple[str, str]]) -> dict[str, EntityType]:
    """Entity name → type: gold CoNLL-2003 names (their most frequent label), then places.

    Names that are also common words (`But`, `National`, `Wednesday`) and lone first
    or last names of people are left out, as an NER model's merged entities would.
    """
    labels: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for part in ("eng.testa", "eng.testb"):
        for name, label in _conll_names(CORPORA / "news_ner" / "conll2003" / part):
            labels[name][label] += 1
    common = _common_words(texts)
    names = {}
    for name, counts in labels.items():
        kind = CONLL_TYPES[counts.most_common(1)[0][0]]
        single = " " not in name
        ambiguous = single and (kind == EntityType.PERSON or name.lower() in common)
        if name[:1].isupper() and not name.isupper() and len(name) >= 3 and not ambiguous:
            names[name] = kind
    for place in place_names():
        names.setdefault(place, EntityType.GPE)
    return names


def find_entities(title: str, text: str, names: dict[str, EntityType]) -> list[Entity]:
    """The gazetteer names in an article, longest first within each capitalised run."""
    found: dict[str, list[int]] = {}
    body = f"{title}\n{text}"
    for run in NAME.finditer(body):
        tokens = run.group().split()
        i = 0
        while i < len(tokens):
            for n in range(min(MAX_NAME_WORDS, len(tokens) - i), 0, -1):
                candidate = " ".join(tokens[i : i + n]).rstrip(".'")
                if candidate in names:
                    found.setdefault(candidate, []).append(run.start())
                    i += n
                    break
            else:
                i += 1
    return [
        Entity(
            name=name,
            type=names[name],
            mentions=len(at),
            in_title=at[0] < len(title),
            first_position=at[0],
            salience=min(1.0, 0.2 + 0.1 * len(at) + (0.3 if at[0] < len(title) else 0.0)),
        )
        for name, at in found.items()
    ]


def stories() -> list[Story]:
    """Every gold text with its gazetteer entities and tagged topics."""
    texts = gold_texts()
    names, tagger = gazetteer(texts), load_tagger()
    out = []
    for title, text in texts:
        entities = find_entities(title, text, names)
        topics = tagger.tag(title, text, entities)
        out.append(Story(title, text, tuple(entities), tuple(topics)))
    return out


def _copy_text(rnd: random.Random, text: str) -> str:
    """A syndicated copy: the lead sentence and most of the others."""
    lead, *rest = SENTENCE_END.split(text.strip())
    return " ".join([lead, *(s for s in rest if rnd.random() < 0.8)])


def articles(n: int, seed: int = 15, days: int = 365) -> Iterator[EnrichedArticle]:
    """`n` enriched articles published over the `days` before `END`, copies of gold stories."""
    rnd = random.Random(seed)
    pool = stories()
    story_dates = [END - timedelta(days=days * rnd.random()) for _ in pool]
    provenance = Provenance(enrichment_version="bench-corpus", ner_model="gazetteer")
    for i in range(n):
        k = rnd.randrange(len(pool))
        story = pool[k]
        source, domain = rnd.choice(SOURCES)
        published = min(END, story_dates[k] + timedelta(hours=72 * rnd.random()))
        article = Article(
            id=f"bench-{seed}-{i}",
            url=f"https://{domain}/news/{seed}-{i}",
            feed_id=f"feed-{domain}",
            feed_url=f"https://{domain}/rss",
            source=source,
            source_domain=domain,
            title=story.title,
            summary=_copy_text(rnd, story.text),
            published_at=published,
            fetched_at=published + timedelta(minutes=rnd.randrange(1, 30)),
        )
        yield EnrichedArticle(
            article=article,
            language="en",
            entities=list(story.entities),
            topics=list(story.topics),
            story_id=f"story-{seed}-{k}",
            provenance=provenance,
            enriched_at=article.fetched_at,
        )
