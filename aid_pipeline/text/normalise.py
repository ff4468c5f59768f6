"""Raw report text → normalised Simplified text with an exact offset map (no Dagster import).

Passes, each a compiled regex (or ``str.translate``) over the whole text that rebuilds the per-char
raw spans ``starts``/``ends`` with list slices:

1. line breaks (``\\r\\n``, ``\\r``, U+2028/9 → ``\\n``); 2. mojibake repair (``mojibake.py``);
3. HTML entities and tags/fragments (a sentence cut by ``/p>`` + line break is joined again);
4. pinyin annotations glued after a CJK character (``潤(rùn)`` → ``潤``; ``(EICU)`` stays);
5. full-width ASCII → ASCII, odd spaces → space, zero-width chars removed; 6. t2s (length-preserving);
7. punctuation: ASCII ``, : ; ! ? ( )`` next to CJK → full-width, doubled marks collapsed;
8. whitespace: digit↔CJK and punctuation-adjacent spaces removed, runs collapsed, lines stripped,
   empty lines dropped; 9. page-chrome lines dropped by the rules in ``data/boilerplate.json``.

Inserted or replacing characters map to the whole raw span they replace.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Callable, Final

from .datafiles import load_json
from .convert import script_of, to_simplified
from .mojibake import LOST, find_corrupt_spans
from .types import CorruptSpan, DroppedLine, Normalised

__all__ = ["normalise", "classify_lines", "is_pinyin_annotation", "STAT_KEYS"]

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


CJK: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RE: Final = re.compile(f"[{CJK}]")
_PUNCT_FW: Final = "，。、；：！？（）“”‘’《》〈〉【】「」『』…—·"
_TERMINAL: Final = set("。！？；…”」』!?.;")
_PINYIN_LETTERS: Final = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿA-ZĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙÜ"
_TONE: Final = re.compile("[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙÜ]")

# --- compiled patterns (all linear: bounded or non-overlapping quantifiers) --------------------------
# A pattern used to scan long texts starts with a single character or character class (``[ab][ab]*``, not
# ``[ab]+``): then the regex engine skips in C to where a match can start instead of trying every position.
# = r"\r\n?|[\u2028\u2029\x85\x0b\x0c]"; starting with a character class lets the regex engine skip
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
_SYLLABLE_SEP: Final = re.compile(r"[ '’·-]")
_UNTONE: Final = str.maketrans(
    "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿv", "aaaaeeeeiiiioooouuuuüüüünnnmü"
)
_ZERO_WIDTH: Final = re.compile(r"[\u200b-\u200d\u2060\ufeff\u00ad][\u200b-\u200d\u2060\ufeff\u00ad]*")  # = [...]+
_SPACE_MAP: Final = {c: " " for c in "\t\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"}
_FW_MAP: Final = {chr(0xFF10 + i): chr(0x30 + i) for i in range(10)}
_FW_MAP.update({chr(0xFF21 + i): chr(0x41 + i) for i in range(26)})
_FW_MAP.update({chr(0xFF41 + i): chr(0x61 + i) for i in range(26)})
_FW_MAP.update({"％": "%", "．": ".", "＋": "+", "－": "-", "／": "/", "＝": "=", "＆": "&", "＠": "@", "＃": "#"})
_TRANSLATE: Final = str.maketrans({**_SPACE_MAP, **_FW_MAP})
# the same mapping as a regex: most texts hold few such characters (str.translate looks up every char)
_TRANSLATE_RE: Final = re.compile("[" + re.escape("".join(sorted(map(chr, _TRANSLATE)))) + "]")

_PAREN_PAIR: Final = re.compile(r"\(([^()\n]{0,500})\)")
_ASCII_PUNCT: Final = re.compile(r"[,:;!?()]")
_ASCII_TO_FW: Final = {",": "，", ":": "：", ";": "；", "!": "！", "?": "？", "(": "（", ")": "）"}
_PUNCT_RUN: Final = re.compile(r"[，、。；：！？,;:!?][，、。；：！？,;:!?]+")  # = [...]{2,}
_FW_PUNCT: Final = re.compile(r"[，、。；：！？]")
_PRIORITY: Final = {c: i for i, c in enumerate("。？！；：、，")}
_CJKP: Final = f"{CJK}{_PUNCT_FW}{LOST}"
# membership as ``c in _CJKP or _cjk(c)`` (the range dashes of ``_CJKP`` included) in one set lookup
_CJKP_SET: Final = frozenset(_CJKP) | frozenset(
    chr(i) for lo, hi in ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF)) for i in range(lo, hi + 1)
)
# each alternative starts with its space (the lookbehind checks the character before it), so the
# regex engine jumps from space to space instead of trying every position
# ASCII marks ``single`` (in ``_punct_pass``) always makes full-width: , : ; ) right after a CJK/punctuation
# char, , : ; ( ? ! right before one (no char of _CJKP_SET is a digit or an ASCII letter)
_CJKP_CLASS: Final = f"[{CJK}{re.escape(_PUNCT_FW + LOST)}\\-]"
# = rf"[,:;)](?<={_CJKP_CLASS}[,:;)])|[,:;(?!](?={_CJKP_CLASS})", as one group for ``split``
_SURE_FW: Final = re.compile(rf"([,:;)(?!])(?:(?<={_CJKP_CLASS}[,:;)])|(?<=[,:;(?!])(?={_CJKP_CLASS}))")
_SPACE_DIGIT_CJK: Final = re.compile(rf"[ ](?<=[0-9%][ ])[ ]*(?=[{CJK}])|[ ](?<=[{CJK}][ ])[ ]*(?=[0-9])")
_SPACE_PUNCT: Final = re.compile(r"[ ]+(?=[，。、；：！？）」』”》〉】])|[ ](?<=[，。、；：！？（「『“《〈【][ ])[ ]*")
_MULTISPACE: Final = re.compile(r"[ ]{2,}")
_LINE_EDGE_SPACE: Final = re.compile(r"[ ](?<![^\n][ ])[ ]*|[ ]+(?![^\n])")  # = r"^[ ]+|[ ]+$" with re.M
# the four space rules in one scan: each alternative matches whole runs of spaces and only their neighbours
# decide, so a run the first three remove goes ("gone"), another run of 2+ spaces keeps its first space
# (written with the first space of every alternative in front, so the engine jumps from space to space)
_SPACE_RUNS: Final = re.compile(
    rf"[ ](?:(?P<gone>(?<=[0-9%][ ])[ ]*(?=[{CJK}])|(?<=[{CJK}][ ])[ ]*(?=[0-9])"  # _SPACE_DIGIT_CJK
    r"|[ ]*(?=[，。、；：！？）」』”》〉】])|(?<=[，。、；：！？（「『“《〈【][ ])[ ]*"  # _SPACE_PUNCT
    r"|(?<![^\n][ ])[ ]*|[ ]*(?![^\n]))"  # _LINE_EDGE_SPACE
    r"|[ ]+)"  # _MULTISPACE
)
_BLANK_LINES: Final = re.compile(r"\n\n+")  # = \n{2,}
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


class _State:
    """Text plus the raw span of every character."""

    __slots__ = ("t", "s", "e")

    def __init__(self, t: str, s: list[int], e: list[int]):
        self.t, self.s, self.e = t, s, e

    def sub(self, pattern: re.Pattern, fn) -> int:
        """Apply ``fn(match) -> None | str | (str, list[int|None])`` at every match; returns #changes.

        With a plain string, each new char maps to the whole matched raw span (or 1:1 if the
        lengths are equal); with a list, entry ``k`` is the offset inside the match that new char
        ``k`` comes from (``None``: the whole match).
        """
        return self.apply([(m.start(), m.end(), r) for m in pattern.finditer(self.t) if (r := fn(m)) is not None])

    def delete(self, pattern: re.Pattern) -> int:
        """Remove every match of ``pattern`` (``sub(pattern, lambda m: "")``); returns #matches."""
        spans = [m.span() for m in pattern.finditer(self.t)]
        if spans:
            self.delete_spans(spans)
        return len(spans)

    def delete_spans(self, spans: list[tuple[int, int]]) -> None:
        """Remove the sorted, non-overlapping ``(start, end)`` spans (the kept pieces are list slices)."""
        t, s, e = self.t, self.s, self.e
        out_t: list[str] = []
        out_s: list[int] = []
        out_e: list[int] = []
        add_t, ext_s, ext_e = out_t.append, out_s.extend, out_e.extend
        last = 0
        for a, b in spans:
            add_t(t[last:a])
            ext_s(s[last:a])
            ext_e(e[last:a])
            last = b
        add_t(t[last:])
        ext_s(s[last:])
        ext_e(e[last:])
        self.t, self.s, self.e = "".join(out_t), out_s, out_e

    def apply(self, edits: list) -> int:
        """Apply ``(start, end, replacement)`` edits (sorted, non-overlapping) as ``sub`` does; returns #edits."""
        if not edits:
            return 0
        t, s, e = self.t, self.s, self.e
        if all(r.__class__ is str and len(r) == b - a for a, b, r in edits):  # 1:1 (or deletions)
            if all(not r for _, _, r in edits):
                self.delete_spans([(a, b) for a, b, _ in edits])
                return len(edits)
            if all(r for _, _, r in edits):  # same length: the offsets stay as they are
                pieces = []
                last = 0
                for a, b, r in edits:
                    pieces.append(t[last:a])
                    pieces.append(r)
                    last = b
                pieces.append(t[last:])
                self.t = "".join(pieces)
                return len(edits)
        out_t: list[str] = []
        out_s: list[int] = []
        out_e: list[int] = []
        add_t, ext_s, ext_e = out_t.append, out_s.extend, out_e.extend
        last = 0
        for a, b, r in edits:
            if a > last:
                add_t(t[last:a])
                ext_s(s[last:a])
                ext_e(e[last:a])
            last = b
            if r.__class__ is tuple:
                new, idx = r
            elif not r:
                continue
            elif len(r) == b - a:  # 1:1
                add_t(r)
                ext_s(s[a:b])
                ext_e(e[a:b])
                continue
            elif len(r) == 1 and a < b:  # one char for the whole match (a collapsed run)
                add_t(r)
                out_s.append(s[a])
                out_e.append(e[b - 1])
                continue
            else:
                new, idx = r, None
            if not new:
                continue
            if a < b:
                whole = (s[a], e[b - 1])
            else:  # pure insertion: map to the neighbouring raw position
                p = e[a - 1] if a > 0 else (s[a] if a < len(s) else 0)
                whole = (p, p)
            if idx is None and len(new) == b - a:
                idx = list(range(len(new)))
            for k in range(len(new)):
                j = idx[k] if idx is not None else None
                if j is None:
                    out_s.append(whole[0])
                    out_e.append(whole[1])
                else:
                    out_s.append(s[a + j])
                    out_e.append(e[a + j])
            add_t(new)
        if last < len(t):
            add_t(t[last:])
            ext_s(s[last:])
            ext_e(e[last:])
        self.t, self.s, self.e = "".join(out_t), out_s, out_e
        return len(edits)


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


# --- passes ------------------------------------------------------------------------------------
def _cjk(c: str) -> bool:
    return bool(c) and bool(_CJK_RE.match(c))


def _prev_char(t: str, a: int) -> str:
    """Last non-blank character before ``a`` on the same stretch (looks back at most 64 chars)."""
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


def _html_pass(st: _State) -> int:
    def entity(m):
        ent = m.group()
        if ent.lower() in ("&nbsp;", "&ensp;", "&emsp;", "&thinsp;", "&#160;", "&#12288;"):
            return " "
        val = html.unescape(ent)
        return None if val == ent else val

    n = st.sub(_ENTITY, entity) if "&" in st.t else 0
    t = st.t
    if "<" not in t and ">" not in t:
        return n  # every tag or fragment holds a < or a >

    # line ends where a fragment was removed mid-sentence: the next line continues the sentence
    joins: set[int] = set()
    matches = _tag_matches(t)
    for m in matches:
        a, b = m.span()
        if m.group().startswith("<"):
            continue  # a whole tag (</p>) ends a paragraph; only a broken fragment (/p>) cuts a sentence
        before = _prev_char(t, a)
        lone = before == "\n" and t[a - 1] == "\n"  # the fragment on a line of its own
        if lone:
            before = _prev_char(t, a - 1)
        if b < len(t) and t[b] == "\n" and before and before not in _TERMINAL and (_cjk(before) or before == LOST) and _cjk(t[b + 1 : b + 2]):
            joins.add(b)
            if lone:
                joins.add(a - 1)
    marker = "\x00"
    if joins and marker not in t:
        st.sub(re.compile(r"\n"), lambda m: (marker, [0]) if m.start() in joins else None)
        t = st.t
        matches = _tag_matches(t)
    else:
        joins = set()  # the text is unchanged: the same tags

    def tag(m):
        a, b = m.span()
        before = _prev_char(t, a)
        after = t[b : b + 1]
        if after and after not in "\n\x00" and before in _TERMINAL and _TAG_BLOCK.match(m.group()):
            return "\n"  # a block tag between two sentences on one line is a paragraph break
        return ""

    n += st.apply([(m.start(), m.end(), tag(m)) for m in matches])
    if joins:
        st.sub(re.compile(r"[ \t]*\x00[ \t]*"), lambda m: "")
    return n


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


def _pinyin_pass(st: _State) -> int:
    """Delete the pinyin annotations (``潤(rùn)`` → ``潤``); returns how many."""
    t = st.t
    if "(" not in t and "（" not in t:
        return 0
    parts = _PINYIN_SPLIT.split(t)
    if len(parts) == 1:
        return 0
    s, e = st.s, st.e
    kind = _annotation_kind
    out_t = [parts[0]]
    out_s: list[int] = []
    out_e: list[int] = []
    a = len(parts[0])  # start of the annotation parts[j]
    last = 0  # start of the stretch kept since the last deletion
    removed = 0
    for j in range(1, len(parts), 2):
        g = parts[j]
        b = a + len(g)
        n, toned_ok = kind(g)
        if (toned_ok and n <= a) if toned_ok is not None else _is_annotation(t[max(0, a - n) : a], g):
            out_s += s[last:a]
            out_e += e[last:a]
            last = b
            removed += 1
        else:
            out_t.append(g)
        rest = parts[j + 1]
        out_t.append(rest)
        a = b + len(rest)
    if removed:
        out_s += s[last:]
        out_e += e[last:]
        st.t, st.s, st.e = "".join(out_t), out_s, out_e
    return removed


def _punct_pass(st: _State) -> int:
    t = st.t

    def pair(m):
        inner = m.group(1)
        if not _CJK_RE.search(inner):
            return None
        return "（" + inner + "）"

    st.sub(_PAREN_PAIR, pair)
    t = st.t

    def single(m):
        c = m.group()
        a = m.start()
        prev = t[a - 1] if a > 0 else ""
        nxt = t[a + 1] if a + 1 < len(t) else ""
        if prev == " " and a > 1:
            prev = t[a - 2]
        if nxt == " " and a + 2 < len(t):
            nxt = t[a + 2]
        prev_c = prev in _CJKP_SET
        next_c = nxt in _CJKP_SET
        if c in "?!" and nxt and (nxt.isascii() and nxt.isalnum()):
            return None
        if c in ",:;" and prev.isdigit() and nxt.isdigit():
            return None
        if c == "(" and not next_c:
            return None
        if c == ")" and not prev_c:
            return None
        if prev_c or next_c:
            return _ASCII_TO_FW[c]
        return None

    # the sure cases in one C-level pass, then ``single`` on the rest (same length: offsets unchanged)
    parts = _SURE_FW.split(t)  # [text, mark, text, mark, …, text]
    if len(parts) > 1:
        parts[1::2] = [_ASCII_TO_FW[c] for c in parts[1::2]]
        st.t = "".join(parts)
    st.sub(_ASCII_PUNCT, single)
    return _collapse_runs(st)


_PUNCT_RUN_SPLIT: Final = re.compile(f"({_PUNCT_RUN.pattern})")  # split() gives [text, run, text, …, text]


def _collapse_runs(st: _State) -> int:
    """Each run of punctuation becomes its strongest mark (``_collapse_run``), mapped to the whole run;
    returns how many runs (``st.sub(_PUNCT_RUN, lambda m: _collapse_run(m.group()))``)."""
    parts = _PUNCT_RUN_SPLIT.split(st.t)
    if len(parts) == 1:
        return 0
    s, e = st.s, st.e
    out_t = [parts[0]]
    out_s: list[int] = []
    out_e: list[int] = []
    a = len(parts[0])  # start of the run parts[j]
    last = 0  # start of the stretch kept as it is since the last collapsed run
    n = 0
    for j in range(1, len(parts), 2):
        run = parts[j]
        b = a + len(run)
        mark = _collapse_run(run)
        if mark is None:
            out_t.append(run)
        else:
            out_t.append(mark)
            out_s += s[last:a]
            out_s.append(s[a])
            out_e += e[last:a]
            out_e.append(e[b - 1])
            last = b
            n += 1
        rest = parts[j + 1]
        out_t.append(rest)
        a = b + len(rest)
    if n:
        out_s += s[last:]
        out_e += e[last:]
        st.t, st.s, st.e = "".join(out_t), out_s, out_e
    return n


@lru_cache(maxsize=1024)
def _collapse_run(s: str) -> str | None:
    """The mark a run of punctuation collapses to: ``'，。'`` → ``'。'``; ``None`` for a pure ASCII run (``',,'``)."""
    if not _FW_PUNCT.search(s):
        return None  # pure ASCII run outside Chinese text
    best = min(range(len(s)), key=lambda i: _PRIORITY[_ASCII_TO_FW.get(s[i], s[i])])
    return _ASCII_TO_FW.get(s[best], s[best])  # maps to the whole collapsed run


def _space_pass(st: _State) -> int:
    before = len(st.t)
    if " " in st.t:  # = delete _SPACE_DIGIT_CJK, then _SPACE_PUNCT, _MULTISPACE → " ", delete _LINE_EDGE_SPACE
        spans = [(m.start() if m.lastgroup else m.start() + 1, m.end()) for m in _SPACE_RUNS.finditer(st.t)]
        if spans:
            st.delete_spans(spans)
    n = before - len(st.t)
    _keep_first(st, _BLANK_LINES)
    t = st.t
    if t[:1] == "\n" or t[-1:] == "\n":  # = st.delete(_EDGE_NEWLINES)
        lead = len(t) - len(t.lstrip("\n"))
        trail = len(t) - len(t.rstrip("\n"))
        st.delete_spans([(0, lead)] if lead == len(t) else [x for x in ((0, lead), (len(t) - trail, len(t))) if x[0] < x[1]])
    return n


def _keep_first(st: _State, pattern: re.Pattern) -> None:
    """``st.sub(pattern, lambda m: (m.group()[0], [0]))`` for runs of one character: keep a run's first char."""
    spans = [(m.start() + 1, m.end()) for m in pattern.finditer(st.t)]
    if spans:
        st.delete_spans(spans)


def _replace_spans(st: _State, spans: list[CorruptSpan]) -> None:
    """Put each span's repair (or one LOST char) in place; new chars map to the whole span."""
    t = st.t
    out_t, out_s, out_e = [], [], []
    last = 0
    for sp in sorted(spans, key=lambda x: x.raw_start):
        a, b = sp.raw_start, sp.raw_end
        if a < last or t[a:b] != sp.raw:
            continue
        new = sp.repaired if sp.repaired else LOST
        out_t.append(t[last:a])
        out_s.extend(st.s[last:a])
        out_e.extend(st.e[last:a])
        out_t.append(new)
        out_s.extend([a] * len(new))
        out_e.extend([b] * len(new))
        last = b
    out_t.append(t[last:])
    out_s.extend(st.s[last:])
    out_e.extend(st.e[last:])
    st.t, st.s, st.e = "".join(out_t), out_s, out_e


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


def _page_pass(st: _State, hidden: list[tuple[int, int]]) -> int:
    """A saved web page as the text a browser shows, one block per line (offsets kept); returns the number of
    tags, hidden blocks and entities removed. ``'<p>援疆</p><p>5亿元</p>'`` → ``'\n援疆\n\n5亿元\n'``."""
    n = 0
    if hidden:  # the state may no longer be the identity (mojibake repairs): find each raw span by the offsets
        cut = []
        for a, b in hidden:
            i, j = bisect_left(st.s, a), bisect_left(st.s, b)
            if i < j:
                cut.append((i, j))
        st.delete_spans(cut)
        n += len(cut)
    t = st.t

    def source_break(m: re.Match) -> str:
        a, b = m.span()
        before = t[a - 1] if a > 0 else ""
        after = t[b] if b < len(t) else ""
        if not before or not after or before in _CJKP_SET or after in _CJKP_SET or before == ">" or after == "<":
            return ""
        return " "

    st.sub(_SOURCE_BREAK, source_break)

    def tag(m: re.Match) -> str:
        name = m.group(2)
        if _CELL_RE.fullmatch(name):
            return " "
        return "\n" if _PAGE_BLOCK_RE.fullmatch(name) else ""

    n += st.sub(_PAGE_TAG, tag)

    def entity(m: re.Match):
        ent = m.group()
        if ent.lower() in ("&nbsp;", "&ensp;", "&emsp;", "&thinsp;", "&#160;", "&#12288;"):
            return " "
        val = html.unescape(ent)
        return None if val == ent else val

    if "&" in st.t:
        n += st.sub(_ENTITY, entity)
    return n


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


def normalise(raw: str, page: bool = False, keep_line: Callable[[str], bool] | None = None) -> Normalised:
    """Normalise a raw report: ``normalise('潤(rùn)疆,,投入 6423 萬元').text`` → ``'润疆，投入6423万元'``.

    ``page``: ``raw`` is a whole HTML document (a saved web page): what a browser does not show (head, scripts,
    styles, comments) goes, block elements end lines, other tags go, source line breaks are not line breaks.
    ``keep_line``: a line of the normalised text that page chrome rules keep but for which it says False is
    dropped as ``not_main_text`` (the lines a main-text extractor did not keep, ``html.normalise_page``).
    """
    stats = {k: 0 for k in STAT_KEYS}
    script = script_of(raw)
    st = _State(raw, *_identity(len(raw)))
    hidden = _hidden_spans(raw) if page else []

    # mojibake first, while the state is still the identity map of the raw text
    spans: list[CorruptSpan] = find_corrupt_spans(raw)
    if LOST in raw:
        spans = _with_lost_chars(raw, spans)
    if hidden and spans:
        spans = [sp for sp in spans if not _inside(sp.raw_start, hidden)]
    if spans:
        _replace_spans(st, spans)
        stats["mojibake_repaired"] = sum(1 for sp in spans if sp.recovered)
        stats["mojibake_unrecovered"] = sum(1 for sp in spans if not sp.recovered)
    if page:
        stats["html_removed"] = _page_pass(st, hidden)
    else:
        st.sub(_NEWLINES, lambda m: "\n")
        stats["html_removed"] = _html_pass(st)
    stats["pinyin_removed"] = _pinyin_pass(st)
    st.delete(_ZERO_WIDTH)
    if _TRANSLATE_RE.search(st.t):  # = st.t.translate(_TRANSLATE), same length
        st.t = _TRANSLATE_RE.sub(lambda m: _TRANSLATE[ord(m.group())], st.t)
    simp = to_simplified(st.t)
    if simp != st.t:
        stats["traditional_converted"] = _n_differing(st.t, simp)
        st.t = simp
    stats["punct_collapsed"] = _punct_pass(st)
    stats["spaces_removed"] = _space_pass(st)

    # lines and page chrome
    t, s, e = st.t, st.s, st.e
    lines = t.split("\n") if t else []
    reasons = classify_lines(lines)
    if keep_line is not None:
        reasons = [why if why is not None or keep_line(line) else "not_main_text" for line, why in zip(lines, reasons)]
    dropped: list[DroppedLine] = []
    if any(reasons):
        # the kept lines, a run of consecutive ones at a time; the newline put between two runs is the raw
        # newline after the earlier run's last line
        out_t: list[str] = []
        out_s: list[int] = []
        out_e: list[int] = []
        run_a = -1  # start of the current run of kept lines (-1: none)
        run_b = 0  # end of its last line
        nl_s = nl_e = 0  # raw span of the newline after the last run put out (set once one is)
        pos = 0
        for line, why in zip(lines + [""], reasons + ["end"]):
            a, b = pos, pos + len(line)
            pos = b + 1
            if why is None:
                if run_a < 0:
                    run_a = a
                run_b = b
                continue
            if run_a >= 0:
                if out_t:
                    out_t.append("\n")
                    out_s.append(nl_s)
                    out_e.append(nl_e)
                out_t.append(t[run_a:run_b])
                out_s += s[run_a:run_b]
                out_e += e[run_a:run_b]
                nl_s, nl_e = (s[run_b], e[run_b]) if run_b < len(t) else (e[run_b - 1], e[run_b - 1])
                run_a = -1
            if why != "end":
                dropped.append(DroppedLine(text=line, raw_start=s[a], raw_end=e[b - 1], reason=why))
        t, s, e = "".join(out_t), out_s, out_e
    stats["boilerplate_lines"] = len(dropped)
    return Normalised(
        text=t,
        starts=s,
        ends=e,
        script=script,
        dropped=dropped,
        corrupt_spans=spans,
        stats=stats,
    )
