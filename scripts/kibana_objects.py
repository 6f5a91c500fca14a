"""Write the committed saved objects: deploy/kibana/ and deploy/opensearch-dashboards/.

Usage: python scripts/kibana_objects.py
Generated from the index layout (default prefix `wirewatch`) by `sinks.kibana`, so
names and fields never drift from the templates; tests/unit/sinks/kibana checks the
committed files equal this output. `wirewatch kibana import` generates the same
objects for the configured prefix, so it needs none of these files.
"""

from __future__ import annotations

from pathlib import Path

from sinks.kibana.export import Flavour, saved_objects, to_ndjson
from sinks.search.layout import Layout

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"
FILES: dict[Flavour, Path] = {
    "kibana": DEPLOY / "kibana" / "wirewatch.ndjson",
    "opensearch": DEPLOY / "opensearch-dashboards" / "wirewatch.ndjson",
}


def main() -> None:
    for flavour, path in FILES.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_ndjson(saved_objects(Layout(), flavour)), encoding="utf-8")
        print(path.relative_to(DEPLOY.parent))


if __name__ == "__main__":
    main()
