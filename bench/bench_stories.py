"""Story clustering quality: copies joined and false merges, Wirewatch vs a title TF-IDF
baseline, side by side.

- Copies: every BBC News article (after folding BBC's own duplicates) gets one seeded
  copy with two edits (bench/story_copies.py); a copy is joined when it gets its
  original's story id.
- False merges: pairs of different BBC originals that share a story id, as a share of
  all pairs, and originals whose story holds another original; the same over the
  wikiref220 articles, where any two articles of different topic groups are
  different stories.
- BBC's own duplicates are folded first: articles with the same title or with word
  5-shingle Jaccard similarity ≥ 0.8 (computed exactly) are one original.
- Baseline: each article joins the story of its most similar earlier article when the
  TF-IDF cosine of their titles reaches a threshold tuned on the first half of the BBC
  originals (best copies-joined minus 10× false-merge rate); reported on the second half.

    .venv/bin/python bench/bench_stories.py
"""

from __future__ import annotations

import json
import math
import random
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from story_copies import make_copy

from processors.enrich.stories import StoryIndex
from processors.enrich.story_signature import StorySigner
from wirewatch.core.ids import article_id_from_url
from wirewatch.core.models import Article
from wirewatch.core.query.text import words

DATA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
T0 = datetime(2026, 1, 1, tzinfo=UTC)
Doc = tuple[str, str, str]  # title, text, url


def bbc() -> list[Doc]:
    rows = []
    for line in (DATA / "news_topics" / "bbc_news" / "bbc_news.jsonl").read_text().splitlines():
        d = json.loads(line)
        rows.append((d["title"], d["text"], f"https://www.bbc.co.uk/news/{d['id']}"))
    return rows


def fold(docs: list[Doc]) -> list[Doc]:
    """One original per group of BBC's own duplicates (same title, or shingle Jaccard ≥ .8)."""
    kept: list[Doc] = []
    kept_shingles: list[set[str]] = []
    titles: set[str] = set()
    index: dict[str, list[int]] = defaultdict(list)
    for doc in docs:
        if doc[0] in titles:
            continue
        toks = words(doc[1])
        sh = {" ".join(toks[i : i + 5]) for i in range(max(1, len(toks) - 4))}
        candidates = Counter(j for s in list(sh)[:50] for j in index.get(s, ()))
        if any(
            len(sh & kept_shingles[j]) / len(sh | kept_shingles[j]) >= 0.8
            for j, _ in candidates.most_common(5)
        ):
            continue
        for s in sh:
            index[s].append(len(kept))
        kept.append(doc)
        kept_shingles.append(sh)
        titles.add(doc[0])
    return kept


def article(doc: Doc, i: int) -> Article:
    title, text, url = doc
    return Article(
        id=article_id_from_url(url + f"#{i}"),
        url=url,
        feed_id="bench",
        feed_url="https://bench.example/feed",
        source="bench",
        title=title,
        text=text,
        published_at=T0 + timedelta(seconds=i),
        fetched_at=T0,
    )


Assign = Callable[[Sequence[Article]], list[str]]


def wirewatch(arts: Sequence[Article]) -> list[str]:
    index, signer = StoryIndex(timedelta(days=3650)), StorySigner()
    return [index.resolve(signer.candidate(a)).story_id for a in arts]


def tfidf_assign(threshold: float) -> Assign:
    def assign(arts: Sequence[Article]) -> list[str]:
        docs = [Counter(words(a.title)) for a in arts]
        df = Counter(w for d in docs for w in d)
        n = len(docs)
        vecs = []
        for d in docs:
            v = {w: c * math.log((1 + n) / (1 + df[w])) for w, c in d.items()}
            norm = math.sqrt(sum(x * x for x in v.values())) or 1.0
            vecs.append({w: x / norm for w, x in v.items()})
        postings: dict[str, list[int]] = defaultdict(list)
        stories: list[str] = []
        for i, v in enumerate(vecs):
            sims: dict[int, float] = defaultdict(float)
            for w, x in v.items():
                for j in postings[w]:
                    sims[j] += x * vecs[j][w]
            best = max(sims.items(), key=lambda kv: kv[1], default=(None, 0.0))
            stories.append(
                stories[best[0]] if best[0] is not None and best[1] >= threshold else f"s{i}"
            )
            for w in v:
                postings[w].append(i)
        return stories

    return assign


def stream(originals: list[Doc], seed: int) -> list[Article]:
    """The originals, then one seeded copy of each."""
    rng = random.Random(seed)
    arts = [article(d, i) for i, d in enumerate(originals)]
    return arts + [article(make_copy(*d, rng), len(arts) + i) for i, d in enumerate(originals)]


def evaluate(assign: Assign, originals: list[Doc], seed: int) -> dict[str, float]:
    n = len(originals)
    stories = assign(stream(originals, seed))
    orig_story, copy_story = stories[:n], stories[n:]
    joined = sum(c == o for c, o in zip(copy_story, orig_story, strict=True))
    sizes = Counter(orig_story)
    merged_pairs = sum(k * (k - 1) // 2 for k in sizes.values())
    pairs = n * (n - 1) // 2
    return {
        "copies": n,
        "joined": joined / n * 100,
        "false_pairs": merged_pairs,
        "false_rate": merged_pairs / pairs * 100,
        "multi": sum(k for k in sizes.values() if k > 1),
    }


def wikiref(assign: Assign) -> dict[str, float]:
    docs, groups = [], []
    for p in sorted((DATA / "near_duplicates" / "wikiref220" / "WikiRef220").glob("*.txt")):
        text = p.read_bytes().decode("utf-8", "replace")
        title, _, body = text.partition("\n")
        docs.append((title.strip(), body.strip(), f"https://wikiref.example/{p.name}"))
        groups.append(re.sub(r"( \(\d+\)|\.\d+)\.txt$", "", p.name))
    stories = assign([article(d, i) for i, d in enumerate(docs)])
    bad = sum(
        1
        for i in range(len(docs))
        for j in range(i + 1, len(docs))
        if stories[i] == stories[j] and groups[i] != groups[j]
    )
    pairs = len(docs) * (len(docs) - 1) // 2
    return {"articles": len(docs), "false_pairs": bad, "false_rate": bad / pairs * 100}


def main() -> None:
    originals = fold(bbc())
    half = len(originals) // 2
    tune, test = originals[:half], originals[half:]
    best_t, best_score = 0.5, -1e9
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        r = evaluate(tfidf_assign(t), tune, seed=1)
        score = r["joined"] - 10 * r["false_rate"] * 100
        if score > best_score:
            best_t, best_score = t, score
    print(
        f"BBC News: {len(bbc())} articles, {len(originals)} after folding BBC's own "
        f"duplicates; reported on the second half ({len(test)}), baseline threshold "
        f"{best_t} tuned on the first half"
    )
    for name, assign in (("baseline title TF-IDF", tfidf_assign(best_t)), ("wirewatch", wirewatch)):
        print(report(name, assign, test))


def report(name: str, assign: Assign, originals: list[Doc], width: int = 22) -> str:
    """One line of figures: copies joined and false merges (BBC, seed 2; wikiref220)."""
    r = evaluate(assign, originals, seed=2)
    w = wikiref(assign)
    return (
        f"{name:{width}s} copies joined {r['joined']:6.2f} %  ·  BBC false merges "
        f"{r['false_pairs']} pairs = {r['false_rate']:.4f} %, originals sharing a "
        f"story {r['multi']}  ·  wikiref220 cross-group merges {w['false_pairs']} "
        f"pairs = {w['false_rate']:.4f} %"
    )


if __name__ == "__main__":
    main()
