"""`wirewatch status` asks again while a broker that has just started or restarted loads
its group coordinator, instead of calling a broker that answers "unreachable"."""

from __future__ import annotations

import time
from typing import Any

import pytest
from kafka.errors import CoordinatorNotAvailableError

from sinks.kafka.status import _group_states


class LoadingCoordinator:
    """An admin client whose broker answers CoordinatorNotAvailable `loading` times first,
    as Kafka does for a second or two after it starts (seen by the end-to-end test)."""

    def __init__(self, loading: int) -> None:
        self.loading = loading

    def describe_groups(self, group_ids: list[str]) -> dict[str, Any]:
        if self.loading:
            self.loading -= 1
            raise CoordinatorNotAvailableError("FindCoordinatorResponse error")
        return {g: {"group_state": "Stable", "members": [{}, {}]} for g in group_ids}

    def list_group_offsets(self, groups: dict[str, None]) -> dict[str, Any]:
        return {}


def test_a_loading_coordinator_is_asked_again_until_it_answers() -> None:
    states = _group_states(LoadingCoordinator(2), ["w-worker"], time.monotonic() + 5)
    assert (states["w-worker"].state, states["w-worker"].members) == ("Stable", 2)


def test_a_coordinator_still_loading_at_the_deadline_is_an_error() -> None:
    with pytest.raises(CoordinatorNotAvailableError):
        _group_states(LoadingCoordinator(1000), ["w-worker"], time.monotonic() + 0.3)
