"""Character classes and pinyin tables shared by the text modules: the one place they are defined (no Dagster import).

- ``CJK``: the Chinese characters a report is written in, as a regex class body: CJK Unified Ideographs, Extension A
  and the Compatibility Ideographs (``f"[{CJK}]"`` matches ``国``, ``國``, ``㐀``; not ``，`` or ``a``).
- ``HAN``: the Unified Ideographs block alone (U+4E00–U+9FFF), the narrower class the segmenting and metric rules
  match words with (``[{HAN}]{2}`` matches ``援疆``).
- ``TONED``: the tone-marked pinyin letters (lower and upper case), ``UNTONE`` a ``str.translate`` table that
  removes the marks (and writes ``v`` as ``ü``): ``'lǜ'.translate(UNTONE)`` → ``'lü'``.
- ``PINYIN_LETTERS``: every letter a pinyin syllable may be written with, as a regex class body.
- ``FULL_WIDTH_MARKS``: the Chinese (full-width) punctuation marks the normalisation treats as part of Chinese text
  (an ASCII ``,`` next to one becomes ``，``).
"""

from __future__ import annotations

import re
from typing import Final

__all__ = ["CJK", "CJK_RE", "HAN", "HAN_RE", "NON_HAN_RUN", "TONED_LOWER", "TONED_UPPER", "TONED", "TONE_RE",
           "UNTONE", "PINYIN_LETTERS", "SYLLABLE_SEP", "FULL_WIDTH_MARKS", "is_cjk"]

CJK: Final = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
CJK_RE: Final = re.compile(f"[{CJK}]")
HAN: Final = "\u4e00-\u9fff"
HAN_RE: Final = re.compile(f"[{HAN}]")
# a run of characters outside HAN (``sub('', s)`` keeps the Han characters; written to start with one class so the
# regex engine skips ahead in C)
NON_HAN_RUN: Final = re.compile(f"[^{HAN}][^{HAN}]*")

TONED_LOWER: Final = "āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüńňǹḿ"
TONED_UPPER: Final = "ĀÁǍÀĒÉĚÈĪÍǏÌŌÓǑÒŪÚǓÙÜ"
TONED: Final = TONED_LOWER + TONED_UPPER
TONE_RE: Final = re.compile(f"[{TONED}]")
UNTONE: Final = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜńňǹḿv", "aaaaeeeeiiiioooouuuuüüüünnnmü")
PINYIN_LETTERS: Final = f"a-z{TONED_LOWER}A-Z{TONED_UPPER}"
SYLLABLE_SEP: Final = re.compile(r"[ '’·-]")  # between the syllables of one annotation: dāng dì, xin'jiang
FULL_WIDTH_MARKS: Final = "，。、；：！？（）“”‘’《》〈〉【】「」『』…—·"


def is_cjk(c: str) -> bool:
    """Whether ``c`` starts with a Chinese character of ``CJK``: ``is_cjk('國')`` → ``True``; ``is_cjk('，')`` → ``False``."""
    return bool(c) and CJK_RE.match(c) is not None
