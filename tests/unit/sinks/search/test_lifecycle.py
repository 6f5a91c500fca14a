"""ISM and ILM policies, checked offline against their documented structure.

Neither plugin runs on the test nodes, so these checks encode the documentation:
OpenSearch "ISM policies" (policy fields, states, actions, transitions and their
conditions) and Elasticsearch "Create or update lifecycle policy" (phases, the
actions each phase allows, time units). A check that passes a wrong policy is
itself tested below.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from sinks.search.layout import Layout
from sinks.search.lifecycle import ilm_policy, ism_policy

ISM_POLICY_FIELDS = {"description", "default_state", "states", "ism_template", "error_notification"}
ISM_ACTIONS = {
    "force_merge", "read_only", "read_write", "replica_count", "shrink", "close", "open",
    "delete", "rollover", "notification", "snapshot", "index_priority", "allocation",
    "rollup", "transform", "alias", "search_only", "convert_index_to_remote",
}  # fmt: skip
ISM_ACTION_COMMON = {"timeout", "retry"}
ISM_CONDITIONS = {"min_index_age", "min_rollover_age", "min_doc_count", "min_size", "cron"}
ILM_PHASE_ACTIONS = {
    "hot": {"set_priority", "unfollow", "rollover", "readonly", "shrink", "forcemerge",
            "searchable_snapshot", "downsample"},
    "warm": {"set_priority", "unfollow", "readonly", "allocate", "migrate", "shrink",
             "forcemerge", "downsample"},
    "cold": {"set_priority", "unfollow", "readonly", "searchable_snapshot", "allocate",
             "migrate", "downsample"},
    "frozen": {"unfollow", "searchable_snapshot"},
    "delete": {"wait_for_snapshot", "delete"},
}  # fmt: skip
TIME_VALUE = re.compile(r"^\d+(d|h|m|s|ms|micros|nanos)$")


def ism_problems(body: dict[str, Any]) -> list[str]:
    problems = []
    policy = body.get("policy")
    if not isinstance(policy, dict):
        return ["no `policy` object"]
    problems += [f"unknown policy field {k}" for k in set(policy) - ISM_POLICY_FIELDS]
    if not isinstance(policy.get("description"), str):
        problems.append("description is required")
    states = policy.get("states") or []
    names = {s.get("name") for s in states}
    if policy.get("default_state") not in names:
        problems.append("default_state names no state")
    for state in states:
        for action in state.get("actions", []):
            kinds = set(action) - ISM_ACTION_COMMON
            if len(kinds) != 1 or not kinds <= ISM_ACTIONS:
                problems.append(f"bad action {action}")
        for t in state.get("transitions", []):
            if t.get("state_name") not in names:
                problems.append(f"transition to unknown state {t.get('state_name')}")
            conditions = t.get("conditions", {})
            if len(conditions) > 1 or not set(conditions) <= ISM_CONDITIONS:
                problems.append(f"bad conditions {conditions}")
            age = conditions.get("min_index_age")
            if age is not None and not TIME_VALUE.match(age):
                problems.append(f"bad age {age}")
    for tpl in policy.get("ism_template", []):
        if not tpl.get("index_patterns") or not isinstance(tpl.get("priority", 0), int):
            problems.append(f"bad ism_template {tpl}")
    return problems


def ilm_problems(body: dict[str, Any]) -> list[str]:
    policy = body.get("policy")
    if not isinstance(policy, dict) or set(policy) - {"phases", "_meta"}:
        return ["`policy` must hold only phases and _meta"]
    problems = []
    for name, phase in policy["phases"].items():
        if name not in ILM_PHASE_ACTIONS:
            problems.append(f"unknown phase {name}")
            continue
        if not TIME_VALUE.match(phase.get("min_age", "0ms")):
            problems.append(f"bad min_age in {name}")
        problems += [
            f"{a} not allowed in {name}" for a in set(phase["actions"]) - ILM_PHASE_ACTIONS[name]
        ]
    return problems


def test_the_ism_policy_follows_the_documented_structure_and_deletes_old_months():
    layout = Layout(prefix="news", retention_months=12)
    body = ism_policy(layout)
    assert ism_problems(body) == []
    states = {s["name"]: s for s in body["policy"]["states"]}
    assert states["delete"]["actions"] == [{"delete": {}}]
    live = states[body["policy"]["default_state"]]
    assert live["transitions"][0]["conditions"] == {"min_index_age": "403d"}
    assert body["policy"]["ism_template"][0]["index_patterns"] == ["news-articles-*"]


def test_the_ilm_policy_follows_the_documented_structure_and_deletes_old_months():
    body = ilm_policy(Layout(retention_months=12))
    assert ilm_problems(body) == []
    assert body["policy"]["phases"]["delete"] == {"min_age": "403d", "actions": {"delete": {}}}


@pytest.mark.parametrize(
    "broken",
    [
        {"policy": {"description": "x", "default_state": "gone", "states": []}},
        {"policy": {"description": "x", "default_state": "a", "states": [
            {"name": "a", "actions": [{"erase": {}}], "transitions": []}]}},
        {"policy": {"description": "x", "default_state": "a", "states": [
            {"name": "a", "actions": [], "transitions": [
                {"state_name": "a", "conditions": {"min_index_age": "two years"}}]}]}},
    ],
)  # fmt: skip
def test_the_ism_check_catches_a_wrong_policy(broken):
    assert ism_problems(broken) != []


def test_the_ilm_check_catches_a_wrong_policy():
    wrong = {"policy": {"phases": {"hot": {"min_age": "0ms", "actions": {"delete": {}}}}}}
    assert ilm_problems(wrong) == ["delete not allowed in hot"]
