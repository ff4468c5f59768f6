"""Number grammar for Chinese report text: Arabic, Chinese and mixed numerals, multipliers, ranges, percents.

Pure functions, no Dagster. Every regex here is linear (character classes with a single quantifier,
optional groups that never need to backtrack into a repeated group).

    >>> parse_number("1.1807亿")
    118070000.0
    >>> [(t.text, t.value) for t in scan_numbers("投入2,300万元")]
    [('2,300万', 23000000.0)]
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple
from decimal import Decimal, InvalidOperation
from dataclasses import dataclass

# --- character tables (precomputed at import) --------------------------------------------------

CN_DIGITS: Final[dict[str, int]] = {
    "〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
    "壹": 1, "贰": 2, "叁": 3, "肆": 4, "伍": 5, "陆": 6, "柒": 7, "捌": 8, "玖": 9,
}
CN_SMALL_UNITS: Final[dict[str, int]] = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
CN_BIG_UNITS: Final[dict[str, int]] = {"万": 10_000, "亿": 100_000_000, "萬": 10_000, "億": 100_000_000}
MULTIPLIERS: Final[dict[str, int]] = {"十": 10, "百": 100, "千": 1000, "万": 10_000, "亿": 100_000_000,
                               "萬": 10_000, "億": 100_000_000}

_CN_CHARS: Final = "".join(CN_DIGITS) + "".join(CN_SMALL_UNITS) + "".join(CN_BIG_UNITS)
#: characters that only scale (a numeral made of these alone, e.g. 万 / 千万, is a "bare multiplier")
BARE_MULT_CHARS: Final = frozenset("百千万亿佰仟萬億")

# full-width digits / punctuation to ASCII; NBSP & ideographic space to plain space
_FW: Final = {ord("０") + i: ord("0") + i for i in range(10)}
_FW.update({ord("．"): ord("."), ord("，"): ord(","), ord("％"): ord("%"), 0x00A0: 0x20, 0x3000: 0x20,
            ord("－"): ord("-"), ord("～"): ord("~")})

_WS: Final = "[ \u00a0\u3000\t]"
_DIGIT: Final = "[0-9０-９]"
# thousands groups: 2,300 and, as pages print them, 1 200 / 1\u2009200 (a space after one to three digits, then exactly
# three: 2019 300 and 1 20 are two numbers); a space before the decimal point is read through (4 .6 = 4.6)
_GROUP_SPACE: Final = "[ \u00a0\u2009\u202f]"
ARABIC: Final = (rf"{_DIGIT}+(?:[,，]{_DIGIT}{{3}}|(?<![0-9０-９]{{4}}){_GROUP_SPACE}{_DIGIT}{{3}}(?![0-9０-９]))*"
                 rf"(?:{_GROUP_SPACE}?[.．]{_DIGIT}+)?")  # 4 .6亿元: a space a page put before the point
#: the characters that group thousands inside an Arabic number (not digits)
GROUP_MARKS: Final = ",， \u00a0\u2009\u202f"
# an Arabic number's text as Python reads it: full-width forms folded (_FW), grouping marks dropped
_UNGROUPED: Final = {**_FW, **{ord(c): None for c in GROUP_MARKS}}
CN_RUN: Final = f"[{_CN_CHARS}]+"
# 千 before 瓦/米/克 and 百 before 分 belong to the unit (10万千瓦 = 10万 + 千瓦; 2百分点), 百 before 姓 to 百姓 (30万百姓), not to the multiplier
# 3千多万, 2百余万: 余/多 inside the multiplier, before 万/亿, means "and some" (30000000, at_least; see _INNER_QIN)
_MULT: Final = "(?:[十万亿萬億]|千(?![瓦米克])|百(?![分姓]))" + "{1,3}" + "(?:[余多](?=[万亿萬億])[万亿萬億])?"
_QIN: Final = "[余多]"
_RANGE_SEP: Final = "[-－—–~～至到]"

# a fraction's denominator: 百分之四十 (percent), 三分之二, 十分之一, 千分之五 (read as percent: 66.666667, 10, 0.5)
_FRACTION: Final = "(?:百|千|[一二两三四五六七八九]|十)分之"
# a Chinese decimal point, 点 then digits: 四点二亿元 (4.2亿), 百分之三点五 (3.5%); only before 万/亿 or after 百分之,
# so that 三点 (three o'clock) and 两点 (two points) stay what they are
_CN_DECIMAL: Final = "点[〇零一二两三四五六七八九]+"
# 几 after a Chinese numeral's scale character is "and some" like 余/多: 十几个 = ten-odd (10, at_least)
_CN_QIN: Final = f"(?:{_QIN}|(?<=[十百千万])几)"
# One token: 百分之N / 三分之N | Arabic [ws] [余多] [mult] [余多] | Chinese-run [余多几] [万亿] [余多]; then an optional range.
_NUMBER_CORE: Final = (
    rf"(?:(?P<pct>{_FRACTION})(?P<pnum>{ARABIC}|{CN_RUN}(?:{_CN_DECIMAL})?)"
    rf"|(?P<a>{ARABIC})(?:{_WS}(?=[余多十百千万亿萬億]))?(?P<aq1>{_QIN})?(?P<am>{_MULT})?(?P<aq2>{_QIN})?"
    rf"|(?P<c>{CN_RUN}(?:{_CN_DECIMAL}(?=[万亿萬億]))?)(?P<cq1>{_CN_QIN})?(?P<cm>[万亿萬億]{{1,2}})?(?P<cq2>{_QIN})?)"
    rf"(?:{_WS}?(?P<rsep>{_RANGE_SEP}){_WS}?(?P<r2>{ARABIC}|{CN_RUN})(?P<r2m>{_MULT})?)?"
)
NUMBER_RE: Final = re.compile(rf"(?<![0-9０-９.．A-Za-z])(?<![0-9][-/:：－]){_NUMBER_CORE}")
# a character a number can start with (百分之, an Arabic digit, a Chinese numeral): NUMBER_RE begins with look-behinds,
# so ``re`` cannot skip ahead to such a character itself and tries a match at every position
NUMBER_START_RE: Final = re.compile(f"[0-9０-９{_CN_CHARS}]")


def finditer_numbers(text: str):
    """The matches of ``NUMBER_RE.finditer(text)``, found about twice as fast: a match is tried only where a
    number can start. ``[m.group() for m in finditer_numbers("共3至5名，投入2万元")] -> ['3至5', '2万']``"""
    search, match = NUMBER_START_RE.search, NUMBER_RE.match
    pos = 0
    while True:
        c = search(text, pos)
        if c is None:
            return
        pos = c.start()
        m = match(text, pos)  # the look-behinds still see the characters before pos
        if m is None:
            pos += 1
        else:
            yield m
            pos = m.end()  # never empty: every alternative takes one character at least


@dataclass(frozen=True)
class NumberToken:
    """A number found in text: ``NumberToken(start=2, end=8, text="2,300万", value=23000000.0, ...)``."""

    start: int
    end: int
    text: str
    value: float
    value_high: float | None
    inner_qualifier: str | None  # "at_least" when 余/多 is inside the number
    kind: str  # arabic | chinese | percent_words
    has_multiplier: bool
    bare_multiplier: bool  # the whole numeral is a scale word (万, 千万, 亿)
    lone: str | None  # the numeral itself when it is a single Chinese character (一, 两 ...)
    int_digits: int  # number of integer-part Arabic digits (identifier heuristic)


def approx_pair(s: str) -> tuple[float, float] | None:
    """A Chinese numeral with two neighbouring digits side by side (an approximate range) and a scale character
    or 十 around them, as ``(low, high)``: ``approx_pair("五六万") -> (50000.0, 60000.0)``; ``"十二三" -> (12.0, 13.0)``;
    ``"三四" -> None`` (no scale: a digit run, see ``exclusions.digit_run_chinese``); ``"一百二十" -> None``."""
    if len(s) < 3:
        return None
    for i in range(len(s) - 1):
        a, b = s[i], s[i + 1]
        if a in CN_DIGITS and b in CN_DIGITS and CN_DIGITS[b] == CN_DIGITS[a] + 1 and CN_DIGITS[a] > 0:
            if (i > 0 and s[i - 1] in CN_DIGITS) or (i + 2 < len(s) and s[i + 2] in CN_DIGITS):
                return None  # a longer digit run (二〇二三), not a pair
            low, high = parse_chinese(s[:i + 1] + s[i + 2:]), parse_chinese(s[:i] + s[i + 1:])
            if low is None or high is None or high <= low:
                return None
            return low, high
    return None


def parse_chinese(s: str) -> float | None:
    """Value of a Chinese numeral: ``parse_chinese("一百二十") -> 120.0``; ``"三千万" -> 30000000.0``; ``"四点二" -> 4.2``.

    A run of plain digits without scale characters reads digit by digit (``二〇二三`` -> 2023).
    Returns ``None`` for an empty or invalid string.
    """
    if not s:
        return None
    if "点" in s:  # 四点二 -> 4.2: the whole part, then the digits after the point one by one
        whole, _dot, frac = s.partition("点")
        scale = 1
        while frac and frac[-1] in CN_BIG_UNITS:  # 十二点五亿: the scale after the digits
            scale *= CN_BIG_UNITS[frac[-1]]
            frac = frac[:-1]
        w = parse_chinese(whole)
        if w is None or not frac or any(ch not in CN_DIGITS for ch in frac):
            return None
        return float((Decimal(int(w)) + Decimal("0." + "".join(str(CN_DIGITS[ch]) for ch in frac))) * scale)
    if all(ch in CN_DIGITS for ch in s):
        if len(s) == 1:
            return float(CN_DIGITS[s])
        return float("".join(str(CN_DIGITS[ch]) for ch in s))
    total = 0  # finished 亿 sections
    section = 0  # current section below 亿
    small = 0  # current group below 万
    digit: int | None = None
    for ch in s:
        if ch in CN_DIGITS:
            digit = CN_DIGITS[ch]
        elif ch in CN_SMALL_UNITS:
            small += (1 if digit is None else digit) * CN_SMALL_UNITS[ch]
            digit = None
        elif ch in "万萬":
            val = small + (digit or 0)
            section = (section + val) * 10_000 if (section or val) else 10_000
            small, digit = 0, None
        elif ch in "亿億":
            val = section + small + (digit or 0)
            total = (total + val) * 100_000_000 if (total or val) else 100_000_000
            section, small, digit = 0, 0, None
        else:
            return None
    return float(total + section + small + (digit or 0))


def _arabic(s: str) -> Decimal | int | None:
    if s.isascii() and s.isdigit():
        return int(s) if len(s) <= 40 else None
    s = s.translate(_UNGROUPED)
    if not s or len(s) > 40:
        return None
    try:
        return Decimal(s)
    except InvalidOperation:
        return None


def _mult_value(m: str | None) -> int:
    """Product of a multiplier's scale characters (余/多 inside skipped): ``_mult_value("千多万") -> 10000000``."""
    out = 1
    for ch in m or "":
        if ch in MULTIPLIERS:
            out *= MULTIPLIERS[ch]
    return out


def inner_qin(m: str | None) -> bool:
    """Whether 余/多 sits inside a multiplier (3千多万): ``inner_qin("千多万") -> True``; ``inner_qin("万") -> False``."""
    return m is not None and ("多" in m or "余" in m)


def parse_number(s: str) -> float | None:
    """Parse one number string to a float; ``parse_number("420余万") -> 4200000.0``.

    Handles Arabic (``2,300``, ``６４２３``, ``1.6万``, ``1.1807亿``), Chinese (``三千万``, ``两``,
    ``十余``), mixed, ``百分之四十`` (-> 40.0), ``三分之二`` (-> 66.666667, a share as percent) and a trailing ``%``. Qualifier characters 余/多 are ignored
    here (see ``scan_numbers`` for the qualifier); spaces inside are ignored. Returns ``None`` if ``s``
    is not a number (ranges are not numbers: use ``scan_numbers``).
    """
    if not s:
        return None
    t = re.sub(r"[\s\u00a0\u3000]+", "", s.translate(_FW))
    if t.endswith("%"):
        t = t[:-1]
    if t.startswith("百分之"):
        t = t[3:]
    elif (fm := _FRACTION_RE.match(t)) is not None:
        den, num = parse_chinese(fm.group(1)), parse_number(t[fm.end():])
        return None if not den or num is None else round(num * 100.0 / den, 6)
    t = t.replace("余", "").replace("多", "")
    if not t:
        return None
    m = _FULL_ARABIC.fullmatch(t)
    if m:
        base = _arabic(m.group(1))
        return None if base is None else float(base * _mult_value(m.group(2)))
    if all(ch in _CN_CHARS or ch == "点" for ch in t):
        return parse_chinese(t)
    return None


_FRACTION_RE: Final = re.compile("(千|[一二两三四五六七八九]|十)分之")
_FULL_ARABIC: Final = re.compile(r"([0-9]+(?:,[0-9]{3})*(?:\.[0-9]+)?)([十百千万亿萬億]{0,3})")


class NumberGroups(NamedTuple):
    """The named groups of one ``NUMBER_RE`` match, in the pattern's order (``NumberGroups(*m.groups())``):
    ``NumberGroups(*NUMBER_RE.search("共3至5名").groups()).r2 -> "5"``."""

    pct: str | None  # 百分之 / 三分之: a fraction's denominator words
    pnum: str | None  # the fraction's numerator
    a: str | None  # an Arabic number
    aq1: str | None  # 余/多 after it
    am: str | None  # its multiplier (万, 千多万)
    aq2: str | None  # 余/多 after the multiplier
    c: str | None  # a Chinese numeral
    cq1: str | None  # 余/多/几 after it
    cm: str | None  # its big multiplier (万, 亿)
    cq2: str | None  # 余/多 after the multiplier
    rsep: str | None  # a range mark (至, -)
    r2: str | None  # the range's high end
    r2m: str | None  # the high end's multiplier


class NumberFields(NamedTuple):
    """``NumberToken``'s fields as a tuple (no object built): ``token_fields(NUMBER_RE.search("87名")).value -> 87.0``."""

    start: int
    end: int
    text: str
    value: float
    value_high: float | None
    inner_qualifier: str | None
    kind: str
    has_multiplier: bool
    bare_multiplier: bool
    lone: str | None
    int_digits: int


assert tuple(sorted(NUMBER_RE.groupindex, key=NUMBER_RE.groupindex.__getitem__)) == NumberGroups._fields  # NumberGroups(*m.groups())


def _token_from_match(m: re.Match) -> NumberToken | None:
    """The token of one ``NUMBER_RE`` match, or ``None`` (unparsable, or a "range" that does not rise):
    ``_token_from_match(NUMBER_RE.search("共3至5名")).value_high -> 5.0``."""
    f = token_fields(m)
    if f is None:
        return None
    return NumberToken(*f)


def token_fields(m: re.Match) -> NumberFields | None:
    """``NumberToken`` fields of one ``NUMBER_RE`` match (no object built), or ``None``:
    ``token_fields(NUMBER_RE.search("共3至5名"))[3:5] -> (3.0, 5.0)``."""
    start, end = m.span()
    return common_fields(start, end, m.group(), NumberGroups(*m.groups()))


def common_fields(start: int, end: int, text: str, g: NumberGroups) -> NumberFields | None:
    """``fields_from_groups`` with the commonest figures (87名, 420余万, 两名) read first, by a shorter path with the
    same results: ``common_fields(0, 3, "87名", NumberGroups(*NUMBER_RE.match("87名").groups())).value -> 87.0``."""
    if not g.r2:
        a_txt = g.a
        if a_txt is not None and a_txt.isdigit() and a_txt.isascii():
            if len(a_txt) > 40:
                return None
            am = g.am
            return NumberFields(start, end, text, float(int(a_txt) * _mult_value(am) if am else int(a_txt)), None,
                                "at_least" if (g.aq1 or g.aq2 or inner_qin(am)) else None, "arabic", bool(am), False,
                                None, len(a_txt))
        c = g.c
        if c is not None and len(c) == 1 and not (g.cq1 or g.cm or g.cq2) and c in CN_DIGITS:
            return NumberFields(start, end, c, float(CN_DIGITS[c]), None, None, "chinese", False, False, c, 0)
    return fields_from_groups(start, end, text, g)


def fields_from_groups(start: int, end: int, text: str, g: NumberGroups) -> NumberFields | None:
    """``token_fields`` from a ``NUMBER_RE`` match's span, text and groups (no match object needed):
    ``fields_from_groups(0, 3, "3至5", NumberGroups(*NUMBER_RE.match("3至5").groups()))[3:5] -> (3.0, 5.0)``."""
    groups: Any = g  # each read only where the match set it
    pct, pnum, a_txt, aq1, am, aq2, c, cq1, cm, cq2, _rsep, r2, r2m = groups
    inner = "at_least" if (aq1 or aq2 or cq1 or cq2 or inner_qin(am)) else None
    value: Any
    base: Any
    high: Any = None
    lone = None
    bare = False
    int_digits = 0
    if pct:
        kind = "percent_words"
        value = float(_arabic(pnum)) if pnum[0].isdigit() else parse_chinese(pnum)  # type: ignore[arg-type]
        if pct != "百分之" and value is not None:  # 三分之二: a share, read as the percent it is
            den = parse_chinese(pct[:-2])
            if not den:
                return None
            value = value * 100.0 / den
        mult = 1
        has_mult = False
    elif a_txt is not None:
        kind = "arabic"
        base = _arabic(a_txt)
        if base is None:
            return None
        dot = a_txt.find(".")
        int_digits = (len(a_txt) if dot < 0 else dot) - sum(a_txt.count(ch) for ch in GROUP_MARKS)
        mult = _mult_value(am)
        has_mult = bool(am)
        value = base * mult
    else:
        kind = "chinese"
        base = parse_chinese(c)
        if base is None:
            return None
        mult = _mult_value(cm)
        has_mult = bool(cm) or any(ch in CN_BIG_UNITS for ch in c)
        pair = approx_pair(c)
        if pair is not None and not r2:  # 五六万, 三四百, 十二三: a range of two neighbours
            base, high = pair[0], pair[1] * mult
        bare = all(ch in BARE_MULT_CHARS for ch in c) and not cq1
        if len(c) == 1 and not cm:
            lone = c
        value = base * mult
    if value is None:
        return None
    if r2:
        hb: Any = _arabic(r2) if r2[0].isdigit() else parse_chinese(r2)
        if hb is None:
            return None
        if r2m:
            hm = _mult_value(r2m)
            if mult == 1 and kind == "arabic" and not am:
                value = value * hm  # 10-20万 -> both ends in 万
            high = hb * hm
        else:
            high = hb * mult if kind != "chinese" else hb
        if high <= value:
            return None  # 2025-04, 1-1: not a range of quantities
    return NumberFields(start, end, text, float(value), None if high is None else float(high), inner, kind,
                        has_mult, bare, lone, int_digits)


def scan_numbers(text: str) -> list[NumberToken]:
    """All number tokens in ``text``, left to right.

    ``scan_numbers("3至5名")`` -> one token with value 3.0, value_high 5.0;
    ``scan_numbers("4 万余户")`` -> one token ``"4 万余"`` with value 40000.0, inner_qualifier "at_least".
    """
    out = []
    for m in finditer_numbers(text):
        tok = _token_from_match(m)
        if tok is not None:
            out.append(tok)
    return out


