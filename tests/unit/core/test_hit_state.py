"""A hit's one state for its chart copy, from the deliveries of its channels."""

from __future__ import annotations

import pytest

from tests.support.alerts import ALERT
from wirewatch.core.models import Channel, DeliveryState
from wirewatch.core.records import Delivery, HitRow

S = DeliveryState


def row(*states: DeliveryState) -> HitRow:
    channels = list(Channel)[: len(states)]
    return HitRow(
        ALERT, [Delivery(ALERT, c, "t", s) for c, s in zip(channels, states, strict=True)]
    )


@pytest.mark.parametrize(
    ("states", "expected"),
    [
        ((), S.NONE),
        ((S.DELIVERED, S.DELIVERED), S.DELIVERED),
        ((S.DELIVERED, S.PENDING), S.PENDING),
        ((S.HELD,), S.HELD),
        ((S.DELIVERED, S.FAILED, S.PENDING), S.FAILED),
    ],
)
def test_a_hit_is_delivered_only_once_every_channel_is_and_failed_once_one_gave_up(
    states: tuple[DeliveryState, ...], expected: DeliveryState
) -> None:
    assert row(*states).state is expected
