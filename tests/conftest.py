"""Shared test fixtures.

Tests that read `../shared/corpora` skip outside CI when a user's clone lacks it,
and fail under CI=true (DESIGN.md): CI must never silently run fewer tests.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("WWDEV_CORPORA", REPO.parent / "shared" / "corpora"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require(condition: bool, reason: str) -> None:
    """Skip with the reason on a user's machine; fail under CI=true."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"{reason} (CI=true: this must not be skipped)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def corpora() -> Path:
    require(CORPORA.is_dir(), f"test corpora not found at {CORPORA} (set WWDEV_CORPORA)")
    return CORPORA
