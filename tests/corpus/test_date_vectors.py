"""feedparser's date test vectors, through the project's own date normaliser.

Each vector names one of feedparser's date handlers, an input and the expected
UTC time tuple (or None: not a date). `parse_date` runs every handler, so each
input must give the expected instant whichever format it is in.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from ingest.normalise import parse_date
from tests.conftest import CORPORA

pytestmark = pytest.mark.corpus

VECTORS_FILE = CORPORA / "feeds" / "feedparser" / "date_test_vectors.json"
VECTORS: list[dict[str, Any]] = (
    json.loads(VECTORS_FILE.read_text(encoding="utf-8")) if VECTORS_FILE.is_file() else []
)
# The one vector we do not meet, and why: the W3CDTF handler wants "22013" refused, but
# the ISO-8601 handler's vector "03335" (expected 2003-12-01) requires reading a bare
# YYDDD string as an ordinal date — so "22013" reads as day 13 of 2022. The two
# vectors contradict each other once every handler runs on every input.
CONTRADICTED = {"22013"}
# Read correctly, then refused on purpose: no news item is dated before 1970 (a year-1 or
# epoch date is a publisher's "zero time" for no date; see ingest/normalise/dates.py).
IMPLAUSIBLE = {"Thu, 01 Jan 0100 00:00:01 +0100"}


def test_the_vectors_are_there() -> None:
    assert len(VECTORS) >= 70, f"expected feedparser's date vectors in {VECTORS_FILE}"


@pytest.mark.parametrize(
    "vector", VECTORS, ids=[f"{v['parse_date']}:{v['input_value']}" for v in VECTORS]
)
def test_date_vector(vector: dict[str, Any]) -> None:
    got = parse_date(vector["input_value"])
    expected = vector["expected_value"]
    if vector["input_value"] in CONTRADICTED:
        assert got is not None and (got.year, got.timetuple().tm_yday) == (2022, 13)
        return
    if expected is None or vector["input_value"] in IMPLAUSIBLE:
        assert got is None, f"{vector['input_value']!r} is not a date, read as {got}"
    else:
        assert got is not None, f"{vector['input_value']!r} was not read"
        assert got.utcoffset() is not None and got.utcoffset().total_seconds() == 0
        assert list(got.timetuple())[:6] == expected[:6]
