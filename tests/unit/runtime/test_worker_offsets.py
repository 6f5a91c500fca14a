"""The offset a worker may commit: only below records its agents all acked."""

from wirewatch.runtime.worker.offsets import hole, next_commit


def test_commits_the_run_of_acked_offsets_from_where_reading_began() -> None:
    assert next_commit(10, [12, 10, 11, 11]) == 13
    assert next_commit(0, [0, 1, 2, 5, 6]) == 3  # stops at the first missing offset


def test_commits_nothing_while_the_first_offset_is_not_acked() -> None:
    # faust 0.15.3 commits 14 here (it allows one missing offset): record 10 is lost
    assert next_commit(10, [11, 12, 13]) is None
    assert next_commit(10, [53, 54]) is None


def test_offsets_below_the_start_are_done_already() -> None:
    assert next_commit(10, [8, 9, 10]) == 11
    assert next_commit(10, [8, 9]) is None


def test_a_hole_is_a_missing_start_with_acks_after_it() -> None:
    assert hole(10, [11, 12])
    assert not hole(10, [10, 12])  # the run from 10 is committed; 11 may still come
    assert not hole(10, [])
    assert not hole(10, [9])
