"""Shared pieces for comparing our parse with another parser's expected output.

Each corpus stores its gold in its own shape; the test modules translate it, and
this module holds what they share: how a file is parsed, how text and links are
compared (our text is markup-free and our links canonical, so the gold value is
put through the same normalisation before the comparison), and a tally that
counts checks separately from differences we accept by design, so that a test
can assert both a floor on checks and a ceiling on accepted differences.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ingest.normalise import canonical_url, html_to_text, parse_date
from ingest.parse import ParsedFeed, parse_feed
from wirewatch.core.models import Feed

NOW = datetime(2026, 11, 25, tzinfo=UTC)


def parse_file(path: Path, *, base_url: str | None = None) -> ParsedFeed:
    feed = Feed(id=path.stem, url=f"file:///{path.name}", added_at=NOW)
    return parse_feed(
        path.read_bytes(),
        feed=feed,
        fetched_at=NOW,
        content_type="application/json" if path.suffix == ".json" else None,
        base_url=base_url,
    )


def text_eq(ours: str, theirs: str) -> bool:
    """Equal as read: gold HTML becomes text, and line breaks count as spaces, because
    where a block boundary falls depends on how the markup was written, not on the text."""
    return ours.split() == html_to_text(theirs).split()


def url_eq(ours: str | None, theirs: str | None, base: str | None = None) -> bool:
    return ours == canonical_url(theirs, base)


def date_eq(ours: datetime | None, theirs: str | None) -> bool:
    return ours == (parse_date(theirs) if theirs else None)


@dataclass
class Tally:
    """Checks on one corpus: how many, which failed, and which differ by design."""

    checks: int = 0
    problems: list[str] = field(default_factory=list)
    by_design: Counter[str] = field(default_factory=Counter)
    files: int = 0

    def check(self, ok: bool, what: str) -> None:
        self.checks += 1
        if not ok:
            self.problems.append(what)

    def differ(self, reason: str) -> None:
        self.by_design[reason] += 1

    def report(self) -> str:
        lines = [f"{self.files} files, {self.checks} checks, {len(self.problems)} problems"]
        lines += [f"  by design ({n}): {r}" for r, n in self.by_design.most_common()]
        lines += self.problems[:80]
        return "\n".join(lines)

    def assert_all_agree(self, *, min_files: int, min_checks: int) -> None:
        """Enough was compared (so the test cannot pass by comparing nothing), and all of
        it agreed with the gold."""
        assert self.files >= min_files and self.checks >= min_checks, self.report()
        assert not self.problems, self.report()

    def assert_differences_listed(self, listed: Iterable[str], cap: int) -> None:
        """Every difference is one of the listed by-design reasons, and no more than `cap`."""
        assert set(self.by_design) <= set(listed), self.report()
        assert sum(self.by_design.values()) <= cap, self.report()


Compare = Callable[[str, bytes, ParsedFeed, dict[str, Any], Tally], None]


def compare_all(
    pairs: Iterable[tuple[Path, Path]],
    compare: Compare,
    *,
    name: Callable[[Path], str] = lambda src: src.name,
    load: Callable[[Path], dict[str, Any]] = lambda gold: json.loads(gold.read_text()),
) -> Tally:
    """Parse every (feed, gold) pair and let `compare` tally it against the gold."""
    out = Tally()
    for src, gold in pairs:
        compare(name(src), src.read_bytes(), parse_file(src), load(gold), out)
    return out
