"""The shared alert workload (`../shared/anchors/alert-matching`) as articles and rules.

`gen_workload.py` writes documents and rules deterministically from the shared
corpora; the agreement test and `bench/bench_alerts.py` read them through here,
so both judge the matcher on the same articles and the same rule texts (the rules'
Lucene form, which the project's query language reads).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sinks.sqlite.alerts import AlertStore
from sinks.sqlite.database import Database
from wirewatch.core.ids import rule_id_for_name
from wirewatch.core.models import AlertRule, Article, EnrichedArticle, Provenance

ANCHORS = Path(__file__).resolve().parents[1].parent / "shared" / "anchors" / "alert-matching"
GENERATOR = ANCHORS / "gen_workload.py"
_T = datetime(2026, 11, 30, tzinfo=UTC)


def generate(out: Path, corpora: Path, *, docs: int = 5000, rules: int = 1000) -> tuple[Path, Path]:
    """Write the workload into `out`; returns the documents and rules files."""
    env = {**os.environ, "NEWS_CORPUS": str(corpora / "news_topics")}
    cmd = [sys.executable, str(GENERATOR), "--out", str(out)]
    subprocess.run([*cmd, "--docs", str(docs), "--rules", str(rules)], check=True, env=env)
    return out / f"docs-{docs}.jsonl", out / f"rules-{rules}.jsonl"


def load_articles(path: Path, limit: int | None = None) -> list[EnrichedArticle]:
    """Each document as an enriched article: its title, its body as the text, no entities."""
    out: list[EnrichedArticle] = []
    with path.open(encoding="utf-8") as f:
        for line in f:
            if limit is not None and len(out) >= limit:
                break
            d = json.loads(line)
            a = Article(
                id=d["id"],
                feed_id=d["source"],
                feed_url=f"https://{d['source']}.example/feed",
                source=d["source"],
                title=d["title"],
                text=d["body"],
                published_at=_T,
                fetched_at=_T,
            )
            out.append(
                EnrichedArticle(
                    article=a,
                    story_id=d["id"],
                    provenance=Provenance(enrichment_version="workload"),
                    enriched_at=_T,
                )
            )
    return out


def load_rules(path: Path) -> list[tuple[str, str]]:
    """(rule id, query) pairs, in the workload's order."""
    with path.open(encoding="utf-8") as f:
        return [(r["id"], r["lucene"]) for r in map(json.loads, f)]


def store_rules(data_dir: Path, rules: list[tuple[str, str]]) -> None:
    """Write the rules into the SQLite rule store of `data_dir`, as `alerts add` would."""
    db = Database.open(data_dir)
    store, now = AlertStore(db), datetime.now(UTC)
    try:
        for rid, query in rules:
            name = f"workload {rid}"
            store.add_rule(
                AlertRule(id=rule_id_for_name(name), name=name, query=query, created_at=now)
            )
    finally:
        db.conn.close()
