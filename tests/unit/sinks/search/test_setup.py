"""Setup on engines that have the retention plugins (the test nodes have neither).

A recording transport answers as ISM/ILM document they do; the real nodes cover
the "plugin missing" path (tests/integration/test_search_adapters.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest

from sinks.search.layout import Layout
from sinks.search.lifecycle import ilm_policy, ism_policy
from sinks.search.setup import install
from sinks.search.transport import EngineRefused, Reply


@dataclass
class Recorder:
    answers: dict[tuple[str, str], Reply] = field(default_factory=dict)
    sent: list[tuple[str, str, Any]] = field(default_factory=list)

    def request(self, method: str, path: str, body: Any = None) -> Reply:
        self.sent.append((method, path, body))
        if (method, path) in self.answers:
            return self.answers[(method, path)]
        if method == "GET":  # nothing is installed yet
            return Reply(404, {"error": {"type": "status_exception", "reason": "not found"}})
        return Reply(200, {"acknowledged": True})


def test_an_existing_ism_policy_is_replaced_naming_the_version_it_replaces():
    layout = Layout(prefix="news")
    path = "/_plugins/_ism/policies/news-articles-retention"
    rec = Recorder({("GET", path): Reply(200, {"_seq_no": 7, "_primary_term": 2})})
    report = install(rec, layout, "ism")
    assert report[0] == "retention: ISM policy news-articles-retention installed"
    assert ("PUT", f"{path}?if_seq_no=7&if_primary_term=2", ism_policy(layout)) in rec.sent


def test_with_ilm_the_articles_template_attaches_the_policy():
    layout = Layout(prefix="news")
    rec = Recorder()
    install(rec, layout, "ilm")
    assert ("PUT", "/_ilm/policy/news-articles-retention", ilm_policy(layout)) in rec.sent
    template = next(b for m, p, b in rec.sent if p == "/_index_template/news-articles")
    assert "news-lifecycle" in template["composed_of"]
    assert any(p == "/_component_template/news-lifecycle" for _, p, _ in rec.sent)


def test_a_refused_template_stops_setup_with_its_name_and_the_reason():
    rec = Recorder(
        {
            ("PUT", "/_component_template/news-article-mappings"): Reply(
                400, {"error": {"type": "mapper_parsing_exception", "reason": "bad analyzer"}}
            )
        }
    )
    with pytest.raises(EngineRefused, match="news-article-mappings: HTTP 400, mapper_parsing"):
        install(rec, Layout(prefix="news"), "ism")
