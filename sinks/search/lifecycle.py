"""Retention by deleting old monthly indices: an ISM policy (OpenSearch), an ILM policy (ES).

Both engines count a policy's age from the index's creation, and a monthly index
is created by its first article, so a month is deleted `retention_months + 1`
months (of 31 days) after it began: its newest article is then at least
`retention_months` old. ISM attaches itself to new indices through
`ism_template`; ILM through the `index.lifecycle.name` setting that
`Layout.component_templates(ilm=True)` adds.
"""

from __future__ import annotations

from typing import Any

from sinks.search.layout import Layout


def _max_age_days(layout: Layout) -> str:
    return f"{(layout.retention_months + 1) * 31}d"


def ism_policy(layout: Layout) -> dict[str, Any]:
    """Body of `PUT _plugins/_ism/policies/<layout.lifecycle_policy>`."""
    return {
        "policy": {
            "description": f"Delete {layout.prefix} article months after "
            f"{layout.retention_months} months",
            "default_state": "live",
            "states": [
                {
                    "name": "live",
                    "actions": [],
                    "transitions": [
                        {
                            "state_name": "delete",
                            "conditions": {"min_index_age": _max_age_days(layout)},
                        }
                    ],
                },
                {"name": "delete", "actions": [{"delete": {}}], "transitions": []},
            ],
            "ism_template": [{"index_patterns": [layout.articles_pattern], "priority": 100}],
        }
    }


def ilm_policy(layout: Layout) -> dict[str, Any]:
    """Body of `PUT _ilm/policy/<layout.lifecycle_policy>`."""
    return {
        "policy": {
            "phases": {
                "hot": {"min_age": "0ms", "actions": {}},
                "delete": {"min_age": _max_age_days(layout), "actions": {"delete": {}}},
            },
            "_meta": {"managed_by": "wirewatch", "retention_months": layout.retention_months},
        }
    }
