"""Regexes written for CPython's prefix scan, each next to its readable twin.

``re.search``/``finditer`` skip ahead in C to a character that can start a match only when the pattern starts
with one literal character or one character class; a pattern that starts with an alternation of words, a
look-behind or ``[ab]+`` is tried at every position instead. The patterns below are rewritten to start that
way (each alternative with its own first character, ``[ab][ab]*`` for ``[ab]+``, a look-behind after the first
character): ``fast`` is the form the modules compile, ``readable`` the plain form with the same matches, and
``alphabet`` the characters that decide them. ``tests/test_pattern_twins.py`` checks, on generated strings and
real lines, that both give the same ``finditer`` spans.

    >>> TWINS["blank_lines"].readable
    '\\\\n{2,}'
"""

from __future__ import annotations

import re
from typing import Final, NamedTuple

from aid_pipeline.text.chars import CJK, FULL_WIDTH_MARKS
from aid_pipeline.text.datafiles import load_json
from aid_pipeline.text.mojibake import LOST


class Twin(NamedTuple):
    """A fast regex and its readable twin: ``Twin("blank_lines", r"\\n\\n+", r"\\n{2,}", "\\n a", "normalise")``."""

    name: str
    fast: str  # the pattern the module compiles
    readable: str  # the same matches, written plainly
    alphabet: str  # characters that decide the matches (the property test draws from these)
    used_by: str  # the text module that compiles it (alone or inside a longer pattern)


def _after(before: str, *words: str) -> str:
    """Any of ``words`` at the start of the text or right after a character of the class ``before``, written word
    first so the regex engine skips ahead to a word's first character (readable: ``(?:^|(?<=before))(?:w1|w2)``):
    ``_after("[ ]", "ab")`` → ``'(?:ab(?<![^ ]ab))'``."""
    neg = "[^" + before[1:]  # the class negated: "[ab]" → "[^ab]"
    return "(?:" + "|".join(f"{re.escape(w)}(?<!{neg}{re.escape(w)})" for w in words) + ")"


def _after_readable(before: str, *words: str) -> str:
    """``_after``'s readable twin: ``_after_readable("[ ]", "ab")`` → ``'(?:^|(?<=[ ]))(?:ab)'``."""
    return f"(?:^|(?<={before}))(?:" + "|".join(map(re.escape, words)) + ")"


def byline(words: dict) -> str:
    """The byline regex of ``page_lines.json``'s ``bylines``, each alternative written out to start with its own
    first character (the same matches, tried in the same order): ``byline({"titles": ["记者"], "credits": [],
    "photo_words": ["摄"]})`` → ``'记者\\\\s?[\\\\u4e00-\\\\u9fff·]{2,4}|（摄[)）]?$|\\\\(摄[)）]?$|摄[)）]?$'``."""
    return "|".join(
        [rf"{re.escape(w)}\s?[\u4e00-\u9fff·]{{2,4}}" for w in words["titles"]]
        + [re.escape(w) for w in words["credits"]]
        + [rf"{paren}{re.escape(w)}[)）]?$" for paren in ("（", r"\(", "") for w in words["photo_words"]]
    )


def byline_readable(words: dict) -> str:
    """``byline``'s readable twin: ``(?:记者|…)\\s?[\\u4e00-\\u9fff·]{2,4}|文/图|…|[（(]?(?:摄|供图)[)）]?$``."""
    return ("(?:" + "|".join(map(re.escape, words["titles"])) + r")\s?[\u4e00-\u9fff·]{2,4}|"
            + "".join(re.escape(w) + "|" for w in words["credits"])
            + "[（(]?(?:" + "|".join(map(re.escape, words["photo_words"])) + ")[)）]?$")


_LINES: Final = load_json("page_lines.json")

# metadata's date parts: (\d\d{3}) = (\d{4}), written so the engine skips ahead to a digit
DATE: Final = r"(\d\d{3})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?日?"
_DATE_READABLE: Final = r"(\d{4})\s?[-/.年]\s?(\d{1,2})\s?[-/.月]\s?(\d{1,2})\s?日?"
TIME: Final = r"(\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)"
SEP: Final = r"\s?[:：]?\s?"
NAME: Final = r"[\u4e00-\u9fff·]{2,5}"
_NAMES: Final = "(" + NAME + r"(?:[\s、，,]{1,2}" + NAME + r"){0,3})"
_DATE_LABEL: Final = (r"[\s【\[]", "时间", "日期", "更新时间", "发表时间")
_REPORTER: Final = (r"[\s（(【报网社台]", "本报记者", "本网记者", "特约记者", "见习记者", "记者")
_DIGITS: Final = "0123456789 -/.年月日:：时间日期更新发表【[\n"

# normalise: a Chinese character, a full-width mark or a character lost to decoding (and ``-``, as the set it mirrors
# has it); an ASCII , : ; ) right after one or , : ; ( ? ! right before one is sure to become full-width. The group is
# empty (zero-width), so ``SURE_FULL_WIDTH + "?"`` matches every ASCII mark, its group ``""`` for a sure one
CJK_OR_MARK: Final = f"[{CJK}{re.escape(FULL_WIDTH_MARKS + LOST)}\\-]"
SURE_FULL_WIDTH: Final = rf"[,:;!?()]((?<={CJK_OR_MARK}[,:;)])|(?<=[,:;(?!])(?={CJK_OR_MARK}))"

TWINS: Final[dict[str, Twin]] = {t.name: t for t in (
    # segment
    Twin("byline", byline(_LINES["bylines"]), byline_readable(_LINES["bylines"]),
         "记者通讯员特约见习摄供图文/（()）王 ·a\n", "segment"),
    Twin("sentence_marks", r"[。！？；!?;“「『”」』](?:(?<=[。！？；!?;])[。！？；!?;]*)?",
         r"[。！？；!?;]+|[“「『]|[”」』]", "。！？；!?;“「『”」』a", "segment"),
    # metadata
    Twin("date_label", _after(*_DATE_LABEL) + SEP + DATE + r"(?:\s?" + TIME + r")?",
         _after_readable(*_DATE_LABEL) + SEP + _DATE_READABLE + r"(?:\s?" + TIME + r")?",
         _DIGITS + " 　a", "metadata"),
    Twin("date", DATE, _DATE_READABLE, _DIGITS, "metadata"),
    Twin("reporter", _after(*_REPORTER) + r"\s?[:：]?\s?" + _NAMES,
         r"(?:^|(?<=[\s（(【报网社台]))(?:本报|本网|特约|见习)?记者\s?[:：]?\s?" + _NAMES,
         "本报网特约见习记者社台（(【 :：王李、，,·a\n", "metadata"),
    # normalise
    Twin("newlines", r"[\r\u2028\u2029\x85\x0b\x0c](?:(?<=\r)\n)?", r"\r\n?|[\u2028\u2029\x85\x0b\x0c]",
         "\r\n\u2028\u2029\x85\x0b\x0ca", "normalise"),
    Twin("zero_width", r"[\u200b-\u200d\u2060\ufeff\u00ad][\u200b-\u200d\u2060\ufeff\u00ad]*",
         r"[\u200b-\u200d\u2060\ufeff\u00ad]+", "\u200b\u200c\u200d\u2060\ufeff\u00ad\u200ea", "normalise"),
    Twin("punct_run", r"[，、。；：！？,;:!?][，、。；：！？,;:!?]+", r"[，、。；：！？,;:!?]{2,}",
         "，、。；：！？,;:!?a.", "normalise"),
    Twin("line_edge_space", r"[ ](?<![^\n][ ])[ ]*|[ ]+(?![^\n])", r"(?m:^[ ]+|[ ]+$)", " \na", "normalise"),
    Twin("blank_lines", r"\n\n+", r"\n{2,}", "\n a", "normalise"),
    Twin("sure_full_width", SURE_FULL_WIDTH, rf"(?<={CJK_OR_MARK})[,:;)]|[,:;(?!](?={CJK_OR_MARK})",
         ",:;!?()国，（\ufffd-a1 ", "normalise"),
)}
