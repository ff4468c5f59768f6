"""Which main-text extractor keeps the article and drops the chrome of our saved pages (tests/data/web_pages)?

    python bench/extractors.py        # needs the bench extra (trafilatura) besides readability-lxml

For each page and extractor: how many of the hand-listed article lines (``body`` in expected.json) it keeps and
how many chrome lines (``chrome``) it keeps too, and its time. A line counts as kept when its piece is in the
extractor's text (spaces ignored). This is how readability-lxml was chosen for aid_pipeline/text/html.py.
"""

from __future__ import annotations

import json
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "tests" / "data" / "web_pages"
sys.path.insert(0, str(ROOT))

from aid_pipeline.text.decode import decode_bytes  # noqa: E402


def readability_text(page: str) -> str:
    from aid_pipeline.text.html import main_text

    text, title = main_text(page)
    return title + "\n" + text  # the pipeline keeps the page's heading too (the start of its <title>)


def trafilatura_text(page: str) -> str:
    import trafilatura

    return trafilatura.extract(page, include_comments=False, include_tables=True, with_metadata=False) or ""


def main() -> None:
    expected = json.loads((PAGES / "expected.json").read_text())
    squash = lambda s: re.sub(r"\s+", "", s)  # noqa: E731
    for name, fn in (("readability-lxml", readability_text), ("trafilatura", trafilatura_text)):
        body_ok = body_all = chrome_kept = chrome_all = 0
        seconds = 0.0
        for page, exp in expected.items():
            if page.startswith("_"):
                continue
            html = decode_bytes((PAGES / page).read_bytes()).text
            t0 = time.perf_counter()
            out = squash(fn(html))
            seconds += time.perf_counter() - t0
            kept_body = [b for b in exp["body"] if squash(b) in out]
            kept_chrome = [c for c in exp["chrome"] if squash(c) in out]
            body_ok += len(kept_body)
            body_all += len(exp["body"])
            chrome_kept += len(kept_chrome)
            chrome_all += len(exp["chrome"])
            print(f"  {name:17s} {page:26s} body {len(kept_body)}/{len(exp['body'])}  chrome kept {kept_chrome}")
        print(f"{name}: body kept {body_ok}/{body_all}, chrome kept {chrome_kept}/{chrome_all}, {seconds:.2f} s")


if __name__ == "__main__":
    main()
