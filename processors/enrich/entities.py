"""Per-article entity normalisation: many mentions → one entity each.

spaCy reports mentions; readers want entities. Within one article, "Mr. Gallant",
"Gallant" and "Yoav Gallant" are one person; "U.S." is the United States; an
entity gets one type, decided from all its mentions (a city name tagged GPE twice
and ORG once is a GPE), and a surname used for a person elsewhere is a person.
Honorifics, possessives and contractions ("n’t") never create entities; a
capitalised word that is only the first half of a job title ("Defense" in
"Defense Secretary") is not an organisation; an ISO code becomes its country only
where it is typed as a place and is not a common acronym ("AI" is not Anguilla).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from functools import lru_cache

import pycountry

from processors.enrich.consistency import recover_mentions
from processors.enrich.gazetteer import place_names
from processors.enrich.mention import Mention
from wirewatch.core.models import Entity, EntityType

_TITLES = (
    r"(?:mr|mrs|ms|miss|mx|dr|prof|sir|dame|lord|lady|rev|fr|gen|lt|col|maj|capt|sgt|sen|"
    r"rep|gov|pres|hon|sheikh|president|prime minister|minister|secretary|senator|judge|"
    r"justice|chancellor|king|queen|prince|princess|pope)\.?\s+"
)
_HONORIFICS = re.compile(rf"^(?:{_TITLES})+", re.I)
_TITLE_BEFORE = re.compile(rf"\b{_TITLES}$", re.I)  # "President " just before "Trump"
_POSSESSIVE = re.compile(r"(?:['’]s|s['’]|['’])$")
_EDGE_PUNCT = re.compile(r"^[\s\"'“”‘’(\[{<.,;:!?&-]+|[\s\"'“”‘’)\]}>,;:!?&-]+$")
_LEADING_THE = re.compile(r"^the\s+", re.I)
# The clitics spaCy splits off English contractions ("do|n’t", "it|’s"): never a name.
_CONTRACTION = re.compile(r"^(?:n['’]t|['’](?:s|re|ve|ll|d|m))$", re.I)
# Common English acronyms that are also ISO 3166 codes: "AI" is artificial intelligence,
# not Anguilla, even where a tagger calls it a place ("AI is changing how CI works").
_ACRONYMS = frozenset({"AI", "CI", "IO", "ML", "QA", "TLS", "DOM", "IT", "PR", "TV", "ID", "PM"})
# Role nouns that follow a qualifier in job titles: "Defense Secretary", "Foreign Minister".
_ROLE_AFTER = re.compile(
    r"^\s*(?:secretary|minister|ministry|department|chief|spokesman|spokeswoman|spokesperson|"
    r"official|officials|correspondent|editor|officer|adviser|advisor|envoy|ambassador)\b",
    re.I,
)
_NAME_SUFFIXES = frozenset({"jr", "sr", "ii", "iii", "iv", "v"})
_KEEP = {t.value for t in EntityType}
_PLACE_LABELS = frozenset({"GPE", "LOC"})
_SPACY_TO_TYPE = {t.value: t for t in EntityType}


def clean_mention(text: str) -> str:
    """Strip honorifics, possessives, 'the' and stray punctuation; '' if nothing is left."""
    t = " ".join(text.split())
    if _CONTRACTION.match(t):
        return ""
    t = _EDGE_PUNCT.sub("", t)
    t = _POSSESSIVE.sub("", t)
    t = _LEADING_THE.sub("", t)
    t = _HONORIFICS.sub("", t)
    return _EDGE_PUNCT.sub("", t)


@lru_cache(maxsize=4096)
def country_for_code(text: str) -> str | None:
    """'U.S.' → 'United States', 'UK' → 'United Kingdom' (ISO 3166 codes, via pycountry)."""
    code = text.replace(".", "").replace(" ", "")
    if not (2 <= len(code) <= 3 and code.isalpha() and code.isupper()):
        return None
    if code == "UK":  # exceptionally reserved in ISO 3166-1 for the United Kingdom
        code = "GB"
    country = (
        pycountry.countries.get(alpha_2=code)
        if len(code) == 2
        else pycountry.countries.get(alpha_3=code)
    )
    if country is None:
        return None
    return str(getattr(country, "common_name", None) or country.name)


def _key(name: str) -> str:
    return name.replace(".", "").casefold()


def resolve_mentions(
    mentions: Sequence[Mention], text: str, *, recover: bool = True
) -> list[tuple[Mention, str]]:
    """Clean each mention's span, drop non-entities, and give every mention of one entity
    the type decided from all its mentions. Returns (mention, display name) pairs; the
    mention's span and label are the corrected ones. `recover=False` skips recovering
    missed mentions (`consistency`), for measuring what that step gains."""
    groups: dict[str, list[tuple[Mention, str]]] = defaultdict(list)
    for m in recover_mentions(mentions, text) if recover else mentions:
        if m.label not in _KEEP:
            continue
        name = clean_mention(m.text)
        if not name or not any(c.isalpha() for c in name):
            continue
        if m.label == "ORG" and " " not in name and _ROLE_AFTER.match(text[m.end : m.end + 20]):
            continue  # "Defense" of "Defense Secretary" is a qualifier; "U.S. officials" stays
        offset = m.text.find(name)
        span = (
            Mention(name, m.label, m.start + max(offset, 0), m.start + max(offset, 0) + len(name))
            if offset >= 0
            else m
        )
        if m.label in _PLACE_LABELS and name not in _ACRONYMS:
            name = country_for_code(name) or name  # "U.S." typed as a place is a country
        groups[_key(name)].append((span, name))
    _merge_people(groups)
    out: list[tuple[Mention, str]] = []
    for items in groups.values():
        labels = Counter(m.label for m, _ in items)
        label = max(
            labels, key=lambda lb: (labels[lb], -min(m.start for m, _ in items if m.label == lb))
        )
        if label == "NORP" and items[0][1] in place_names():
            label = "GPE"  # "Bucharest" is a city, not a nationality
        elif " " not in items[0][1] and any(_titled(m, text) for m, _ in items):
            label = "PERSON"  # "Trump's tariffs" (ORG) with "President Trump" elsewhere
        out.extend((Mention(m.text, label, m.start, m.end), n) for m, n in items)
    out.sort(key=lambda x: x[0].start)
    return out


def _titled(m: Mention, text: str) -> bool:
    """A mention written with a title or honorific: "President Trump", "Mr. Gallant"."""
    return bool(
        _HONORIFICS.match(m.text) or _TITLE_BEFORE.search(text[max(0, m.start - 20) : m.start])
    )


def normalise(mentions: Sequence[Mention], text: str, title_length: int) -> list[Entity]:
    """Merge the mentions of one article into entities with counts, types and salience."""
    groups: dict[str, list[tuple[Mention, str]]] = defaultdict(list)
    for m, name in resolve_mentions(mentions, text):
        groups[_key(name)].append((m, name))
    _merge_people(groups)
    total = max(1, len(text))
    entities = []
    most = max((len(v) for v in groups.values()), default=1)
    for items in groups.values():
        label = items[0][0].label
        surface = Counter(n for _, n in items)
        canonical = max(surface, key=lambda n: (len(n.split()), surface[n], len(n)))
        first = min(m.start for m, _ in items)
        in_title = any(m.start < title_length for m, _ in items)
        count = len(items)
        salience = 0.5 * count / most + 0.3 * in_title + 0.2 * (1 - first / total)
        aliases = sorted(
            ({n for _, n in items} | {text[m.start : m.end] for m, _ in items}) - {canonical}
        )
        entities.append(
            Entity(
                name=canonical,
                type=_SPACY_TO_TYPE[label],
                mentions=count,
                in_title=in_title,
                first_position=first,
                salience=round(min(1.0, salience), 4),
                aliases=aliases[:10],
            )
        )
    entities.sort(key=lambda e: (-e.salience, e.first_position))
    return entities


def _merge_people(groups: dict[str, list[tuple[Mention, str]]]) -> None:
    """'Gallant' joins 'Yoav Gallant' when exactly one full name ends (or starts) with it;
    when several do ("Donald Trump", "Eric Trump") it joins none but is a person."""
    full: dict[str, list[str]] = defaultdict(list)
    for key, items in groups.items():
        if any(m.label == "PERSON" for m, _ in items) and " " in key:
            parts = [p for p in key.split() if p not in _NAME_SUFFIXES]
            full[parts[-1]].append(key)
            full[parts[0]].append(key)
    for key in list(groups):
        if " " in key or key not in full:
            continue
        targets = set(full[key])
        if len(targets) == 1:
            target = targets.pop()
            if target != key:  # the full name decides the type: "Lebed" is a person
                groups[target].extend(
                    (Mention(m.text, "PERSON", m.start, m.end), n) for m, n in groups.pop(key)
                )
        else:
            groups[key] = [(Mention(m.text, "PERSON", m.start, m.end), n) for m, n in groups[key]]
