"""Topic tags from the IPTC Media Topics taxonomy, with the evidence that fired.

A transparent evidence scorer: every top- and second-level topic gets a profile
of stemmed words from its own label and definition and from all its descendants'
(IPTC's 1,000+ narrower concepts, e.g. 'soccer', 'election', 'inflation'), weighted
by how specific a word is across topics (IDF). An article scores each topic by
the profile words it contains; the words that contributed most are the evidence.
Users add their own topics (terms and entity names) in a YAML file.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from itertools import pairwise
from pathlib import Path
from typing import Any

import yaml
from spacy.lang.en.stop_words import STOP_WORDS

from wirewatch.core.errors import ConfigError
from wirewatch.core.models import Entity, TopicTag
from wirewatch.core.query.text import stem, words

METHOD_VERSION = "evidence-4"
MAX_TAGS = 4
MIN_SCORE = 0.08
# One shared word ("talks", "push") is coincidence, not a topic: a tag needs two
# distinct terms or names as evidence.
MIN_EVIDENCE = 2

# English function words: they carry no topic (the list is the classic SMART-style core).
_STOP = (
    frozenset(
        """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it
    its itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when
    where which while who whom why will with would you your yours yourself yourselves including
    related others various forms form types type matters issues issue activities activity people
    person use used using concerning regarding involving general news""".split()
    )
    | STOP_WORDS
)


@dataclass
class _Topic:
    id: str
    label: str
    level: int
    parent: str | None
    weights: dict[str, float] = field(default_factory=dict)
    entity_names: set[str] = field(default_factory=set)


def _terms(text: str) -> list[str]:
    return [stem(w) for w in words(text) if w not in _STOP and len(w) > 2 and not w.isdigit()]


def _with_phrases(terms: list[str]) -> list[str]:
    """The terms and their two-word phrases, so that a user's "hostage deal" matches the
    phrase and not "deal" on its own."""
    return terms + [f"{a} {b}" for a, b in pairwise(terms)]


def _first_word_per_stem(text: str) -> dict[str, str]:
    """Evidence is matched on stems but shown as the article wrote it: 'diplomacy', not
    'diplomaci'."""
    out: dict[str, str] = {}
    for w in words(text):
        out.setdefault(stem(w), w)
    return out


class TopicTagger:
    """Scores articles against topic profiles; `tag` is pure and fast."""

    def __init__(self, topics: list[_Topic], version: str) -> None:
        self.topics = topics
        self.version = version
        self._index: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for i, t in enumerate(topics):
            for term, w in t.weights.items():
                self._index[term].append((i, w))
        # The IPTC top-level topic each topic counts for (None: it files under none).
        top_level = {t.id for t in topics if t.level == 1}
        self._top_of = [
            top if (top := t.id if t.level == 1 else t.parent) in top_level else None
            for t in topics
        ]

    def tag(self, title: str, text: str, entities: Sequence[Entity] = ()) -> list[TopicTag]:
        scores, evidence = self._score(title, text, entities)
        readable: dict[str, str] | None = None  # made only once a tag needs its evidence
        ranked = sorted(((s, i) for i, s in scores.items()), reverse=True)
        tags: list[TopicTag] = []
        chosen: set[str] = set()
        for score, i in ranked:
            if score < MIN_SCORE or len(tags) >= MAX_TAGS:
                break
            t = self.topics[i]
            if t.id in chosen or len(evidence[i]) < MIN_EVIDENCE:
                continue
            chosen.add(t.id)
            top = sorted(evidence[i], key=lambda term: -evidence[i][term])[:5]
            readable = readable or _first_word_per_stem(f"{title}\n{text}")
            ev = [" ".join(readable.get(part, part) for part in term.split()) for term in top]
            tags.append(TopicTag(id=t.id, label=t.label, score=round(score, 4), evidence=ev))
        return tags

    def _score(
        self, title: str, text: str, entities: Sequence[Entity]
    ) -> tuple[dict[int, float], dict[int, dict[str, float]]]:
        counts = Counter(_with_phrases(_terms(title)) * 2 + _with_phrases(_terms(text)))
        scores: dict[int, float] = defaultdict(float)
        evidence: dict[int, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        if not counts:
            return scores, evidence
        for term, n in counts.items():
            for i, w in self._index.get(term, ()):
                contrib = w * (1 + math.log(n))
                scores[i] += contrib
                evidence[i][term] += contrib
        names = {e.name.casefold() for e in entities}
        for i, t in enumerate(self.topics):
            hit = names & t.entity_names
            if hit:
                scores[i] += 2.0 * len(hit)
                for h in hit:
                    evidence[i][h] += 2.0
        length = math.sqrt(sum(counts.values()))
        return {i: s / length for i, s in scores.items()}, evidence

    def top_level_scores(self, title: str, text: str) -> dict[str, float]:
        """Per top-level topic, the sum of its two best scores among itself and its
        second-level topics: evidence from two subtopics counts, but a big branch does
        not win by merely having many children (chosen on the stated development split
        of the benchmark, docs/enrichment.md)."""
        scores, _ = self._score(title, text, ())
        branches: dict[str, list[float]] = defaultdict(list)
        for i, score in scores.items():
            if (top := self._top_of[i]) is not None:
                branches[top].append(score)
        return {top: sum(sorted(v, reverse=True)[:2]) for top, v in branches.items()}


def _iptc_topics() -> tuple[list[_Topic], str]:
    data = json.loads(
        resources.files("processors.enrich").joinpath("data/iptc_taxonomy.json").read_text("utf-8")
    )
    rows = data["topics"]
    by_id = {r["id"]: r for r in rows}
    children: dict[str, list[str]] = defaultdict(list)
    for r in rows:
        if r["parent"]:
            children[r["parent"]].append(r["id"])

    def descendants(tid: str) -> list[dict[str, Any]]:
        out = []
        for c in children.get(tid, []):
            out.append(by_id[c])
            out.extend(descendants(c))
        return out

    raw: list[tuple[dict[str, Any], dict[str, float]]] = []
    for r in rows:
        if r["level"] > 2:
            continue
        profile: dict[str, float] = defaultdict(float)
        for term in _terms(r["label"]):
            profile[term] += 3.0
        for term in _terms(r["definition"]):
            profile[term] += 1.0
        for d in descendants(r["id"]):
            for term in _terms(d["label"]):
                profile[term] += 2.0
            for term in _terms(d["definition"]):
                profile[term] += 0.5
        raw.append((r, profile))
    df = Counter(term for _, p in raw for term in p)
    n = len(raw)
    topics = []
    for r, profile in raw:
        weights = {
            t: math.log(w + 1) * math.log(n / df[t]) for t, w in profile.items() if df[t] < n / 3
        }
        total = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        topics.append(
            _Topic(
                r["id"],
                r["label"],
                r["level"],
                r["parent"],
                {t: w / total * 3 for t, w in weights.items()},
            )
        )
    return topics, str(data["version"])


def _user_topics(path: Path) -> list[_Topic]:
    try:
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"cannot read topics file {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise ConfigError(f"topics file {path} is not valid YAML: {e}") from None
    entries = (doc or {}).get("topics") if isinstance(doc, dict) else None
    if not isinstance(entries, list):
        raise ConfigError(
            f"topics file {path} needs a top-level 'topics:' list",
            hint="see docs/enrichment.md for the format",
        )
    out = []
    for n, entry in enumerate(entries, 1):
        if not isinstance(entry, dict) or not entry.get("id") or not entry.get("label"):
            raise ConfigError(f"topics file {path}: topic #{n} needs 'id' and 'label'")
        terms = entry.get("terms") or []
        ents = entry.get("entities") or []
        if not isinstance(terms, list) or not isinstance(ents, list):
            raise ConfigError(
                f"topics file {path}: topic {entry['id']!r}: 'terms' and 'entities' must be lists"
            )
        weights: dict[str, float] = {}
        for phrase in map(str, terms):
            stems = _terms(phrase)
            if len(stems) > 2:
                raise ConfigError(
                    f"topics file {path}: topic {entry['id']!r}: term {phrase!r} has more "
                    "than two words",
                    hint="split it into words or two-word phrases",
                )
            if stems:
                weights[" ".join(stems)] = 1.0
        if not terms:  # without terms, the label's words are the evidence
            weights.update(dict.fromkeys(_terms(str(entry["label"])), 1.0))
        out.append(
            _Topic(
                str(entry["id"]),
                str(entry["label"]),
                2,
                entry.get("parent"),
                weights,
                {str(e).casefold() for e in ents},
            )
        )
    return out


def load_tagger(user_topics_file: Path | None = None) -> TopicTagger:
    topics, version = _iptc_topics()
    if user_topics_file is not None:
        extra = _user_topics(user_topics_file)
        topics += extra
        version += f"+user{len(extra)}"
    return TopicTagger(topics, f"{version}/{METHOD_VERSION}")
