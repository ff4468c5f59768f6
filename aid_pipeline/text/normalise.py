"""Raw report text → normalised Simplified text with an exact offset map and the edits that explain it (no Dagster import).

The normalisation is a list of named steps (``NORMALISATION_STEPS``, in order). Each step is a function that
reads the text as the steps before it left it and returns its changes as ``Edit(step, start, end, before, after)``
(offsets into the text it read); ``OffsetText.apply`` puts them in place and rebuilds the raw span of every
character: a character ``after`` holds maps to the whole raw span of ``before``, or to its own raw character when
``before`` and ``after`` are equally long (an ``Edit`` that converts ``國`` to ``国``). The steps:

mojibake repair (``mojibake.py``); line breaks (``\\r\\n``, ``\\r``, U+2028/9 → ``\\n``); HTML entities, tags and
fragments (a sentence cut by ``/p>`` + line break is joined again) or, for a saved web page, what a browser does
not show; pinyin annotations glued after a CJK character (``潤(rùn)`` → ``潤``; ``(EICU)`` stays); zero-width
characters; full-width ASCII and odd spaces; Traditional → Simplified (length-preserving); brackets around
Chinese; ASCII ``, : ; ! ? ( )`` next to CJK → full-width; doubled marks collapsed; spaces (digit↔CJK,
around punctuation, runs, line edges); blank lines; page-chrome lines (``data/boilerplate.json``).

``normalise_and_explain(raw)`` gives the result and every edit in order, as ftfy's ``fix_and_explain`` does;
``normalise(raw)`` the result alone, whose ``stats`` counters are counted from the edits.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from collections.abc import Sequence
from typing import Callable, Final, NamedTuple

from .chars import CJK, CJK_RE, FULL_WIDTH_MARKS, PINYIN_LETTERS, SYLLABLE_SEP, TONE_RE, UNTONE, is_cjk
from .convert import script_of, to_simplified
from .datafiles import load_json
from .mojibake import LOST, find_corrupt_spans
from .patterns import SURE_FULL_WIDTH
from .types import CorruptSpan, DroppedLine, Edit, EditLog, Normalised, TextEdit

__all__ = ["normalise", "normalise_and_explain", "edits_at", "classify_lines", "is_pinyin_annotation", "STAT_KEYS", "OffsetText",
           "Edit", "EditLog", "StepEdits", "NORMALISATION_STEPS", "Step"]

STAT_KEYS: Final = (
    "traditional_converted",
    "pinyin_removed",
    "punct_collapsed",
    "html_removed",
    "mojibake_repaired",
    "mojibake_unrecovered",
    "boilerplate_lines",
    "spaces_removed",
)

_CJK_RE: Final = CJK_RE
_PINYIN_LETTERS: Final = PINYIN_LETTERS
_TONE: Final = TONE_RE
_SYLLABLE_SEP: Final = SYLLABLE_SEP
_UNTONE: Final = UNTONE
_PUNCT_FW: Final = FULL_WIDTH_MARKS
_TERMINAL: Final = set("。！？；…”」』!?.;")
# --- compiled patterns (all linear: bounded or non-overlapping quantifiers) --------------------------
# A pattern used to scan long texts starts with a single character or character class (``[ab][ab]*``, not
# ``[ab]+``): then the regex engine skips in C to where a match can start instead of trying every position.
# readable twin: patterns.TWINS['newlines'] (\r\n?|[…]); starting with a character class lets the regex engine skip
# ahead to the next candidate character in C (the same holds for the other patterns written this way)
_NEWLINES: Final = re.compile(r"[\r\u2028\u2029\x85\x0b\x0c](?:(?<=\r)\n)?")
_ENTITY: Final = re.compile(r"&(?:[a-zA-Z]{2,8}|#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6});")
_BLOCK_TAGS: Final = "p|br|div|li|ul|ol|tr|td|th|table|tbody|h[1-6]|section|article|center|blockquote|hr"
_INLINE_TAGS: Final = "span|font|strong|b|i|em|u|a|img|sup|sub|small|big|label|o:p"
_TAG: Final = re.compile(
    rf"</?(?:{_BLOCK_TAGS}|{_INLINE_TAGS})(?:\s[^<>\n]{{0,300}})?\s?/?>"  # whole tags
    rf"|(?<![A-Za-z0-9<])/(?:{_BLOCK_TAGS}|{_INLINE_TAGS})>"  # fragment: /p>
    rf"|(?<![A-Za-z0-9</])(?:{_BLOCK_TAGS})>"  # fragment: p>, br>
    rf"|</?(?:{_BLOCK_TAGS})[ \t]*(?=\n|\Z)",  # fragment: <p / </p at line end
    re.I,
)
_TAG_ANGLE: Final = re.compile(r"[<>]")
# every _TAG match holds a < (where it starts) or a > (at most this many chars after its start: /blockquote>)
_TAG_REACH: Final = 1 + max(len(name) for name in f"{_BLOCK_TAGS}|{_INLINE_TAGS}".split("|"))
_TAG_BLOCK: Final = re.compile(rf"</?(?:{_BLOCK_TAGS})\b|(?:{_BLOCK_TAGS})>", re.I)
_PINYIN: Final = re.compile(
    rf"[(（](?<=[{CJK}][(（])[ ]?[{_PINYIN_LETTERS}]{{1,7}}[1-5]?(?:[ '’·-][{_PINYIN_LETTERS}]{{1,7}}[1-5]?){{0,5}}[ ]?[)）]"
)
_ZERO_WIDTH: Final = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad][\u200b-\u200d\u2060\ufeff\u00ad]*")  # twin: TWINS['zero_width']
_SPACE_MAP: Final = {c: " " for c in "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"}
_FW_MAP: Final = {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
_FW_MAP.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FW_MAP.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FW_MAP.update({"％": "%", "．": ".", "＋": "+", "－": "-", "／": "/", "＝": "=", "＆": "&", "＠": "@", "＃": "#"})
_TRANSLATE: Final = str.maketrans({**_SPACE_MAP, **_FW_MAP})
# the same mapping as a regex: most texts hold few such characters (str.translate looks up every char)
_TRANSLATE_RE: Final = re.compile("[" + re.escape("".join(sorted(map(chr, _TRANSLATE)))) + "]")

_PAREN_PAIR: Final = re.compile(r"\(([^()\n]{0,500})\)")
_ASCII_TO_FW: Final = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT_RUN: Final = re.compile(r"[，、。；：！？,;:!?][，、。；：！？,;:!?]+")  # twin: TWINS['punct_run']
_FW_PUNCT: Final = re.compile(r"[，、。；：！？]")
_PRIORITY: Final = {c: i for i, c in enumerate("。？！；：、，")}
_CJKP: Final = f"{CJK}{_PUNCT_FW}{LOST}"
# membership as ``c in _CJKP or _cjk(c)`` (the range dashes of ``_CJKP`` included) in one set lookup
_CJKP_SET: Final = frozenset(_CJKP) | frozenset(
    chr(i) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)) for i in range(lo, hi + 1)
)
# every ASCII mark , : ; ! ? ( ) with a group that is ``""`` when the mark is sure to become full-width and ``None``
# when ``single`` decides (readable twin: ``patterns.TWINS['sure_full_width']``); ``split`` gives
# [text, sure, text, sure, …, text] (the mark itself is the character after each text)
_ASCII_MARKS_SPLIT: Final = re.compile(SURE_FULL_WIDTH + "?")
# the space patterns: each alternative starts with its space (the lookbehind checks the character before it), so the
# regex engine jumps from space to space instead of trying every position
_SPACE_DIGIT_CJK: Final = re.compile(rf"[ ](?<=[0-9%][ ])[ ]*(?=[{CJK}])|[ ](?<=[{CJK}][ ])[ ]*(?=[0-9])")
_SPACE_PUNCT: Final = re.compile(r"[ ]+(?=[，。、；：！？）」』”》〉】])|[ ](?<=[，。、；：！？（「『“《〈【][ ])[ ]*")
_MULTISPACE: Final = re.compile(r"[ ]{2,}")
_LINE_EDGE_SPACE: Final = re.compile(r"[ ](?<![^\n][ ])[ ]*|[ ]+(?![^\n])")  # twin: TWINS['line_edge_space']
# the four space rules in one scan: each alternative matches whole runs of spaces and only their neighbours
# decide, so a run the first three remove goes ("gone"), another run of 2+ spaces keeps its first space
# (written with the first space of every alternative in front, so the engine jumps from space to space)
_SPACE_RUNS: Final = re.compile(
    rf"[ ](?:(?P<gone>(?<=[0-9%][ ])[ ]*(?=[{CJK}])|(?<=[{CJK}][ ])[ ]*(?=[0-9])"  # _SPACE_DIGIT_CJK
    r"|[ ]*(?=[，。、；：！？）」』”》〉】])|(?<=[，。、；：！？（「『“《〈【][ ])[ ]*"  # _SPACE_PUNCT
    r"|(?<![^\n][ ])[ ]*|[ ]*(?![^\n]))"  # _LINE_EDGE_SPACE
    r"|[ ]+)"  # _MULTISPACE
)
_BLANK_LINES: Final = re.compile(r"\n\n+")  # twin: TWINS['blank_lines']
_EDGE_NEWLINES: Final = re.compile(r"\A\n+|\n+\Z")


# shared int objects for the identity offset maps: slicing this list copies pointers instead of making
# one int object per character (reports longer than the cap get their own lists)
_INTS_CAP: Final = 1 << 20
_INTS: list[int] = list(range(1 << 14))


def _identity(n: int) -> tuple[list[int], list[int]]:
    """``(list(range(n)), list(range(1, n + 1)))``, sliced from a shared list of ints: ``_identity(2)`` → ``([0, 1], [1, 2])``."""
    global _INTS
    ints = _INTS
    if len(ints) <= n:
        if n >= _INTS_CAP:
            return list(range(n)), list(range(1, n + 1))
        ints = _INTS = list(range(min(_INTS_CAP, max(2 * len(ints), n + 1))))  # rebound whole: thread-safe
    return ints[:n], ints[1 : n + 1]



class StepEdits:
    """One step's edits as parallel columns on the text the step read: ``text[starts[k]:ends[k]]`` becomes
    ``afters[k]`` (sorted, not overlapping). No object per edit: ``edits()`` makes the ``Edit`` tuples when a caller
    asks (``normalise_and_explain``). ``StepEdits('pinyin', '潤(rùn)', [1], [6], ['']).edits()`` →
    ``[Edit('pinyin', 1, 6, '(rùn)', '')]``. ``result``: the text after the edits, when the step has it at hand (the
    Traditional step: ``to_simplified``'s output), so ``OffsetText.apply`` need not splice it again."""

    __slots__ = ("step", "text", "starts", "ends", "afters", "result")

    def __init__(self, step: str, text: str, starts: list[int] | None = None, ends: list[int] | None = None,
                 afters: list[str] | None = None, result: str | None = None):
        self.step, self.text, self.result = step, text, result
        self.starts: list[int] = starts if starts is not None else []
        self.ends: list[int] = ends if ends is not None else []
        self.afters: list[str] = afters if afters is not None else []

    def add(self, start: int, end: int, after: str) -> None:
        """One more edit, after the others: ``text[start:end]`` becomes ``after``."""
        self.starts.append(start)
        self.ends.append(end)
        self.afters.append(after)

    def __len__(self) -> int:
        return len(self.starts)

    def edits(self) -> list[Edit]:
        """The edits as ``Edit(step, start, end, before, after)`` tuples, in order."""
        t, step = self.text, self.step
        return [Edit(step, a, b, t[a:b], r) for a, b, r in zip(self.starts, self.ends, self.afters)]


class OffsetText:
    """A text and the raw span of every character: ``starts[i]:ends[i]`` is where ``text[i]`` came from.

    ``OffsetText('潤(rùn)', [0, 1, 2, 3, 4, 5], [1, 2, 3, 4, 5, 6]).apply(StepEdits('pinyin', '潤(rùn)', [1], [6], ['']))``
    leaves ``text == '潤'``, ``starts == [0]``, ``ends == [1]`` and returns ``EditLog([TextEdit('pinyin', 1, 6, '(rùn)', '')])``.
    """

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: list[int], ends: list[int]):
        self.text, self.starts, self.ends = text, starts, ends

    def apply(self, edits: StepEdits, whole: bool = False, log: EditLog | None = None) -> EditLog:
        """Put a step's ``edits`` (made on this text) in place and rebuild ``starts``/``ends`` around them; adds the
        edits in raw offsets to ``log`` (a new one when ``None``) and returns it. Kept stretches keep their spans (list slices); a replacement as long as what it
        replaces maps character by character (unless ``whole``), any other one maps each new character to the whole
        raw span it replaces (an insertion: to the raw position after the character before it). ``'a，，b'`` with
        ``StepEdits('punct_runs', 'a，，b', [1], [3], ['，'])`` → ``'a，b'``, the ``，`` mapped to raw ``1:3``."""
        if log is None:
            log = EditLog()
        xs, ys, news = edits.starts, edits.ends, edits.afters
        m = len(xs)
        if not m:
            return log
        t, s, e = self.text, self.starts, self.ends
        n = len(s)
        log.steps.extend([edits.step] * m)
        log.afters.extend(news)
        los, his, befores = log.raw_starts, log.raw_ends, log.befores
        same = not whole  # character for character: the spans stay as they are
        if same:
            for k in range(m):
                if len(news[k]) != ys[k] - xs[k]:
                    same = False
                    break
        if same and edits.result is not None:  # the step gave the text after its edits
            for k in range(m):
                a, b = xs[k], ys[k]
                lo, hi = (s[a], e[b - 1]) if a < b else _at(s, e, a)
                los.append(lo)
                his.append(hi)
                befores.append(t[a:b])
            self.text = edits.result
            return log
        if same:
            pieces: list[str] = []
            add = pieces.append
            last = 0
            for k in range(m):
                a, b, new = xs[k], ys[k], news[k]
                add(t[last:a])
                add(new)
                last = b
                if a < b:
                    los.append(s[a])
                    his.append(e[b - 1])
                    befores.append(t[a:b])
                else:
                    lo, hi = _at(s, e, a)
                    los.append(lo)
                    his.append(hi)
                    befores.append("")
            add(t[last:])
            self.text = "".join(pieces)
            return log
        out_t: list[str] = []
        out_s: list[int] = []
        out_e: list[int] = []
        add_t, ext_s, ext_e = out_t.append, out_s.extend, out_e.extend
        last = 0
        for k in range(m):
            a, b, new = xs[k], ys[k], news[k]
            if a > last:
                add_t(t[last:a])
                ext_s(s[last:a])
                ext_e(e[last:a])
            last = b
            if a < b:
                lo, hi = s[a], e[b - 1]
            else:
                lo, hi = _at(s, e, a)
            los.append(lo)
            his.append(hi)
            befores.append(t[a:b])
            if not new:
                continue
            add_t(new)
            j = len(new)
            if j == b - a and not whole:
                ext_s(s[a:b])
                ext_e(e[a:b])
            elif j == 1:
                out_s.append(lo)
                out_e.append(hi)
            else:
                ext_s([lo] * j)
                ext_e([hi] * j)
        if last < n:
            add_t(t[last:])
            ext_s(s[last:])
            ext_e(e[last:])
        self.text, self.starts, self.ends = "".join(out_t), out_s, out_e
        return log


def _at(s: list[int], e: list[int], a: int) -> tuple[int, int]:
    """The raw point of an insertion before character ``a``: after the raw span of the character before it
    (the start of the first one's): ``_at([0, 2], [2, 3], 1)`` → ``(2, 2)``."""
    p = e[a - 1] if a > 0 else (s[a] if a < len(s) else 0)
    return p, p


@dataclass
class Context:
    """What a step may need besides the text: the raw text, the offset map so far (``state``), the page's hidden
    raw spans, a main-text line filter; and what the steps found (corrupt spans, dropped lines)."""

    raw: str
    state: OffsetText
    page: bool = False
    hidden: list[tuple[int, int]] = field(default_factory=list)
    keep_line: Callable[[str], bool] | None = None
    corrupt_spans: list[CorruptSpan] = field(default_factory=list)
    dropped: list[DroppedLine] = field(default_factory=list)


def _edits(step: str, t: str, spans: list[tuple[int, int, str]]) -> StepEdits:
    """``(start, end, after)`` triples as edits of ``step`` on ``t``: ``_edits('x', 'ab', [(0, 1, '')]).edits()`` → ``[Edit('x', 0, 1, 'a', '')]``."""
    return StepEdits(step, t, [a for a, _, _ in spans], [b for _, b, _ in spans], [r for _, _, r in spans])


def _matches(step: str, t: str, pattern: re.Pattern, after: str) -> StepEdits:
    """Every match of ``pattern`` in ``t`` becomes ``after``: ``_matches('x', 'a b', re.compile(' '), '').edits()`` →
    ``[Edit('x', 1, 2, ' ', '')]``."""
    out = StepEdits(step, t)
    for m in pattern.finditer(t):
        a, b = m.span()
        out.add(a, b, after)
    return out


# --- boilerplate -------------------------------------------------------------------------------
@lru_cache(maxsize=1)
def _rules() -> dict:
    cfg = load_json("boilerplate.json")
    cfg["_rules"] = [
        (re.compile(r["pattern"]), r["reason"], int(r["max_len"]), r.get("where", "any"), bool(r.get("no_sentence")))
        for r in cfg["rules"]
    ]
    cfg["_list"] = re.compile(cfg["list_headers"])
    # the rules a line of length n is short enough for, in order, as (pattern, reason, anywhere, no_sentence):
    # ``cfg["_by_len"][min(n, cap)]`` with ``cap`` = the longest max_len + 1 (no rule for longer lines)
    cap = max((r[2] for r in cfg["_rules"]), default=-1) + 1
    cfg["_by_len"] = [
        tuple((pat, why, where == "any", no_sentence) for pat, why, max_len, where, no_sentence in cfg["_rules"] if n <= max_len)
        for n in range(cap + 1)
    ]
    return cfg


def _is_body(line: str, min_len: int) -> bool:
    return len(line) >= min_len and ("。" in line or "！" in line or "？" in line or "；" in line)


def classify_lines(lines: list[str]) -> list[str | None]:
    """Reason each line is page chrome, else ``None``: ``classify_lines(['分享到：', '正文。'])`` → ``['share_widget', None]``."""
    cfg = _rules()
    by_len = cfg["_by_len"]
    cap = len(by_len) - 1
    list_search = cfg["_list"].search
    body_min = cfg["body_min_len"]
    item_max = cfg["list_item_max_len"]
    dup_max = cfg["duplicate_max_len"]
    out: list[str | None] = []
    in_header = True
    in_list = False
    seen: set[str] = set()
    for line in lines:
        n = len(line)
        if in_header and _is_body(line, body_min):
            in_header = False
        reason = None
        list_item = False  # a related-news item, unless a rule names the line better (上一篇…, a footer)
        if in_list:
            if n <= item_max and (not line or line[-1] not in _TERMINAL):
                list_item = True
            else:
                in_list = False
        if list_search(line):
            reason, in_list = "related_news", True
        if reason is None:
            rules = by_len[n if n < cap else cap]
            if rules:
                has_sentence = "。" in line or "！" in line or "？" in line
                for pat, why, anywhere, no_sentence in rules:
                    if (anywhere or in_header) and not (no_sentence and has_sentence) and pat.search(line):
                        reason = why
                        break
        if reason is None and list_item:
            reason = "related_news"
        if reason is None and n <= dup_max:
            if line in seen:
                reason = "duplicate_title" if in_header or n <= 60 else "duplicate_line"
            seen.add(line)
        out.append(reason)
        if reason == "site_section" and in_header and len(out) > 1 and out[-2] is None:
            prev = lines[len(out) - 2]
            if len(prev) <= 30 and not any(c in prev for c in "。！？，"):
                out[-2] = "site_name"  # the masthead right above a breadcrumb (北京市…办公室 / 首页 > 工作动态)
    return out



# --- steps -------------------------------------------------------------------------------------
def _prev_char(t: str, a: int) -> str:
    """Last non-blank character before ``a`` on the same stretch (looks back at most 64 chars): ``_prev_char('字 <p>', 2)`` → ``'字'``."""
    i = a - 1
    lo = max(-1, a - 65)
    while i > lo and t[i] in " \t":
        i -= 1
    return t[i] if i > lo else ""


def _tag_matches(t: str) -> list[re.Match]:
    """``list(_TAG.finditer(t))``, trying ``_TAG`` only where a match can start: at a ``<`` or up to
    ``_TAG_REACH`` characters before a ``>``."""
    starts: set[int] = set()
    for m in _TAG_ANGLE.finditer(t):
        c = m.start()
        if t[c] == "<":
            starts.add(c)
        else:
            starts.update(range(max(0, c - _TAG_REACH), c))
    out = []
    last = 0
    for p in sorted(starts):
        if p >= last and (tag := _TAG.match(t, p)):
            out.append(tag)
            last = tag.end()
    return out


def mojibake_repair(text: str, ctx: Context | None = None) -> StepEdits:
    """Each corrupt span (``mojibake.find_corrupt_spans``, and each U+FFFD the decoder left) replaced by its repair
    or one ``LOST`` character, the whole span behind every new character (the step runs on the raw text):
    ``mojibake_repair('8\ufffd4亿元').edits()`` → ``[Edit('mojibake', 1, 2, '\ufffd', '\ufffd')]``."""
    spans: list[CorruptSpan] = find_corrupt_spans(text)
    if LOST in text:
        spans = _with_lost_chars(text, spans)
    if ctx is not None and ctx.hidden and spans:
        spans = [sp for sp in spans if not _inside(sp.raw_start, ctx.hidden)]
    if ctx is not None:
        ctx.corrupt_spans = spans
    out = StepEdits("mojibake", text)
    last = 0
    for sp in sorted(spans, key=lambda x: x.raw_start):
        a, b = sp.raw_start, sp.raw_end
        if a < last or text[a:b] != sp.raw:
            continue
        out.add(a, b, sp.repaired if sp.repaired else LOST)
        last = b
    return out


def line_breaks(text: str, ctx: Context | None = None) -> StepEdits:
    """``\\r\\n``, ``\\r``, U+2028/9 and other line breaks as ``\\n``: ``line_breaks('a\\r\\nb').edits()`` → ``[Edit('line_breaks', 1, 3, '\\r\\n', '\\n')]``."""
    return _matches("line_breaks", text, _NEWLINES, "\n")


def _entity_edits(step: str, text: str) -> StepEdits:
    out = StepEdits(step, text)
    if "&" not in text:
        return out
    for m in _ENTITY.finditer(text):
        ent = m.group()
        if ent.lower() in ("&nbsp;", "&ensp;", "&emsp;", "&thinsp;", "&#160;", "&#12288;"):
            val = " "
        else:
            val = html.unescape(ent)
            if val == ent:
                continue
        out.add(m.start(), m.end(), val)
    return out


def html_entities(text: str, ctx: Context | None = None) -> StepEdits:
    """HTML entities as the characters they stand for (a space for the space entities): ``html_entities('5&amp;6').edits()``
    → ``[Edit('html_entities', 1, 6, '&amp;', '&')]``."""
    return _entity_edits("html_entities", text)


def page_entities(text: str, ctx: Context | None = None) -> StepEdits:
    """``html_entities`` on a saved web page, after its tags: ``page_entities('5&amp;6').edits()`` → ``[Edit('page_entities', 1, 6, '&amp;', '&')]``."""
    return _entity_edits("page_entities", text)


def html_tags(text: str, ctx: Context | None = None) -> StepEdits:
    """HTML tags and their fragments left in a text removed (a block tag between two sentences becomes a line break);
    a line break right after a fragment that cut a sentence goes with the spaces before it:
    ``html_tags('援疆/p>\\n资金').edits()`` → ``[Edit('html_tags', 2, 5, '/p>', ''), Edit('html_tags', 5, 6, '\\n', '')]``."""
    t = text
    if "<" not in t and ">" not in t:
        return StepEdits("html_tags", t)  # every tag or fragment holds a < or a >
    matches = _tag_matches(t)
    # line ends where a fragment was removed mid-sentence: the next line continues the sentence
    joins: dict[int, int] = {}  # a line break to remove → where the spaces before it (to remove too) end
    for m in matches:
        a, b = m.span()
        if m.group().startswith("<"):
            continue  # a whole tag (</p>) ends a paragraph; only a broken fragment (/p>) cuts a sentence
        before = _prev_char(t, a)
        lone = before == "\n" and t[a - 1] == "\n"  # the fragment on a line of its own
        if lone:
            before = _prev_char(t, a - 1)
        if b < len(t) and t[b] == "\n" and before and before not in _TERMINAL and (is_cjk(before) or before == LOST) and is_cjk(t[b + 1 : b + 2]):
            joins[b] = a
            if lone:
                joins[a - 1] = a - 1
    if "\x00" in t:
        joins = {}  # a text holding a NUL is not joined (NUL marked the joins once)
    spans: list[tuple[int, int, str]] = []
    for m in matches:
        a, b = m.span()
        before = _prev_char(t, a)
        after = t[b : b + 1]
        # a block tag between two sentences on one line is a paragraph break
        new = "\n" if after and after not in "\n\x00" and before in _TERMINAL and _TAG_BLOCK.match(m.group()) else ""
        spans.append((a, b, new))
    for p, q in joins.items():  # the line break, and the spaces between the character and the fragment
        k = q
        while k > 0 and t[k - 1] in " \t":
            k -= 1
        if k < q:
            spans.append((k, q, ""))
        spans.append((p, p + 1, ""))
    spans.sort()
    return _edits("html_tags", t, spans)



@lru_cache(maxsize=1)
def _readings() -> dict[str, frozenset[str]]:
    """Toneless pinyin syllable → characters with that reading (``data/pinyin.json``)."""
    return {k: frozenset(v) for k, v in load_json("pinyin.json")["readings"].items()}


def is_pinyin_annotation(chars: str, annotation: str) -> bool:
    """True when ``annotation`` (the text inside the brackets) is the pinyin of the characters before it.

    Toned syllables (``rùn``) only need to be valid syllables; toneless ones (``run``, ``run4``) must
    also be a reading of the character they follow, one syllable per character, so ``(a)``, ``(EICU)``
    or ``(ok)`` after an unrelated character stay.
    ``is_pinyin_annotation("潤", "run")`` → ``True``; ``is_pinyin_annotation("项", "a")`` → ``False``
    """
    table = _readings()
    toned = bool(_TONE.search(annotation))
    if not toned and not annotation.islower():
        return False  # EICU, Run: capitals are not how annotations are written
    sylls = [x for x in _SYLLABLE_SEP.split(annotation.strip()) if x]
    if not sylls or len(sylls) > len(chars):
        return False
    base = [x.lower().rstrip("12345").translate(_UNTONE) for x in sylls]
    if any(b not in table for b in base):
        return False
    if toned:
        return True
    tail = chars[len(chars) - len(base) :]
    return all(c in table[b] for c, b in zip(tail, base))


@lru_cache(maxsize=4096)
def _annotation_kind(bracketed: str) -> tuple[int, bool | None]:
    """Syllables inside ``(rùn)``-style brackets and, when toned, whether they are valid pinyin (then only
    their number, not the characters before, matters); ``None`` when toneless: ``'(dāng dì)'`` → ``(2, True)``."""
    inner = bracketed[1:-1]
    n = len([x for x in _SYLLABLE_SEP.split(inner.strip()) if x])
    if not _TONE.search(inner):
        return n, None
    return n, is_pinyin_annotation("\x00" * n, inner)  # toned: the characters' identity is not checked


@lru_cache(maxsize=16384)
def _is_annotation(before: str, bracketed: str) -> bool:
    return is_pinyin_annotation(before, bracketed[1:-1])




_PINYIN_SPLIT: Final = re.compile(f"({_PINYIN.pattern})")  # split() gives [text, annotation, text, …, text]


def pinyin_annotations(text: str, ctx: Context | None = None) -> StepEdits:
    """The pinyin annotations glued after Chinese characters, removed: ``pinyin_annotations('潤(rùn)疆').edits()`` →
    ``[Edit('pinyin', 1, 6, '(rùn)', '')]``; ``(EICU)`` or ``(a)`` after a character that is not read so stay."""
    t = text
    out = StepEdits("pinyin", t)
    if "(" not in t and "（" not in t:
        return out
    parts = _PINYIN_SPLIT.split(t)
    kind = _annotation_kind
    a = len(parts[0])  # start of the annotation parts[j]
    for j in range(1, len(parts), 2):
        g = parts[j]
        b = a + len(g)
        n, toned_ok = kind(g)
        if (toned_ok and n <= a) if toned_ok is not None else _is_annotation(t[max(0, a - n) : a], g):
            out.add(a, b, "")
        a = b + len(parts[j + 1])
    return out


def zero_width(text: str, ctx: Context | None = None) -> StepEdits:
    """Zero-width characters and soft hyphens removed: ``zero_width('援\\u200b疆').edits()`` → ``[Edit('zero_width', 1, 2, '\\u200b', '')]``."""
    return _matches("zero_width", text, _ZERO_WIDTH, "")


def full_width(text: str, ctx: Context | None = None) -> StepEdits:
    """Full-width digits, letters and ``％．＋－／＝＆＠＃`` as ASCII, tabs and odd spaces (U+3000, U+00A0 …) as a space:
    ``full_width('２０亿').edits()`` → ``[Edit('full_width', 0, 1, '２', '2'), Edit('full_width', 1, 2, '０', '0')]``."""
    table = _TRANSLATE
    out = StepEdits("full_width", text)
    for m in _TRANSLATE_RE.finditer(text):
        a = m.start()
        out.add(a, a + 1, table[ord(text[a])])
    return out


def traditional(text: str, ctx: Context | None = None) -> StepEdits:
    """Traditional characters as Simplified (``convert.to_simplified``), one edit per stretch of changed characters
    (a phrase: at most ``_T2S_GAP`` unchanged ones inside, no line break, and with ``ctx`` its raw characters next to
    each other):
    ``traditional('網絡潤疆').edits()`` → ``[Edit('traditional', 0, 3, '網絡潤', '网络润')]``."""
    simp = to_simplified(text)
    if simp == text:
        return StepEdits("traditional", text)
    starts, ends = (ctx.state.starts, ctx.state.ends) if ctx is not None else (None, None)
    lo, hi = _differing_runs(text, simp, starts, ends, _T2S_GAP)
    return StepEdits("traditional", text, lo, hi, [simp[lo[k] : hi[k]] for k in range(len(lo))], simp)


def paren_pairs(text: str, ctx: Context | None = None) -> StepEdits:
    """ASCII brackets around Chinese as full-width brackets: ``paren_pairs('(援疆)').edits()`` →
    ``[Edit('paren_pairs', 0, 1, '(', '（'), Edit('paren_pairs', 3, 4, ')', '）')]``."""
    out = StepEdits("paren_pairs", text)
    if "(" not in text:
        return out
    for m in _PAREN_PAIR.finditer(text):
        if _CJK_RE.search(m.group(1)):
            a, b = m.span()
            out.add(a, a + 1, "（")
            out.add(b - 1, b, "）")
    return out


def ascii_punct(text: str, ctx: Context | None = None) -> StepEdits:
    """ASCII ``, : ; ! ? ( )`` next to a Chinese character or mark as full-width (not ``3,5`` or ``?a``):
    ``ascii_punct('投入,共').edits()`` → ``[Edit('ascii_punct', 2, 3, ',', '，')]``."""
    t = text

    def single(a: int, c: str) -> bool:
        prev = t[a - 1] if a > 0 else ""
        nxt = t[a + 1] if a + 1 < len(t) else ""
        if prev == " " and a > 1:
            prev = t[a - 2]
        if nxt == " " and a + 2 < len(t):
            nxt = t[a + 2]
        prev_c = prev in _CJKP_SET
        next_c = nxt in _CJKP_SET
        if c in "?!" and nxt and (nxt.isascii() and nxt.isalnum()):
            return False
        if c in ",:;" and prev.isdigit() and nxt.isdigit():
            return False
        if c == "(" and not next_c:
            return False
        if c == ")" and not prev_c:
            return False
        return prev_c or next_c

    # the sure cases found in one C-level scan, ``single`` decides the rest (both read the text as it was)
    out = StepEdits("ascii_punct", t)
    parts = _ASCII_MARKS_SPLIT.split(t)
    a = len(parts[0])  # where the mark after parts[j - 1] is
    for j in range(1, len(parts), 2):
        c = t[a]
        if parts[j] is not None or single(a, c):
            out.add(a, a + 1, _ASCII_TO_FW[c])
        a += 1 + len(parts[j + 1])
    return out


_T2S_GAP: Final = 8  # unchanged characters a Traditional → Simplified edit may hold: one edit per phrase, not per character


_PUNCT_RUN_SPLIT: Final = re.compile(f"({_PUNCT_RUN.pattern})")  # split() gives [text, run, text, …, text]


def punct_runs(text: str, ctx: Context | None = None) -> StepEdits:
    """Each run of Chinese punctuation as its strongest mark (``。？！；：、，``): ``punct_runs('好，，。').edits()`` →
    ``[Edit('punct_runs', 1, 4, '，，。', '。')]``; a run of ASCII marks alone (``,,``) stays."""
    parts = _PUNCT_RUN_SPLIT.split(text)
    out = StepEdits("punct_runs", text)
    a = len(parts[0])  # start of the run parts[j]
    for j in range(1, len(parts), 2):
        run = parts[j]
        b = a + len(run)
        mark = _collapse_run(run)
        if mark is not None:
            out.add(a, b, mark)
        a = b + len(parts[j + 1])
    return out


@lru_cache(maxsize=1024)
def _collapse_run(s: str) -> str | None:
    """The mark a run of punctuation collapses to: ``'，。'`` → ``'。'``; ``None`` for a pure ASCII run (``',,'``)."""
    if not _FW_PUNCT.search(s):
        return None  # pure ASCII run outside Chinese text
    best = min(range(len(s)), key=lambda i: _PRIORITY[_ASCII_TO_FW.get(s[i], s[i])])
    return _ASCII_TO_FW.get(s[best], s[best])  # maps to the whole collapsed run



def spaces(text: str, ctx: Context | None = None) -> StepEdits:
    """Spaces between a figure and a Chinese character, around Chinese punctuation and at line edges removed, other
    runs of spaces cut to one: ``spaces('投入 6423 万元').edits()`` → ``[Edit('spaces', 2, 3, ' ', ''), Edit('spaces', 7, 8, ' ', '')]``."""
    out = StepEdits("spaces", text)
    if " " not in text:
        return out
    # the same as deleting _SPACE_DIGIT_CJK, then _SPACE_PUNCT, _MULTISPACE → " ", deleting _LINE_EDGE_SPACE
    for m in _SPACE_RUNS.finditer(text):
        a, b = m.span()
        if not m.lastgroup:
            a += 1  # a run of 2+ spaces keeps its first
        if a < b:  # one space between words stays
            out.add(a, b, "")
    return out


def blank_lines(text: str, ctx: Context | None = None) -> StepEdits:
    """Empty lines and the line breaks at the text's start and end removed: ``blank_lines('a\\n\\n\\nb\\n').edits()`` →
    ``[Edit('blank_lines', 2, 4, '\\n\\n', ''), Edit('blank_lines', 5, 6, '\\n', '')]``."""
    spans = [(m.start() + 1, m.end()) for m in _BLANK_LINES.finditer(text)]  # a run keeps its first line break
    if text[:1] == "\n" or text[-1:] == "\n":  # what _EDGE_NEWLINES finds (once the runs are cut to one)
        lead = len(text) - len(text.lstrip("\n"))
        trail = len(text) - len(text.rstrip("\n"))
        if lead == len(text):
            spans = [(0, lead)]
        else:
            if lead:
                spans = [(0, lead)] + [sp for sp in spans if sp[0] >= lead]
            if trail:
                spans = [sp for sp in spans if sp[1] <= len(text) - trail] + [(len(text) - trail, len(text))]
    return StepEdits("blank_lines", text, [a for a, _ in spans], [b for _, b in spans], [""] * len(spans))


def chrome_lines(text: str, ctx: Context | None = None) -> StepEdits:
    """Lines of page chrome (``classify_lines``; with ``ctx.keep_line``, also the lines it says are not the article)
    removed with one line break each; ``ctx.dropped`` gets a ``DroppedLine`` for each:
    ``chrome_lines('分享到：\\n正文。').edits()`` → ``[Edit('chrome_lines', 0, 5, '分享到：\\n', '')]``."""
    lines = text.split("\n") if text else []
    reasons = classify_lines(lines)
    keep_line = ctx.keep_line if ctx is not None else None
    if keep_line is not None:
        reasons = [why if why is not None or keep_line(line) else "not_main_text" for line, why in zip(lines, reasons)]
    out = StepEdits("chrome_lines", text)
    if not any(reasons):
        return out
    # a dropped line goes with the line break after it; the last lines, when dropped, with the one before them
    n_tail = 0
    while n_tail < len(lines) and reasons[len(lines) - 1 - n_tail] is not None:
        n_tail += 1
    tail_from = len(lines) - n_tail
    pos = 0
    for i, (line, why) in enumerate(zip(lines, reasons)):
        a, b = pos, pos + len(line)
        pos = b + 1
        if why is None:
            continue
        x, y = (a, b + 1) if i < tail_from else (max(0, a - 1), b)
        out.add(x, y, "")
        if ctx is not None:
            s, e = ctx.state.starts, ctx.state.ends
            ctx.dropped.append(DroppedLine(text=line, raw_start=s[a], raw_end=e[b - 1], reason=why))
    return out


# --- saved web pages -------------------------------------------------------------------------------
# what a browser does not show: the head (its <title> included: the page's own heading is in the body), scripts,
# styles, comments, templates, embedded objects, drop-down menus
_HIDDEN: Final = re.compile(
    r"<!--.*?(?:-->|\Z)|<!(?:doctype|DOCTYPE)[^>]*>|<\?xml[^>]*>"
    r"|<(head|script|style|noscript|template|svg|iframe|object|select|textarea)\b[^>]*>.*?(?:</\1\s*>|\Z)",
    re.S | re.I,
)
# block elements end a line; any other tag goes (attributes may hold > inside quotes)
_PAGE_BLOCK: Final = (
    "p|br|div|li|ul|ol|dl|dt|dd|tr|table|tbody|thead|tfoot|caption|h[1-6]|section|article|header|footer|nav|aside|main"
    "|figure|figcaption|blockquote|pre|hr|form|fieldset|center|address|title|body|html|option|button"
)
_PAGE_TAG: Final = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*)((?:\s(?:\"[^\"]{0,4000}\"|'[^']{0,4000}'|[^'\">])*)?)/?>")
_PAGE_BLOCK_RE: Final = re.compile(rf"(?:{_PAGE_BLOCK})", re.I)
_CELL_RE: Final = re.compile(r"t[dh]", re.I)
# a source line break with the spaces around it (not shown by a browser): gone between Chinese characters, else a space
_SOURCE_BREAK: Final = re.compile(r"[ \t]*[\r\n\u2028\u2029\x85\x0b\x0c][ \t\r\n\u2028\u2029\x85\x0b\x0c]*")


def _hidden_spans(raw: str) -> list[tuple[int, int]]:
    """Raw spans of what a browser does not show: ``_hidden_spans('a<script>x</script>b')`` → ``[(1, 19)]``."""
    return [m.span() for m in _HIDDEN.finditer(raw)]


def _inside(pos: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``pos`` is inside one of the sorted, non-overlapping ``spans``: ``_inside(3, [(1, 5)])`` → ``True``."""
    k = bisect_right(spans, (pos, 1 << 62)) - 1
    return k >= 0 and spans[k][0] <= pos < spans[k][1]



def _with_lost_chars(raw: str, spans: list[CorruptSpan]) -> list[CorruptSpan]:
    """``spans`` plus one unrecovered span per U+FFFD of ``raw`` outside them (a byte the decoder could not read
    and replaced), in raw order: ``_with_lost_chars('8\ufffd4亿元', [])`` → ``[CorruptSpan(1, 2, '\ufffd', None, False)]``."""
    covered = sorted((sp.raw_start, sp.raw_end) for sp in spans)
    starts = [a for a, _ in covered]
    out = list(spans)
    i = raw.find(LOST)
    while i >= 0:
        k = bisect_right(starts, i) - 1  # the last span starting at or before i (spans do not overlap)
        if k < 0 or covered[k][1] <= i:
            out.append(CorruptSpan(raw_start=i, raw_end=i + 1, raw=LOST, repaired=None, recovered=False,
                                   reason="undecodable_byte"))
        i = raw.find(LOST, i + 1)
    out.sort(key=lambda sp: sp.raw_start)
    return out


def _n_differing(a: str, b: str) -> int:
    """Positions where two equally long strings differ: ``_n_differing('國家', '国家')`` → 1."""
    import numpy as np

    try:
        x = np.frombuffer(a.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        y = np.frombuffer(b.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    except UnicodeEncodeError:  # pragma: no cover - every code point encodes with surrogatepass
        return sum(map(str.__ne__, a, b))
    return int(np.count_nonzero(x != y))


def _differing_runs(a: str, b: str, starts: list[int] | None = None, ends: list[int] | None = None,
                    gap: int = 0) -> tuple[list[int], list[int]]:
    """The runs of positions where two equally long strings differ, as a list of starts and a list of ends, with at
    most ``gap`` equal characters inside a run and none of them a line break (with ``starts``/``ends``: a run also ends
    where the raw spans of two neighbours do not meet, and each piece goes from its first to its last differing
    character): ``_differing_runs('國家網絡', '国家网络')`` → ``([0, 2], [1, 4])``; with ``gap=1`` → ``([0], [4])``."""
    import numpy as np

    try:
        x = np.frombuffer(a.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        y = np.frombuffer(b.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
        diff: list[int] = np.flatnonzero(x != y).tolist()
    except UnicodeEncodeError:  # pragma: no cover - every code point encodes with surrogatepass
        diff = [i for i in range(len(a)) if a[i] != b[i]]
    lo: list[int] = []
    hi: list[int] = []
    if not diff:
        return lo, hi
    raw = starts is not None and ends is not None
    s: list[int] = starts if starts is not None else []
    e: list[int] = ends if ends is not None else []
    p = q = diff[0]  # the run so far: first and last differing position
    j = 0  # where p is in diff
    for k in range(1, len(diff) + 1):
        nxt = diff[k] if k < len(diff) else -1
        if nxt >= 0 and nxt - q <= gap + 1 and (nxt == q + 1 or a.find("\n", q + 1, nxt) < 0):
            q = nxt
            continue
        # the run p..q is complete
        if not raw or e[q] - s[p] == q + 1 - p:  # one raw character each, all next to each other
            lo.append(p)
            hi.append(q + 1)
        else:
            _cut_at_raw_gaps(diff[j:k], s, e, lo, hi)
        p = q = nxt
        j = k
    return lo, hi


def _cut_at_raw_gaps(run: list[int], s: list[int], e: list[int], lo: list[int], hi: list[int]) -> None:
    """A run of differing positions as pieces cut where the raw spans of two neighbours do not meet, each from its
    first to its last differing position, appended to ``lo``/``hi``: run ``[0, 1]`` of ``'國國'`` whose raw spans are
    ``0:1`` and ``6:7`` (an annotation between them removed) → ``lo == [0, 1]``, ``hi == [1, 2]``."""
    first = last = run[0]
    for kk in range(1, len(run)):
        nxt = run[kk]
        cut = False
        for c in range(last + 1, nxt + 1):  # a raw gap between two neighbours in (last, nxt]
            if s[c] != e[c - 1]:
                cut = True
                break
        if cut:
            lo.append(first)
            hi.append(last + 1)
            first = nxt
        last = nxt
    lo.append(first)
    hi.append(last + 1)


def page_hidden(text: str, ctx: Context | None = None) -> StepEdits:
    """What a browser does not show (head, scripts, styles, comments …; found in the raw page, ``ctx.hidden``) removed:
    ``page_hidden('a<script>x</script>b').edits()`` → ``[Edit('page_hidden', 1, 19, '<script>x</script>', '')]``."""
    hidden = ctx.hidden if ctx is not None else _hidden_spans(text)
    if not hidden:
        return StepEdits("page_hidden", text)
    starts = ctx.state.starts if ctx is not None else list(range(len(text)))
    spans = []  # the text may no longer be the raw text (mojibake repairs): find each raw span by the offsets
    for a, b in hidden:
        i, j = bisect_left(starts, a), bisect_left(starts, b)
        if i < j:
            spans.append((i, j, ""))
    return _edits("page_hidden", text, spans)


def page_source_breaks(text: str, ctx: Context | None = None) -> StepEdits:
    """A saved page's source line breaks (with the spaces around them), which a browser does not show: gone next to
    a Chinese character or a tag, else one space: ``page_source_breaks('援\\n  疆').edits()`` → ``[Edit('page_source_breaks', 1, 4, '\\n  ', '')]``."""
    t = text
    out = StepEdits("page_source_breaks", t)
    for m in _SOURCE_BREAK.finditer(t):
        a, b = m.span()
        before = t[a - 1] if a > 0 else ""
        after = t[b] if b < len(t) else ""
        gone = not before or not after or before in _CJKP_SET or after in _CJKP_SET or before == ">" or after == "<"
        new = "" if gone else " "
        out.add(a, b, new)
    return out


def page_tags(text: str, ctx: Context | None = None) -> StepEdits:
    """A saved page's tags removed, a block element ending a line and a table cell a space:
    ``page_tags('<p>援疆</p>').edits()`` → ``[Edit('page_tags', 0, 3, '<p>', '\\n'), Edit('page_tags', 5, 9, '</p>', '\\n')]``."""
    out = StepEdits("page_tags", text)
    for m in _PAGE_TAG.finditer(text):
        name = m.group(2)
        new = " " if _CELL_RE.fullmatch(name) else ("\n" if _PAGE_BLOCK_RE.fullmatch(name) else "")
        out.add(m.start(), m.end(), new)
    return out


class Step(NamedTuple):
    """A normalisation step: its name (``Edit.step``), its function, which texts it runs on (``text``, ``page``
    or ``all``), whether its new characters map to the whole raw span they replace (``whole``), and what it does."""

    name: str
    function: Callable[[str, Context | None], StepEdits]
    runs_on: str
    whole: bool
    doc: str


NORMALISATION_STEPS: Final = (
    Step("mojibake", mojibake_repair, "all", True, "mis-decoded GBK runs repaired, unreadable characters as U+FFFD"),
    Step("line_breaks", line_breaks, "text", False, "\\r\\n, \\r, U+2028/9 … as \\n"),
    Step("html_entities", html_entities, "text", False, "&amp; &nbsp; &#20140; … as their characters"),
    Step("html_tags", html_tags, "text", False, "HTML tags and fragments (/p>) removed; a sentence they cut joined"),
    Step("page_hidden", page_hidden, "page", False, "a saved page's head, scripts, styles, comments removed"),
    Step("page_source_breaks", page_source_breaks, "page", False, "a saved page's source line breaks: gone or a space"),
    Step("page_tags", page_tags, "page", False, "a saved page's tags: a block ends a line, a cell is a space"),
    Step("page_entities", page_entities, "page", False, "a saved page's entities as their characters"),
    Step("pinyin", pinyin_annotations, "all", False, "pinyin annotations after characters removed: 潤(rùn) → 潤"),
    Step("zero_width", zero_width, "all", False, "zero-width characters and soft hyphens removed"),
    Step("full_width", full_width, "all", False, "full-width digits and letters as ASCII, odd spaces as a space"),
    Step("traditional", traditional, "all", False, "Traditional characters as Simplified: 網絡 → 网络"),
    Step("paren_pairs", paren_pairs, "all", False, "ASCII brackets around Chinese as （）"),
    Step("ascii_punct", ascii_punct, "all", False, "ASCII , : ; ! ? ( ) next to Chinese as full-width"),
    Step("punct_runs", punct_runs, "all", False, "doubled punctuation as its strongest mark: ，， → ，"),
    Step("spaces", spaces, "all", False, "spaces in figures, next to Chinese and at line edges removed; runs cut to one"),
    Step("blank_lines", blank_lines, "all", False, "empty lines and leading/trailing line breaks removed"),
    Step("chrome_lines", chrome_lines, "all", False, "page chrome lines (share widgets, footers, bylines …) removed"),
)


def _count(stats: dict[str, int], step: str, befores: list[str], afters: list[str]) -> None:
    """Add a step's edits (their ``before`` and ``after`` columns) to the ``STAT_KEYS`` counters they count for:
    ``_count(stats, 'pinyin', ['(rùn)'], [''])`` adds 1 to ``stats['pinyin_removed']``."""
    if step == "traditional":  # the characters that changed (a stretch may hold unchanged ones)
        stats["traditional_converted"] += _n_differing("".join(befores), "".join(afters))
    elif step == "pinyin":
        stats["pinyin_removed"] += len(befores)
    elif step == "punct_runs":
        stats["punct_collapsed"] += len(befores)
    elif step == "spaces":
        stats["spaces_removed"] += sum(map(len, befores))
    elif step == "chrome_lines":
        stats["boilerplate_lines"] += len(befores)
    elif step == "mojibake":
        lost = afters.count(LOST)
        stats["mojibake_unrecovered"] += lost
        stats["mojibake_repaired"] += len(afters) - lost
    elif step in ("html_entities", "page_entities", "page_hidden", "page_tags"):
        stats["html_removed"] += len(befores)
    elif step == "html_tags":  # not the line breaks joined after a fragment
        stats["html_removed"] += sum([1 for x in befores if "<" in x or ">" in x])


def _stats(edits: Sequence[TextEdit]) -> dict[str, int]:
    """The ``STAT_KEYS`` counters counted from a report's edits (in step order): ``_stats([TextEdit('pinyin', 1, 6, '(rùn)', '')])['pinyin_removed']`` → 1."""
    stats = {k: 0 for k in STAT_KEYS}
    rows = list(edits)
    k = 0
    while k < len(rows):
        m = k
        while m < len(rows) and rows[m].step == rows[k].step:
            m += 1
        _count(stats, rows[k].step, [x.before for x in rows[k:m]], [x.after for x in rows[k:m]])
        k = m
    return stats


def normalise_and_explain(
    raw: str, page: bool = False, keep_line: Callable[[str], bool] | None = None, skip: frozenset[str] = frozenset()
) -> tuple[Normalised, list[Edit]]:
    """``normalise`` and every edit of every step in order, offsets into the text that step read (as ftfy's
    ``fix_and_explain``): ``normalise_and_explain('潤(rùn)')`` → ``(Normalised(text='润', …), [Edit('pinyin', 1, 6, '(rùn)', ''),
    Edit('traditional', 0, 1, '潤', '润')])``. ``skip``: names of steps not to run (to see what one step does:
    ``skip=frozenset({'traditional'})`` gives ``'潤'``)."""
    return _run_steps(raw, page, keep_line, skip, True)


def _run_steps(
    raw: str, page: bool, keep_line: Callable[[str], bool] | None, skip: frozenset[str], explain: bool
) -> tuple[Normalised, list[Edit]]:
    """``normalise_and_explain``; the ``Edit`` tuples in the steps' own offsets are made only when ``explain``
    (``normalise`` keeps the edits in raw offsets alone)."""
    state = OffsetText(raw, *_identity(len(raw)))
    ctx = Context(raw=raw, state=state, page=page, hidden=_hidden_spans(raw) if page else [], keep_line=keep_line)
    mode = "page" if page else "text"
    edits: list[Edit] = []
    log = EditLog()
    stats = {k: 0 for k in STAT_KEYS}
    for step in NORMALISATION_STEPS:
        if (step.runs_on != "all" and step.runs_on != mode) or step.name in skip:
            continue
        found = step.function(state.text, ctx)
        if len(found):
            if explain:
                edits += found.edits()
            k = len(log)
            state.apply(found, step.whole, log)
            _count(stats, step.name, log.befores[k:], log.afters[k:])
    norm = Normalised(
        text=state.text,
        starts=state.starts,
        ends=state.ends,
        script=script_of(raw),
        dropped=ctx.dropped,
        corrupt_spans=ctx.corrupt_spans,
        stats=stats,
        edits=log,
    )
    return norm, edits


def edits_at(norm: Normalised, start: int, end: int | None = None) -> list[TextEdit]:
    """The edits behind the normalised characters ``norm.text[start:end]`` (one character when ``end`` is left out):
    those whose raw span meets the characters' raw span, in step order.
    ``edits_at(normalise('潤(rùn)疆'), 0)`` → ``[TextEdit('traditional', 0, 1, '潤', '润')]``."""
    end = start + 1 if end is None else end
    lo, hi = norm.starts[start], norm.ends[end - 1]
    log = norm.edits
    out = []
    for k in range(len(log)):
        x0, x1, before, after = log.raw_starts[k], log.raw_ends[k], log.befores[k], log.afters[k]
        if not ((x0 < hi and lo < x1) or (x0 == x1 and lo <= x0 <= hi)):
            continue
        if len(before) == len(after) == x1 - x0:  # character for character: did these change?
            a, b = max(lo, x0) - x0, min(hi, x1) - x0
            if before[a:b] == after[a:b]:
                continue
        out.append(log[k])
    return out


def normalise(raw: str, page: bool = False, keep_line: Callable[[str], bool] | None = None) -> Normalised:
    """Normalise a raw report: ``normalise('潤(rùn)疆,,投入 6423 萬元').text`` → ``'润疆，投入6423万元'``.

    ``page``: ``raw`` is a whole HTML document (a saved web page): what a browser does not show (head, scripts,
    styles, comments) goes, block elements end lines, other tags go, source line breaks are not line breaks.
    ``keep_line``: a line of the normalised text that page chrome rules keep but for which it says False is
    dropped as ``not_main_text`` (the lines a main-text extractor did not keep, ``html.normalise_page``).
    ``edits`` lists every change in raw offsets (``normalise_and_explain`` gives them in the steps' own offsets).
    """
    return _run_steps(raw, page, keep_line, frozenset(), False)[0]
