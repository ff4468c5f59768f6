"""Split a normalised report into sections: lead, headed body sections, captions, appended articles.

Headings are recognised by shape, not by wording:

* numbered: ``一、…``, ``（一）…``, ``1、…`` (whole short line), ``第一部分…``;
* bracketed: ``【产业援疆】…`` (but not byline labels such as ``【记者】``);
* short lines without end punctuation: pairs of 4-character phrases (``突出强基固本 持续提升民生援疆``),
  comma-joined slogans (``优先改善民生，助力乡村振兴发展``), plain short titles.

Short heading-like lines at the very top (before the first paragraph) are the report's title block and stay
in the lead. Photo captions (``图为…``, a parenthesised line repeating the next paragraph, short trailing
lines after the article) become ``caption`` sections; a section a caption interrupts goes on after it
with the same heading (``heading_start``/``heading_end`` stay with the part that holds the heading line). A second article glued onto the report (a
heading-like clause after the last sentence end of a line, followed by a dateline or by a paragraph about
other recipient places) becomes an ``appended`` section. Each section gets sentences and a category
from ``data/categories.json``.
"""

from __future__ import annotations

import re
from operator import add
from typing import Final

from aid_pipeline.text.chars import HAN_RE, NON_HAN_RUN
from aid_pipeline.text.datafiles import load_json
from aid_pipeline.text.patterns import TWINS
from aid_pipeline.text.places import longest_form_regex, place_hits
from aid_pipeline.text.types import Section, Sentence

__all__ = ["segment", "section_spans", "sections_and_places", "split_sentences", "categorise", "is_heading_line", "CATEGORIES"]

# ---------------------------------------------------------------- tables

_CAT: Final = load_json("categories.json")

CATEGORIES: Final[tuple[str, ...]] = tuple(_CAT["order"])
_CAT_HEAD_W: Final[int] = int(_CAT.get("heading_weight", 4))
_CAT_BODY_CAP: Final[int] = int(_CAT.get("body_cap", 3))
_KW: Final[dict[str, tuple[str, int]]] = {}
for _cat, _words in _CAT["keywords"].items():
    for _w, _wt in _words.items():
        _KW.setdefault(_w, (_cat, int(_wt)))
_KW_RE: Final = longest_form_regex(_KW)  # longest keyword at each position
_CAT_RANK: Final = {c: i for i, c in enumerate(CATEGORIES)}

# ---------------------------------------------------------------- patterns (all linear: no nested quantifiers)
# A pattern used to scan long texts starts with a single character or character class (``[ab][ab]*``, not
# ``[ab]+``): then the regex engine skips in C to where a match can start instead of trying every position.

_END_PUNCT: Final = set("。！？；!?;…")
_TRAIL_BAD: Final = set("，,、：:（(“‘《—-")  # a line ending with these is not a finished heading
_CLOSERS: Final = set("”’」』）)》】")
_NUMBERED_RE: Final = re.compile(
    r"(?:[一二三四五六七八九十]{1,3}[、．.]"
    r"|[（(][一二三四五六七八九十]{1,3}[)）]"
    r"|第[一二三四五六七八九十]{1,3}[部分章节篇]{1,2}[、：:\s]?"
    r"|[①②③④⑤⑥⑦⑧⑨⑩])"
)
_ARABIC_NUM_RE: Final = re.compile(r"\d{1,2}[、．]")
_BRACKET_RE: Final = re.compile(r"【([^】\n]{2,16})】")
_LINES: Final = load_json("page_lines.json")  # what a line of a page is: labels, bylines, captions, datelines


def _spaced(word: str, spaced: list[str]) -> str:
    """``word`` as a regex, with one optional space between its characters when it is listed in ``spaced``:
    ``_spaced("来源", ["来源"]) -> "来\\s?源"``."""
    return r"\s?".join(map(re.escape, word)) if word in spaced else re.escape(word)


_LABEL_RE: Final = re.compile(
    r"[【\[]?(?:" + "|".join(_spaced(w, _LINES["labels"]["spaced"]) for w in _LINES["labels"]["words"])
    + r")[】\]]?\s*[:：]?"
)
_BYLINE_RE: Final = re.compile(TWINS["byline"].fast)  # its words from page_lines.json
_CAPTION_RE: Final = re.compile(r"[（(]?(?:" + "|".join(map(re.escape, _LINES["captions"]["openers"]))
                                + r"|图[:：一二三四五六七八九十\d])")
# a line standing for a picture: [图片] / 图片 / 【组图】 / an image file name (the picture itself is gone from the text)
_IMAGE_MARKER_RE: Final = re.compile(
    r"[【\[（(]?(?:图片|图|组图|配图|照片|点击查看大图|点击图片查看大图|点击放大)[】\]）)]?"
    r"|[^\s。！？，]{1,80}\.(?:jpe?g|png|gif|webp|bmp)",
    re.I,
)
# a photo credit closing a line: （摄影 王强） / （通讯员 陈晓东 摄） / （浙江援疆指挥部供图） / 摄影：王强
_PHOTO_CREDIT_RE: Final = re.compile(
    r"[（(](?:摄影|摄像|图|图片|供图|图/文|文/图)[：:/ ]?[\u4e00-\u9fff·、 ]{2,20}[)）]$"
    r"|[（(][\u4e00-\u9fff·、 ]{2,24}(?:摄|供图)[)）]$"
    r"|(?:摄影|摄)[：:][ ]?[\u4e00-\u9fff·、 ]{2,12}$"
)
# a short line stating a figure (a number and what it counts: 投入援疆资金95.6亿元, 项目400多个): a poster-style
# sentence of its own, not a heading (dates and ordinals are not figures: 2023年, 第3批)
_FIGURE_RE: Final = re.compile(
    r"\d(?<![第\d.]\d)[\d.,]*[ ]?(?:多|余)?[ ]?[万亿千百]*(?![年月日号时点届周期])[\u4e00-\u9fff%]"
    # a Chinese-numeral count closing the line (举办文化活动十几场); inside a line 五个认同 is a name, not a figure
    r"|[零一二两三四五六七八九十百千万几]{1,6}(?:多|余)?(?:个|名|人|位|家|所|项|场|次|批|户|亩|吨|台|座|万元|亿元|元)$"
)
# a line that is a figure alone (3.86亿元, 52个, 1 500余人, 80%以上): on a poster the line above names what it counts
BARE_FIGURE_LINE_RE: Final = re.compile(
    r"(?:约|近|超|逾|达|共|累计)?\d[\d., ]*(?:多|余)?[万亿千百]*[^\d\s，。；：,;:]{0,3}?(?:以上|左右|多|余)?"
)
_MAX_CAPTION_LINE: Final = 100  # a line after an image marker, or closing with a photo credit, up to this long
_DATELINE: Final = _LINES["datelines"]
_DATELINE_RE: Final = re.compile(
    r"(?:\d{4}年)?\d{1,2}月\d{1,2}日[" + re.escape(_DATELINE["after_date"]).replace(r"\ ", "") + r"\s]"
    + r"|[\u4e00-\u9fff]{2,12}(?:" + "|".join(map(re.escape, _DATELINE["agency_suffixes"]))
    + r")?[\u4e00-\u9fff]{0,6}\d{1,2}月\d{1,2}日电"
    + "|" + "|".join(map(re.escape, _DATELINE["openers"]))
    + r"|据[\u4e00-\u9fff]{1,12}(?:" + "|".join(map(re.escape, _DATELINE["reported_verbs"])) + ")"
)
_SENT_RE: Final = re.compile(TWINS["sentence_marks"].fast)  # sentence end marks, opening and closing quotes
_OPEN_Q: Final = set("“「『")
_CLOSE_Q: Final = set("”」』")
_AFTER_END: Final = set("”」』’）)")  # closers a sentence end takes with it
_AFTER_END_RE: Final = re.compile(r"[”」』’）)]+")
_QUOTE_RE: Final = re.compile(r"[“「『”」』]")
_END_RUN_RE: Final = re.compile(r"[。！？；!?;][。！？；!?;]*[’）)]*")  # _SENT_RE's end marks plus the closers taken after them
_CJK_RE: Final = HAN_RE
_NON_CJK_RE: Final = NON_HAN_RUN
_DIGIT_RE: Final = re.compile(r"\d")

_MAX_HEADING: Final = 32
_MAX_GLUED: Final = 30
_MAX_CAPTION: Final = 40
_QUOTE_SPAN: Final = 200


# ---------------------------------------------------------------- small helpers


def _ends_open(line: str) -> bool:
    """True when the line ends like an unfinished or finished sentence (not like a heading)."""
    s = line.rstrip()
    if not s:
        return True
    last = s[-1]
    if last in _END_PUNCT or last in _TRAIL_BAD:
        return True
    if last in _CLOSERS and len(s) >= 2 and s[-2] in _END_PUNCT:
        return True
    return False


_TERMINAL_RE: Final = re.compile(r"[。！？；!?;]")


def _has_inner_terminal(line: str) -> bool:
    return _TERMINAL_RE.search(line) is not None  # = any(c in "。！？；!?;" for c in line)


def _bigrams(s: str) -> set[str]:
    s = _NON_CJK_RE.sub("", s) or s  # = "".join(_CJK_RE.findall(s)) or s
    return set(map(add, s, s[1:]))  # every s[i : i + 2]


def _overlap(a: str, b: str) -> float:
    """Share of ``a``'s CJK bigrams found in ``b``."""
    ba = _bigrams(a)
    if not ba:
        return 0.0
    return len(ba & _bigrams(b)) / len(ba)


def is_heading_line(line: str) -> tuple[int, int] | None:
    """Span ``(start, end)`` of the heading at the start of ``line``, or ``None``.

    ``is_heading_line("突出强基固本 持续提升民生援疆")`` → ``(0, 15)``;
    ``is_heading_line("一、产业援疆。今年投入…")`` → ``(0, 7)``; ``is_heading_line("投入资金5亿元。")`` → ``None``
    """
    s = line.strip()
    if not s:
        return None
    off = line.index(s[0])
    if _LABEL_RE.match(s) or _CAPTION_RE.match(s):
        return None
    return _heading_span(s, off)


def _heading_span(s: str, off: int = 0) -> tuple[int, int] | None:
    """``is_heading_line`` of a stripped line ``s`` (at ``off`` in its line) that is neither a label nor a caption."""
    m = _BRACKET_RE.match(s)
    if m:
        return (off, off + m.end())
    m = _NUMBERED_RE.match(s)
    if m:
        if len(s) <= _MAX_HEADING + 8 and not _ends_open(s) and not _has_inner_terminal(s):
            return (off, off + len(s))
        # "一、产业援疆。正文…" / "（一）产业援疆：正文…": heading up to the first stop
        for i in range(m.end(), min(len(s), m.end() + _MAX_HEADING)):
            if s[i] in "。：:；;！？!?":
                if i > m.end() + 1:
                    return (off, off + i + 1)
                break
        return None
    if _ARABIC_NUM_RE.match(s) and len(s) <= _MAX_HEADING and not _ends_open(s) and not _has_inner_terminal(s):
        return (off, off + len(s))
    if _short_heading(s):
        return (off, off + len(s))
    return None


def _short_heading(s: str) -> bool:
    if len(s) > _MAX_HEADING or len(s) < 2:
        return False
    if _ends_open(s) or _has_inner_terminal(s):
        return False
    if len(_CJK_RE.findall(s)) < max(2, len(s) // 2):
        return False
    if s.count("，") + s.count(",") > 2 or "/" in s:
        return False
    if _BYLINE_RE.search(s) or _DATELINE_RE.match(s):
        return False
    if s[0] in "（(" and s[-1] in ")）":
        return False
    if len(_DIGIT_RE.findall(s)) > 6:
        return False
    return True


def _is_plain_short(s: str) -> bool:
    """A short line that is neither numbered nor bracketed and holds no sentence end: ``'财政资金投入80多亿元'`` → True."""
    return (
        len(s) <= _MAX_HEADING
        and not _ends_open(s)
        and not _has_inner_terminal(s)
        and not _NUMBERED_RE.match(s)
        and not _BRACKET_RE.match(s)
    )


def split_sentences(text: str, start: int = 0, end: int | None = None) -> list[Sentence]:
    """Sentences of ``text[start:end]``: split at 。！？； and line ends, not inside “quotes”.

    ``split_sentences("他说：“好。”我们走。\\n新段")`` → ``[Sentence(0, 11), Sentence(12, 14)]``
    """
    if end is None:
        end = len(text)
    out: list[Sentence] = []
    pos = start
    while pos < end:
        nl = text.find("\n", pos, end)
        le = end if nl < 0 else nl
        _split_line(text, pos, le, out)
        pos = le + 1
    return out


def _emit(text: str, a: int, b: int, out: list[Sentence]) -> None:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    if b > a:
        out.append(Sentence(a, b))


def _split_line(text: str, ls: int, le: int, out: list[Sentence]) -> None:
    if _QUOTE_RE.search(text, ls, le) is None:  # no quotes: every run of end marks (and closers) ends a sentence
        pos = ls
        for m in _END_RUN_RE.finditer(text, ls, le):
            e = m.end()
            _emit(text, pos, e, out)
            pos = e
        _emit(text, pos, le, out)
        return
    depth = 0
    open_at = -1
    pos = ls
    for m in _SENT_RE.finditer(text, ls, le):
        c = m.group()
        if c in _OPEN_Q:
            if depth == 0:
                open_at = m.start()
            depth += 1
        elif c in _CLOSE_Q:
            if depth > 0:
                depth -= 1
        else:
            if depth > 0 and m.start() - open_at > _QUOTE_SPAN:
                depth = 0  # an unbalanced quote: stop protecting
            if depth == 0:
                e = m.end()
                if e < le and text[e] in _AFTER_END:
                    e = _AFTER_END_RE.match(text, e, le).end()  # type: ignore[union-attr]  # = while text[e] in _AFTER_END: e += 1
                if text[pos].isspace() or text[e - 1].isspace():  # (pos < e: e is past an end mark)
                    _emit(text, pos, e, out)
                else:
                    out.append(Sentence(pos, e))
                pos = e
    _emit(text, pos, le, out)


def categorise(heading: str | None, body: str) -> str:
    """Category of a section from keyword tables, heading weighted above body.

    ``categorise("突出服务保障 深化开展就业援疆", "")`` → ``"employment"``
    """
    scores: dict[str, int] = {}
    if heading:
        for kw in _KW_RE.findall(heading):
            cat, w = _KW[kw]
            scores[cat] = scores.get(cat, 0) + w * _CAT_HEAD_W
    counts: dict[str, int] = {}  # keyword → times in the body, in order of first appearance
    for kw in _KW_RE.findall(body):
        counts[kw] = counts.get(kw, 0) + 1
    for kw, n in counts.items():
        cat, w = _KW[kw]
        scores[cat] = scores.get(cat, 0) + w * min(n, _CAT_BODY_CAP)
    if not scores:
        return "other"
    return max(scores, key=lambda c: (scores[c], -_CAT_RANK.get(c, 99)))


# ---------------------------------------------------------------- segmentation


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of each non-blank line, stripped."""
    out = []
    pos = 0
    n = len(text)
    while pos <= n:
        nl = text.find("\n", pos)
        le = n if nl < 0 else nl
        a, b = pos, le
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if b > a:
            out.append((a, b))
        if nl < 0:
            break
        pos = nl + 1
    return out


def _glued_tail(line: str) -> int | None:
    """Index where a heading-like clause glued after the last sentence end starts, else ``None``."""
    last = -1
    for i in range(len(line) - 1, -1, -1):
        if line[i] in "。！？!?；;":
            last = i
            break
    if last < 0 or last == len(line) - 1:
        return None
    j = last + 1
    while j < len(line) and line[j] in "”’」』）)":
        j += 1
    tail = line[j:].strip()
    if not tail or len(tail) > _MAX_GLUED or j < 20:
        return None
    if "，" in tail or "," in tail or not _short_heading(tail):
        return None
    return j + (len(line[j:]) - len(line[j:].lstrip()))


def segment(text: str) -> list[Section]:
    """Sections of a normalised report, in text order.

    ``segment("引言。\\n一、产业援疆\\n投入5亿元。")`` → ``[Section(0, None, "lead", …), Section(1, "一、产业援疆", "body", …)]``
    """
    return section_spans(text, detail=True)


def section_spans(text: str, detail: bool = False) -> list[Section]:
    """``segment`` without categories and sentences unless ``detail`` (``category='other'``, ``sentences=[]``).

    ``[(s.kind, s.start, s.end) for s in section_spans("引言。\\n一、产业援疆\\n投入5亿元。")]`` → ``[('lead', 0, 3), ('body', 4, 17)]``
    """
    return sections_and_places(text, detail)[0]


def sections_and_places(text: str, detail: bool = False) -> tuple[list[Section], list[tuple[int, str | None, str | None]] | None]:
    """``section_spans`` plus the ``place_hits(text)`` it used (``None`` when it needed none: no line, or no
    line that could start an appended article): ``sections_and_places("引言。")`` → ``([Section(0, None, "lead", …)], None)``.

    The phases, each a function: what each line is (``_line_kinds``), the title block (``_mark_title_block``),
    lines set alone poster-style (``_demote_poster_lines``), trailing captions (``_mark_trailing_captions``), where
    an appended article starts (``_appended_cut``), the sections (``_build_sections``)."""
    lines = _lines(text)
    if not lines:
        return [], None
    strs = [text[a:b] for a, b in lines]
    kind, head_span = _line_kinds(lines, strs)
    _mark_title_block(kind, strs)
    _demote_poster_lines(kind, head_span, strs)
    _mark_trailing_captions(text, lines, strs, kind)
    cut, hits = _appended_cut(text, lines, strs, kind, head_span)
    return _build_sections(text, lines, kind, head_span, cut, detail), hits


def _line_kinds(lines: list[tuple[int, int]], strs: list[str]) -> tuple[list[str], list[tuple[int, int] | None]]:
    """Phase 1: each line's kind (body / heading / caption / label) and its heading's span in the text:
    ``_line_kinds([(0, 6), (7, 15)], ["一、产业援疆", "投入资金5亿元。"])`` → ``(["heading", "body"], [(0, 6), None])``."""
    n = len(lines)
    kind = ["body"] * n
    head_span: list[tuple[int, int] | None] = [None] * n
    for i, s in enumerate(strs):
        if _IMAGE_MARKER_RE.fullmatch(s) or (
            len(s) <= _MAX_CAPTION_LINE
            and ((i > 0 and _IMAGE_MARKER_RE.fullmatch(strs[i - 1]) is not None) or _PHOTO_CREDIT_RE.search(s))
            and not _NUMBERED_RE.match(s)
            and not _BRACKET_RE.match(s)
        ):
            kind[i] = "caption"  # a picture, the line right under it, or a line closing with a photo credit
            continue
        if _LABEL_RE.match(s) or (len(s) <= _MAX_CAPTION and _BYLINE_RE.search(s) and not _has_inner_terminal(s)):
            kind[i] = "label"
            continue
        caption = _CAPTION_RE.match(s)
        if caption and len(s) <= 80:
            kind[i] = "caption"
            continue
        if s[0] in "（(" and s[-1] in ")）" and len(s) > 6:
            inner = s[1:-1]
            near = " ".join(strs[j] for j in (i - 1, i + 1) if 0 <= j < n)
            if _overlap(inner, near) >= 0.6:
                kind[i] = "caption"
                continue
        h_span = None if caption else _heading_span(s)  # is_heading_line(s): s is stripped, not a label
        if h_span is None:
            continue
        prev = strs[i - 1] if i > 0 else ""
        # a short line continuing a sentence broken over two lines is not a heading
        prev_broken = (
            len(prev) > _MAX_HEADING
            and prev[-1] not in _END_PUNCT
            and not (prev[-1] in _CLOSERS and prev[-2] in _END_PUNCT)
        )
        if prev_broken and h_span[1] - h_span[0] == len(s) and not _NUMBERED_RE.match(s) and not _BRACKET_RE.match(s):
            continue
        if i == n - 1 and h_span[1] - h_span[0] == len(s):
            continue  # a last line alone is a caption/sign-off candidate, not a section heading
        plain = not _NUMBERED_RE.match(s) and not _BRACKET_RE.match(s)
        if plain and h_span[1] - h_span[0] == len(s) and _FIGURE_RE.search(s):
            continue  # a figure stated on a line of its own (poster style) is body text
        kind[i] = "heading"
        head_span[i] = (lines[i][0] + h_span[0], lines[i][0] + h_span[1])
    return kind, head_span


def _mark_title_block(kind: list[str], strs: list[str]) -> None:
    """Phase 2: plain heading-like lines before the first paragraph (a line with a sentence end or a long line;
    page chrome left in the text does not count) are the title block, which stays in the lead:
    ``["heading", "body"]`` of ``["援疆十年", "投入5亿元。"]`` → ``["title", "body"]``."""
    for i in range(len(kind)):
        if kind[i] == "body" and (_has_inner_terminal(strs[i]) or len(strs[i]) > 60):
            break
        if kind[i] == "heading" and not (_NUMBERED_RE.match(strs[i]) or _BRACKET_RE.match(strs[i])):
            kind[i] = "title"


def _demote_poster_lines(kind: list[str], head_span: list[tuple[int, int] | None], strs: list[str]) -> None:
    """Phase 3: a plain short heading followed by another plain short line (no sentence end, no figure) is a
    sentence set on a line of its own, poster style, not a heading: a heading is followed by the text it heads
    (numbered and bracketed headings are headings whatever follows); so is a short line over a line holding a figure
    alone (``实施援疆项目`` / ``52个``: the label of that figure): ``["heading", "body"]`` of
    ``["优先改善民生", "助力乡村振兴"]`` → ``["body", "body"]``."""
    n = len(kind)
    demote = [
        i for i in range(n - 1)
        if kind[i] == "heading" and _is_plain_short(strs[i]) and kind[i + 1] in ("heading", "body") and _is_plain_short(strs[i + 1])
        and (not _FIGURE_RE.search(strs[i + 1])  # a heading over figures set one per line (产业援疆 / 引进企业230家) heads them
             or BARE_FIGURE_LINE_RE.fullmatch(strs[i + 1]) is not None)  # 实施援疆项目 / 52个: a label over its figure
    ]
    for i in demote:
        kind[i] = "body"
        head_span[i] = None


def _mark_trailing_captions(text: str, lines: list[tuple[int, int]], strs: list[str], kind: list[str]) -> None:
    """Phase 4: short lines after the last paragraph that repeat the body are captions (a photo's caption restating
    the article); any other short line there is a sentence set on its own line: after a long body line about
    援疆干部走访农户, the last line ``援疆干部走访农户`` becomes ``"caption"``."""
    n = len(kind)
    last_body = max((i for i in range(n) if kind[i] == "body" and len(strs[i]) > _MAX_CAPTION), default=-1)
    if last_body < 0:
        return
    cjk_before: str | None = None  # what _bigrams(before) pairs up, made once

    def overlap_before(s: str) -> float:  # _overlap(s, text up to the last body line)
        nonlocal cjk_before
        ba = _bigrams(s)
        if not ba:
            return 0.0
        if cjk_before is None:
            before = text[: lines[last_body][1]]
            cjk_before = _NON_CJK_RE.sub("", before) or before
        return sum(1 for x in ba if x in cjk_before) / len(ba)  # x in _bigrams(before) ⇔ x in cjk_before
    short_after = [True] * (n + 1)  # short_after[i]: every line from i on is caption-short
    for j in range(n - 1, -1, -1):
        short_after[j] = short_after[j + 1] and len(strs[j]) <= _MAX_CAPTION
    for i in range(last_body + 1, n):
        s = strs[i]
        if kind[i] in ("label", "caption") or len(s) > _MAX_CAPTION:
            continue
        if kind[i] == "heading" and (_NUMBERED_RE.match(s) or _BRACKET_RE.match(s)):
            continue
        if _DATELINE_RE.match(s) or (i + 1 < n and _DATELINE_RE.match(strs[i + 1])):
            continue  # a dated item (or its headline) is news, not a photo caption
        if short_after[i] and not _FIGURE_RE.search(s) and overlap_before(s) >= 0.6:
            kind[i] = "caption"


def _appended_cut(text: str, lines: list[tuple[int, int]], strs: list[str], kind: list[str],
                  head_span: list[tuple[int, int] | None]
                  ) -> tuple[tuple[int, int, int] | None, list[tuple[int, str | None, str | None]] | None]:
    """Phase 5: where a second article glued onto the report starts, as ``(line index, heading start, heading end)``,
    and the ``place_hits(text)`` it looked at (``None`` when no line could start one): a heading-like clause glued
    after a sentence end (or a heading line), followed by a dateline or by recipient places the report did not
    mention. ``(None, None)`` for a report without one."""
    n = len(lines)
    next_body = [-1] * (n + 1)
    for j in range(n - 1, -1, -1):
        next_body[j] = j if kind[j] == "body" else next_body[j + 1]
    first_at: dict[str, int] = {}
    last_at: dict[str, int] = {}
    hits = None  # place_hits(text), made when a candidate needs it
    for i in range(1, n):
        if kind[i] not in ("body", "heading"):
            continue
        nxt = next_body[i + 1]
        if nxt < 0:
            break
        a, b = lines[i]
        if kind[i] == "body":
            g = _glued_tail(strs[i])
            if g is None:
                continue
            hs, he = a + g, b
            glued = True
        else:
            span = head_span[i]
            if span is None or span[1] - span[0] != len(strs[i]):
                continue
            hs, he = a, b
            glued = False
        dateline = bool(_DATELINE_RE.match(strs[nxt]))
        if not glued and not dateline:
            continue  # no cut, whatever the places
        if hits is None:
            hits = place_hits(text)
            for start, _, recipient in hits:
                if recipient:
                    first_at.setdefault(recipient, start)
                    last_at[recipient] = start
        main_r = {r for r, p in first_at.items() if p < hs}
        rest_r = {r for r, p in last_at.items() if p >= he}
        no_main = not (rest_r & main_r)  # the rest never names the report's recipients
        shift = no_main and bool(rest_r) and bool(main_r)
        if (glued and (shift or (dateline and no_main))) or (not glued and dateline and shift):
            return (i, hs, he), hits
    return None, hits


def _build_sections(text: str, lines: list[tuple[int, int]], kind: list[str], head_span: list[tuple[int, int] | None],
                    cut: tuple[int, int, int] | None, detail: bool) -> list[Section]:
    """Phase 6: the sections from the line kinds: a heading opens a body section, a caption is a section of its own
    (the section it interrupts goes on after it with the same heading), the cut opens the appended part:
    lines ``["引言。", "一、产业援疆", "投入5亿元。"]`` of kinds ``["body", "heading", "body"]`` → a lead and a body section."""
    sections: list[Section] = []

    def close(cur: dict | None, end: int) -> None:
        if cur is None:
            return
        start = cur["start"]
        e = end
        while e > start and text[e - 1].isspace():
            e -= 1
        if e <= start:
            return
        body_from = cur["heading_end"] if cur["heading_end"] is not None else start
        heading = cur["heading"]
        sections.append(
            Section(
                ordinal=len(sections),
                heading=heading,
                kind=cur["kind"],
                category=categorise(heading or cur.get("inherit_heading"), text[body_from:e]) if detail else "other",
                start=start,
                end=e,
                sentences=split_sentences(text, body_from, e) if detail else [],
                heading_start=cur["heading_start"],
                heading_end=cur["heading_end"],
            )
        )

    def new(kind_: str, start: int, heading: tuple[int, int] | None = None, inherit: str | None = None) -> dict:
        # a section resumed after a caption keeps its heading (without a heading span of its own)
        return {
            "kind": kind_,
            "start": start,
            "heading": text[heading[0] : heading[1]] if heading else inherit,
            "heading_start": heading[0] if heading else None,
            "heading_end": heading[1] if heading else None,
            "inherit_heading": inherit,
        }

    cur: dict | None = None
    appended = False
    resume: tuple[str, str | None] = ("lead", None)  # section kind/heading a caption interrupted
    for i, (a, b) in enumerate(lines):
        if cut is not None and i == cut[0]:
            if cut[1] > a:  # glued: the line's sentences stay with the current section
                if cur is None:
                    cur = new(resume[0], a, inherit=resume[1])
                close(cur, cut[1])
            else:
                close(cur, a)
            appended = True
            cur = new("appended", cut[1], (cut[1], cut[2]))
            continue
        k = kind[i]
        if k == "caption":
            if cur is not None:  # several captions in a row keep the first interruption's state
                resume = (cur["kind"], cur["heading"])
            close(cur, a)
            close(new("caption", a), b)
            cur = None
            continue
        if k == "heading":
            close(cur, a)
            cur = new("appended" if appended else "body", a, head_span[i])
            continue
        if cur is None:
            pk, ph = resume
            cur = new("appended" if appended else pk, a, inherit=ph)
    close(cur, lines[-1][1])
    return sections
