"""A real article page where trafilatura's precision mode finds nothing still yields its
body: extraction falls back to the default mode (scrapinghub benchmark page)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from ingest.fulltext import extract_main_text

PAGE = "c00962aabe7bdd1fca78f5360ea7fa93cd7674863b05157e00827506a7aa58c4"  # The Space Review


def test_a_page_precision_mode_empties_still_gives_its_article(corpora: Path) -> None:
    data = corpora / "news_articles" / "scrapinghub-aeb"
    gold = json.loads((data / "ground-truth.json").read_text())[PAGE]["articleBody"]
    html = gzip.decompress((data / "html" / f"{PAGE}.html.gz").read_bytes())

    assert extract_main_text(html, None, fallback=False) is None  # precision mode alone
    text = extract_main_text(html, None)

    assert text is not None
    assert gold[:120] in text  # the article's opening paragraph
    assert gold[-120:] in text  # through to its last sentence
