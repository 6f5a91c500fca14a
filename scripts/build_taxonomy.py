"""Build processors/enrich/data/iptc_taxonomy.json from the IPTC Media Topics vocabulary.

Usage: python scripts/build_taxonomy.py PATH/TO/iptc_mapping.json
(the vocabulary ships in the test corpora: news_topics/iptc_mediatopic_taxonomy/).
Keeps every non-retired concept with its label, definition, level and parent, so
the tagger can use the top two levels as tags and the deeper ones as evidence.
IPTC Media Topics are CC-BY 4.0, (c) IPTC - https://iptc.org/standards/media-topics/
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

OUT = (
    Path(__file__).resolve().parent.parent / "processors" / "enrich" / "data" / "iptc_taxonomy.json"
)


def clean(value: object) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return str(value).strip() or None


def main(src: str) -> None:
    raw = json.loads(Path(src).read_text(encoding="utf-8"))
    topics = []
    for code, row in raw.items():
        if clean(row.get("RetiredDate")):
            continue
        levels = [clean(row.get(f"Level{i}/NewsCode")) for i in range(1, 7)]
        path = [lv for lv in levels if lv]
        level = len(path)
        topics.append(
            {
                "id": code,
                "label": clean(row.get("Name (en-GB)")),
                "definition": clean(row.get("Definition (en-GB)")) or "",
                "level": level,
                "parent": path[-2] if level > 1 else None,
                "path": path,
            }
        )
    topics.sort(key=lambda t: t["path"])
    doc = {
        "version": "iptc-mediatopic-" + str(len(topics)),
        "source": "IPTC Media Topics, CC-BY 4.0, https://iptc.org/standards/media-topics/",
        "topics": topics,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {OUT} with {len(topics)} topics")


if __name__ == "__main__":
    main(sys.argv[1])
