"""Hostile XML (entity bombs, external entities, DTD retrieval) is neutralised within the
product's safety limits — 1 s of CPU and 64 MB — without touching the network or files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CORPORA, REPO
from wirewatch.core.settings import ParseSettings

HOSTILE = CORPORA / "feeds" / "xml-attacks-defusedxml" / "xmltestdata"
PROBE = Path(__file__).parent / "hostile_parse_probe.py"
LIMITS = ParseSettings()
SLACK = 3.0  # a loaded CI machine: the limit is behaviour, not speed


def files() -> list[str]:
    return sorted(p.name for p in HOSTILE.glob("*.x*")) if HOSTILE.is_dir() else ["(missing)"]


def probe(path: Path) -> dict[str, Any]:
    """Parse `path` in a subprocess under the memory cap, failing on any file or network
    access; what came out (seconds of CPU, articles, longest text, bozo reason)."""
    r = subprocess.run(
        [sys.executable, str(PROBE), str(path), str(LIMITS.memory_mb)],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert r.returncode == 0, r.stderr[-2000:]  # no MemoryError, no file or network access
    result: dict[str, Any] = json.loads(r.stdout)
    assert result["seconds"] < LIMITS.deadline * SLACK
    return result


@pytest.mark.parametrize("name", files())
def test_hostile_file_is_neutralised_within_limits(corpora: Path, name: str) -> None:
    path = HOSTILE / name
    result = probe(path)
    # no entity was expanded: nothing anywhere near a bomb's size came out
    assert result["longest_text"] < 10_000
    if b"<!ENTITY" in path.read_bytes() or b"<!DOCTYPE" in path.read_bytes():
        assert "DOCTYPE" in (result["bozo"] or "")


def _bomb(dtd: str, refs: str) -> str:
    return (
        f'{dtd}<rss version="2.0"><channel><title>{refs}</title>'
        f"<item><title>{refs}</title><link>https://hostile.example/1</link></item>"
        "</channel></rss>"
    )


_QUADRATIC = _bomb(f'<!DOCTYPE rss [<!ENTITY a "{"x" * 100_000}">]>', "&a;" * 1_000)  # 200 MB
_LAUGHS = _bomb(
    '<!DOCTYPE rss [<!ENTITY l0 "lol">'
    + "".join(f'<!ENTITY l{i} "{f"&l{i - 1};" * 10}">' for i in range(1, 10))
    + "]>",
    "&l9;",
)
_XXE = _bomb('<!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>', "&x;")
_LONG_COMMENT = "<!--" + "c" * 100_000 + "-->\n"
_PIS = '<?xml-stylesheet href="s.xsl"?>\n' * 5_000
# (encoding, document); all but the first hid their DOCTYPE from the earlier byte scan
# (the first 64 KB, ASCII or UTF-16 only)
GENERATED = {
    "billion laughs": ("utf-8", _LAUGHS),
    "quadratic blow-up after a 100 KB comment": ("utf-8", _LONG_COMMENT + _QUADRATIC),
    "quadratic blow-up in UTF-32 LE": ("utf-32le", _QUADRATIC),
    "billion laughs in UTF-32 BE": ("utf-32be", _LAUGHS),
    "billion laughs after many PIs, UTF-16 BE without BOM": ("utf-16be", _PIS + _LAUGHS),
    "external entity after a 100 KB comment": ("utf-8", _LONG_COMMENT + _XXE),
}


@pytest.mark.parametrize("name", GENERATED)
def test_a_generated_bomb_is_neutralised_within_limits(tmp_path: Path, name: str) -> None:
    encoding, document = GENERATED[name]
    path = tmp_path / "bomb.xml"
    path.write_bytes(f'<?xml version="1.0" encoding="{encoding}"?>{document}'.encode(encoding))
    result = probe(path)
    assert result["articles"] == 1 and result["longest_text"] < 10_000
    assert "DOCTYPE with entity declarations removed" in result["bozo"]
