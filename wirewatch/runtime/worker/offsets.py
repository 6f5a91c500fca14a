"""Which offset a worker may commit for a partition, from the offsets its agents acked.

A Kafka commit of offset N says "every record below N is done". faust 0.15.3 commits the
first run of consecutive acked offsets, and lets that run start one past the committed
offset (room for a transaction marker), or anywhere when it does not know the committed
offset; it also counts a jump in the offsets it fetched as done (room for compaction).
In the worker's topics (not compacted, never written in transactions) a missing offset is
a record faust dropped around a rebalance without handing it to an agent, so each of
those rules committed records no agent saw. Here a run counts only when it begins
exactly where reading began.
"""

from __future__ import annotations

from collections.abc import Iterable


def next_commit(start: int, acked: Iterable[int]) -> int | None:
    """One past the run of acked offsets that begins at `start` (the partition's committed
    offset, or where it was first read from); None while `start` itself is not acked."""
    end = start
    for offset in sorted(set(acked)):
        if offset == end:
            end += 1
        elif offset > end:
            break
    return end if end > start else None


def hole(start: int, acked: Iterable[int]) -> bool:
    """Whether records after `start` are acked but `start` is not: the record at `start`
    (and maybe more) was dropped, and nothing of this partition can be committed until it
    is read again."""
    done = set(acked)
    return start not in done and any(offset > start for offset in done)
