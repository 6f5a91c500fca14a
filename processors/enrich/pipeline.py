"""The enrichment stage: language → entities → topics → story, for a batch.

The story step is its own two stages (sign the article, resolve the signature against
the story window); the embedded runtime runs both here, in-process, with the same code
the distributed mode spreads over workers and one resolver.

Both runtimes call `Enricher.enrich_batch`. It never raises for one article:
empty or huge texts, unknown scripts, HTML remnants or control characters give
an article with what could be extracted and the reason in `notes`. NER runs in
one `nlp.pipe` call per batch, only for languages that have a model.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from processors.enrich.casing import truecase_text
from processors.enrich.entities import normalise
from processors.enrich.language import LANGUAGE_MODEL, detect_language, primary_language
from processors.enrich.mention import Mention
from processors.enrich.ner import EntityExtractor
from processors.enrich.stories import StoryIndex, story_id_for
from processors.enrich.story_signature import StoryCandidate, StorySigner
from processors.enrich.topics import TopicTagger, load_tagger
from wirewatch.core.clock import Clock, SystemClock
from wirewatch.core.models import Article, EnrichedArticle, Entity, Provenance
from wirewatch.core.records import StoryRecord
from wirewatch.core.settings import EnrichSettings

ENRICHMENT_VERSION = "1"
TOPIC_LANGUAGES = frozenset({"en"})
log = logging.getLogger("wirewatch.enrich")

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
_TAGS = re.compile(r"<[^>]{0,200}>")
_ENTITY_REFS = re.compile(r"&(?:#\d{1,7}|#x[0-9a-f]{1,6}|[a-z]{2,8});", re.I)


@dataclass(frozen=True)
class Signed:
    """An article enriched but for its story, and the candidate the story resolver needs."""

    enriched: EnrichedArticle
    candidate: StoryCandidate


@dataclass
class EnrichResult:
    enriched: list[EnrichedArticle]
    story_records: list[StoryRecord] = field(default_factory=list)


def clean_text(text: str) -> tuple[str, list[str]]:
    """Remove control characters and leftover markup; report what was removed."""
    notes = []
    if _CONTROL.search(text):
        text = _CONTROL.sub(" ", text)
        notes.append("control characters removed")
    if "<" in text and _TAGS.search(text):
        text = _TAGS.sub(" ", text)
        notes.append("HTML remnants removed")
    if "&" in text and _ENTITY_REFS.search(text):
        import html

        text = html.unescape(text)
    return text, notes


class Enricher:
    def __init__(
        self,
        settings: EnrichSettings,
        *,
        clock: Clock | None = None,
        extractor: EntityExtractor | None = None,
        tagger: TopicTagger | None = None,
        stories: StoryIndex | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock or SystemClock()
        self._owns_extractor = extractor is None
        self.extractor = extractor or EntityExtractor(
            settings.spacy_model,
            batch_size=settings.batch_size,
            processes=settings.ner_processes,
        )
        self.tagger = tagger or load_tagger(settings.topics_file)
        self.stories = stories or StoryIndex(timedelta(hours=settings.story_window_hours))
        self.signer = StorySigner(self.stories.num_perm)
        self.provenance = Provenance(
            enrichment_version=ENRICHMENT_VERSION,
            language_model=LANGUAGE_MODEL,
            ner_model=self.extractor.model_name,
            ner_model_version=self.extractor.model_version,
            taxonomy_version=self.tagger.version,
            story_method=self.stories.method,
        )

    def close(self) -> None:
        """Stop the NER worker processes, unless the extractor was lent by the caller."""
        if self._owns_extractor:
            self.extractor.close()

    def enrich_batch(self, articles: Sequence[Article]) -> EnrichResult:
        """Enrich and sign each article, then resolve its story, in stream order."""
        now = self.clock.now()
        self.stories.expire(now)
        result = EnrichResult([])
        for s in self.sign_batch(articles, now):
            assignment = self.stories.resolve(s.candidate)
            result.story_records.append(assignment.record)
            result.enriched.append(s.enriched.model_copy(update={"story_id": assignment.story_id}))
        return result

    def sign_batch(self, articles: Sequence[Article], now: datetime) -> list[Signed]:
        """Everything but story resolution: the half a distributed worker runs for its own
        partitions. Each article's story id is the one it has alone until the resolver
        (`StoryIndex.resolve` on its candidate) says otherwise."""
        prepared = [self._prepare(a) for a in articles]
        found = self._mentions([p.ner_text for p in prepared if p.run_ner])
        signed = []
        for article, p in zip(articles, prepared, strict=True):
            entities: list[Entity] = []
            mentions = next(found) if p.run_ner else []
            if isinstance(mentions, Exception):
                p.notes.append(f"ner failed: {mentions!r}"[:200])
            elif p.run_ner:
                try:
                    entities = normalise(mentions, p.ner_text, p.title_length)
                except Exception as e:
                    p.notes.append(f"entity normalisation failed: {e!r}"[:200])
            topics = []
            if p.language not in TOPIC_LANGUAGES:
                p.notes.append(
                    f"topics skipped: the taxonomy is English, text is "
                    f"{p.language or 'of unknown language'}"
                )
            elif p.body or p.title:
                try:
                    topics = self.tagger.tag(p.title, p.body, entities)
                except Exception as e:
                    p.notes.append(f"topic tagging failed: {e!r}"[:200])
            enriched = EnrichedArticle(
                article=article,
                language=p.language,
                language_confidence=p.confidence,
                entities=entities,
                topics=topics,
                story_id=story_id_for(article.id),
                provenance=self.provenance,
                notes=p.notes,
                enriched_at=now,
            )
            signed.append(Signed(enriched, self.signer.candidate(article)))
        return signed

    def _mentions(self, texts: list[str]) -> Iterator[list[Mention] | Exception]:
        """Each text's mentions as NER delivers them, so the articles before are finished
        while the workers still run the rest. After a failure, the remaining texts run
        one at a time, so only the text the model refuses loses its entities (a
        model failure must not lose the batch)."""
        done = 0
        try:
            for found in self.extractor.extract_iter(texts):
                done += 1
                yield found
            if done != len(texts):
                raise ValueError(f"NER gave {done} results for {len(texts)} texts")
        except Exception as e:
            log.warning(
                "NER failed for a batch (%r); running its %d remaining texts one by one",
                e,
                len(texts) - done,
            )
            for text in texts[done:]:
                try:
                    yield self.extractor.extract_many([text])[0]
                except Exception as one:  # this text alone: its article carries the reason
                    yield one

    def _prepare(self, article: Article) -> _Prepared:
        notes: list[str] = []
        title, n1 = clean_text(article.title)
        body, n2 = clean_text(article.body)
        notes += sorted(set(n1 + n2))
        limit = self.settings.max_text_chars
        if len(body) > limit:
            body = body[:limit]
            notes.append(f"text truncated to {limit} characters for enrichment")
        if not title.strip() and not body.strip():
            notes.append("no text to enrich")
        guess = detect_language(f"{title}\n{body}")
        language = guess.code or primary_language(article.language)
        run_ner = bool(title.strip() or body.strip())
        if run_ner and language not in self.settings.ner_languages:
            notes.append(f"ner skipped: no model for language {language or 'unknown'}")
            run_ner = False
        # Case changes only: the title keeps its length, so offsets stay valid.
        ner_text = truecase_text(f"{title}\n\n{body}" if body else title)
        return _Prepared(
            title, body, ner_text, len(title), language, guess.confidence, run_ner, notes
        )


@dataclass
class _Prepared:
    title: str
    body: str
    ner_text: str
    title_length: int
    language: str | None
    confidence: float
    run_ner: bool
    notes: list[str]
