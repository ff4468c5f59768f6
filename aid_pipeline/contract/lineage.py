"""Row-level lineage: does a raw span hold the characters a metric's surface shows? (no Dagster import)"""

from __future__ import annotations

import re
import unicodedata

from ..text.convert import to_simplified
from ..text.normalise import is_pinyin_annotation

_TONED = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# A pinyin annotation: a parenthesis holding lower-case Latin letters with at least one tone mark or ü.
# `(EICU)`, `(中国)`, `(0106168)` are not annotations.
PINYIN_GROUP = rf"[(（][a-z]{{0,6}}[{_TONED}][a-z{_TONED}]{{0,6}}[)）]"
PINYIN_ANNOTATION = rf"[\u4e00-\u9fff]{PINYIN_GROUP}"
_PINYIN = re.compile(PINYIN_GROUP)
# A bracketed run of Latin letters after Chinese characters: a toneless annotation (餘(yu)) when the
# normaliser's syllable table says it is the reading of the characters before it.
_LATIN_GROUP = re.compile(r"(?<=[\u4e00-\u9fff])[(（][ ]?[a-z1-5' ]{1,40}[)）]")
_SPACE = re.compile(r"\s+")


def _drop_toneless(text: str) -> str:
    def fn(m: re.Match) -> str:
        inner = m.group(0)[1:-1]
        before = text[max(0, m.start() - 8) : m.start()]
        return "" if is_pinyin_annotation(before, inner) else m.group(0)

    return _LATIN_GROUP.sub(fn, text)


def fold(text: str) -> str:
    """Text reduced for comparison: ``'投入 6423 萬元'`` → ``'投入6423万元'`` (t2s, NFKC, no pinyin, no spaces)."""
    text = _drop_toneless(_PINYIN.sub("", text))
    text = unicodedata.normalize("NFKC", to_simplified(text))
    return _SPACE.sub("", text)


def raw_span_matches(raw_slice: str, surface: str) -> bool:
    """``raw_span_matches('6423 萬元', '6423万元')`` → ``True``: same characters modulo conversion and spacing."""
    return fold(raw_slice) == fold(surface)
