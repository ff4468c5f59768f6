"""Saved web pages (``.html``/``.htm``): the page normalised as a browser shows it, with the lines that are not the
article dropped as page chrome (no Dagster import).

The article's main text is chosen by readability-lxml (``readability.Document(...).summary()``): on our own
real-style pages (``tests/data/web_pages``) it kept every body line and dropped navigation, related-link lists,
counters and footers, where trafilatura kept a table layout's navigation and footer and joined an ``<article>``
into one line (see ``tests/test_web_pages.py``). The raw text stays the HTML: ``normalise(page, page=True)``
removes head, scripts, styles, comments, tags and entities with the offset map, so a metric's
``raw_text[raw_start:raw_end]`` is its characters in the HTML. A line of that text is kept when the extractor's
main text holds it (a whole line of it, or, from 8 characters up, a part of it) or when it is the page's
heading (the start of its ``<title>``); other lines go to ``dropped_lines`` as ``not_main_text`` (page chrome
rules name theirs first: a date/source line keeps ``date_source``, so metadata still reads it).
"""

from __future__ import annotations

import re
from typing import Callable, Final

from .chars import CJK_RE
from .normalise import normalise
from .types import Normalised

__all__ = ["article_heading", "main_text", "normalise_page", "page_line_filter"]

_SPACES: Final = re.compile(r"\s+")
_MIN_PART: Final = 8  # a line this long may be a part of a main-text line (inline links split nothing)
_MIN_TITLE: Final = 4
_MIN_ARTICLE: Final = 30  # Chinese characters the extractor's text must hold to be taken as the article
_TITLE_SEP: Final = re.compile(r"[_|｜—–-]{1,2}|\s[-—]\s")  # 标题_网站名, 标题--频道, 标题 - 网站


def _squash(s: str) -> str:
    return _SPACES.sub("", s)


def main_text(page: str) -> tuple[str, str]:
    """The article text readability-lxml finds in a page (one text node per line) and the page's ``<title>``:
    ``main_text('<html><head><title>援疆_网</title></head><body><div><p>投入5亿元。</p></div></body></html>')``
    → ``('投入5亿元。', '援疆_网')``. ``('', title)`` when it finds none."""
    import lxml.html
    from readability import Document

    try:
        doc = Document(page)
        title = doc.title() or ""
        summary = doc.summary(html_partial=True)
        tree = lxml.html.fromstring(summary)
    except Exception:  # readability raises on pages it cannot parse (empty body, broken markup): no main text
        return "", ""
    parts = [_SPACES.sub(" ", x).strip() for x in tree.itertext()]
    return "\n".join(x for x in parts if x), title.strip()


def article_heading(page: str) -> str:
    """The page's article heading: the longest ``<h1>`` of at least 8 characters (a site logo in an ``<h1>`` is
    shorter), which readability leaves out of the main text and which often says more than ``<title>``:
    ``article_heading('<h1>网</h1><h1>辽宁今年投入援疆资金4.3亿元</h1>')`` → ``'辽宁今年投入援疆资金4.3亿元'``; ``''`` when none."""
    import lxml.html

    try:
        tree = lxml.html.fromstring(page)
    except Exception:  # an empty or broken page: no heading
        return ""
    found = [_SPACES.sub(" ", h.text_content()).strip() for h in tree.iter("h1")]
    found = [h for h in found if len(_squash(h)) >= _MIN_PART]
    return max(found, key=len) if found else ""


def page_line_filter(page: str) -> Callable[[str], bool] | None:
    """Which normalised lines of ``page`` are its article: ``page_line_filter(html)('投入5亿元。')`` → ``True``;
    ``None`` (keep every line) when the extractor finds no main text or one of fewer than 30 Chinese characters."""
    text, title = main_text(page)
    if len(CJK_RE.findall(text)) < _MIN_ARTICLE:
        return None  # no article found, or too little to be one (a short page): the chrome rules alone decide
    main = normalise(text)  # the same normalisation as the page's lines, so the two compare
    lines = {_squash(ln) for ln in main.text.split("\n")}
    lines.update(_squash(d.text) for d in main.dropped)
    joined = "".join(_squash(ln) for ln in main.text.split("\n"))
    heads: list[str] = []
    if title:
        norm_title = normalise(title)  # alone, a title may read as chrome (标题--新闻频道: a site name): take it anyway
        t = _squash(norm_title.text + "".join(d.text for d in norm_title.dropped))
        first = _squash(_TITLE_SEP.split(t, 1)[0])  # 标题_网站名: the part before the site's name
        heads = [t] + ([first] if len(first) >= _MIN_TITLE else [])
    h1 = article_heading(page)
    if h1:
        heads.append(_squash(normalise(h1).text))

    def keep(line: str) -> bool:
        sq = _squash(line)
        if not sq:
            return False
        if sq in lines or (len(sq) >= _MIN_PART and sq in joined):
            return True
        return len(sq) >= _MIN_TITLE and any(h == sq or (h.startswith(sq) and 2 * len(sq) >= len(h)) for h in heads)

    return keep


def normalise_page(page: str) -> Normalised:
    """``normalise`` of a saved web page, the lines that are not its article dropped as ``not_main_text``:
    ``normalise_page('<html><body><nav>首页</nav><div><p>援疆资金投入5亿元。…</p></div></body></html>').text``
    → ``'援疆资金投入5亿元。…'``."""
    return normalise(page, page=True, keep_line=page_line_filter(page))
