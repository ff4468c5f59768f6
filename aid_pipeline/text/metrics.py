"""Metric extraction: number + unit mentions with qualifier, metric type, donor, recipient and year.

Pure functions (no Dagster). Rules live in data tables: ``data/units.json`` (measure words),
``data/metric_cues.json`` (qualifiers and metric-type cues), ``data/exclusions.json`` (what is NOT a metric).

    >>> [(m.surface, m.value, m.unit, m.qualifier) for m in find_mentions("投入资金420余万元")]
    [('420余万元', 4200000.0, 'CNY', 'at_least')]
"""

from __future__ import annotations

import re
from typing import Any, Final, NamedTuple
from bisect import bisect_left
from dataclasses import dataclass

from aid_pipeline.text import places
from aid_pipeline.text.chars import HAN_RE
from aid_pipeline.text.datafiles import load_json
from aid_pipeline.text.numbers import CN_DIGITS, GROUP_MARKS, NUMBER_RE, NUMBER_START_RE, NumberGroups, common_fields
from aid_pipeline.text.segment import BARE_FIGURE_LINE_RE, split_sentences
from aid_pipeline.text.types import Metric, Section

_UNITS: Final = load_json("units.json")
_CUES: Final = load_json("metric_cues.json")
_EXCL: Final = load_json("exclusions.json")

_WS: Final = " \u00a0\u3000\t"
_UNIT_TABLE: Final[dict[str, dict]] = _UNITS["units"]
UNIT_RE: Final = re.compile(f"[{_WS}]?(" + places.longest_form_regex(_UNIT_TABLE).pattern + ")")  # longest unit
# a number and the longest unit right after it in one match (the unit part is optional and never fails, so the
# number part matches as NUMBER_RE does and the unit part as UNIT_RE does at the number's end)
_NUMBER_UNIT_RE: Final = re.compile("(" + NUMBER_RE.pattern + f")(?:[{_WS}]?(?P<uw>"
                             + places.longest_form_regex(_UNIT_TABLE, bucket=32).pattern
                             + "))?")
# _Figure reads m.groups() as: the numeral (group 1), NumberGroups, the unit word
assert tuple(sorted(_NUMBER_UNIT_RE.groupindex, key=_NUMBER_UNIT_RE.groupindex.__getitem__)) == (*NumberGroups._fields, "uw")


class UnitInfo(NamedTuple):
    """What a unit word counts and by which factor: ``_UNIT_INFO["万元"] -> UnitInfo(unit="CNY", factor=10000.0)``;
    unit ``None``: a date, duration, age, level ... (never a metric)."""

    unit: str | None
    factor: float


_UNIT_INFO: Final[dict[str, UnitInfo]] = {w: UnitInfo(e["unit"], float(e.get("factor", 1))) for w, e in _UNIT_TABLE.items()}
_SUFFIX_Q: Final[dict[str, str]] = _CUES["qualifier_suffixes"]
SUFFIX_RE: Final = places.longest_form_regex(_SUFFIX_Q)
_SUFFIX_FIRST: Final = frozenset(w[0] for w in _SUFFIX_Q)
_PREFIX_Q: Final[dict[str, str]] = _CUES["qualifier_prefixes"]
_PREFIX_MAXLEN: Final = max(len(p) for p in _PREFIX_Q)
_BARE_ONLY: Final = frozenset(_CUES.get("bare_only_prefixes", {}).get("words", ()))
_PROJECT_NOUNS: Final = _UNITS["project_nouns"]
_PROJECT_UNITS: Final = set(_UNITS["project_counting_units"])
_PROJECT_REACH: Final[dict[str, int]] = _UNITS.get("project_noun_reach", {})
_BARE_MULT_UNIT: Final[dict[str, str]] = _UNITS["bare_multiplier_unit"]
_BARE_NUMBER_UNIT: Final[str] = _UNITS["bare_number_unit"]

_ORDINAL: Final = tuple(_EXCL["ordinal_prefixes"])
_RANK: Final[dict[str, list[str]]] = _EXCL["rank_prefixes"]
_RANK_WORDS: Final = tuple(_RANK)
_VAGUE: Final = tuple(_EXCL["vague_prefixes"])
_SCALE_START: Final = frozenset("十百千万亿拾佰仟萬億")
_LONE: Final = set(_EXCL["lone_numerals"])
_ID_DIGITS: Final[int] = _EXCL["identifier_min_digits"]
_PHASE: Final[dict[str, list[str]]] = {k: v for k, v in _EXCL.get("phase_units", {}).items() if not k.startswith("_")}
_YI: Final = _EXCL.get("lone_yi_counts_before", {})
_YI_FOLLOW: Final = frozenset(_YI.get("followers", ""))
_YI_NOT_AFTER: Final = frozenset(_YI.get("not_after", ""))
_UNIT_BEFORE_NUMBER: Final = frozenset(_EXCL.get("unit_before_number", {}).get("words", ()))
_CN_NUMERALS: Final = frozenset(CN_DIGITS) | frozenset("十百千万亿")
FIXED_RE: Final = places.longest_form_regex(_EXCL["fixed_names"] + _EXCL.get("numeral_place_names", {}).get("names", []))
_VAGUE_NOT_AFTER: Final[dict[str, frozenset[str]]] = {
    k: frozenset(v) for k, v in _EXCL.get("vague_prefixes_not_after", {}).items() if not k.startswith("_")}
_ACTOR: Final = _EXCL.get("actor_groups", {})
_ACTOR_UNITS: Final = frozenset(_ACTOR.get("units", ()))
_ACTOR_RE: Final = places.longest_form_regex(_ACTOR.get("nouns", ()) or ["\x00"])
_COUNTERS: Final = tuple(_EXCL.get("page_counters", {}).get("words", ()))
_SLOGAN: Final = _EXCL.get("slogan_counts", {})
_SLOGAN_UNITS: Final = frozenset(_SLOGAN.get("units", ()))
_SLOGAN_FOLLOW: Final = frozenset(_SLOGAN.get("followers", ""))
_SLOGAN_TARGETS: Final = tuple(_SLOGAN.get("targets", ()))
_COLLOQ: Final = _UNITS.get("colloquial_scales", {})
_COLLOQ_WORD: Final[str] = _COLLOQ.get("unit_word", "\x00")
_COLLOQ_SCALES: Final[dict[str, float]] = {k: float(v) for k, v in _COLLOQ.get("scales", {}).items()}
_COLLOQ_UNIT: Final[str] = _COLLOQ.get("unit", "CNY")
_ANIMAL: Final = _UNITS.get("animal_units", {})
_ANIMAL_UNITS: Final = frozenset(_ANIMAL.get("units", ()))
_ANIMAL_CHARS: Final = frozenset(_ANIMAL.get("animal_chars", ""))
_ANIMAL_AFTER: Final[int] = int(_ANIMAL.get("window_after", 6))
_FRAC: Final = _UNITS.get("fractions", {})
_FRAC_MAX: Final[int] = int(_FRAC.get("max_denominator", 0))
_FRAC_NOT_FOLLOW: Final = frozenset(_FRAC.get("not_followers", ""))
_FAR: Final = _EXCL.get("actor_groups_far", {})
_FAR_UNITS: Final = frozenset(_FAR.get("units", ()))
_FAR_RE: Final = re.compile("[^" + re.escape("，。；！？：,;!?:\n、") + "]{0,%d}?(?:%s)" % (
    int(_FAR.get("reach", 0)), "|".join(map(re.escape, _FAR.get("heads", ()) or ["\x00"]))))
_FAR_AID: Final = tuple(_FAR.get("aid_words", ()))
_GIVING: Final = _EXCL.get("actor_groups_giving", {})
_GIVING_UNITS: Final = frozenset(_GIVING.get("units", ()))
_GIVING_RE: Final = places.longest_form_regex(
    [n + v for n in _GIVING.get("nouns", ()) for v in _GIVING.get("verbs", ())] or ["\x00"])  # 市结对, 县帮扶 …
_FRAC_DEN_RE: Final = re.compile(r"/([0-9]{1,3})(?![0-9./:\-])")
_SIZE: Final = _EXCL.get("size_classes", {})
_SIZE_UNITS: Final = frozenset(_SIZE.get("units", ()))
_SIZE_SUFFIXES: Final = frozenset(_SIZE.get("suffixes", ()))
_SIZE_NOUN_RE: Final = places.longest_form_regex(_SIZE.get("nouns", ()) or ["\x00"])
_ELLIPSIS: Final = _UNITS.get("project_ellipsis", {})
_ELLIPSIS_UNITS: Final = frozenset(_ELLIPSIS.get("units", ()))
_ELLIPSIS_AFTER: Final = frozenset(_ELLIPSIS.get("after", ""))
_ELLIPSIS_BEFORE: Final = tuple(_ELLIPSIS.get("before", ()))
_NOT_UNIT_BEFORE: Final[dict[str, str]] = {k: v for k, v in _UNITS.get("not_unit_before", {}).items()
                                           if not k.startswith("_")}
_NOUN_UNIT_AFTER: Final[dict[str, str]] = dict(_UNITS.get("noun_units", {}).get("after", {}))
_NOUN_UNIT_AFTER_RE: Final = places.longest_form_regex(_NOUN_UNIT_AFTER or ["\x00"])
_NOUN_UNIT_BEFORE: Final[list[tuple[str, str]]] = sorted(_UNITS.get("noun_units", {}).get("before", {}).items(),
                                                   key=lambda kv: -len(kv[0]))

_ALL_UNITS: Final = set(_CUES["unit_groups"]["any"])


def _expand_units(groups: list[str]) -> frozenset[str]:
    out: set[str] = set()
    for g in groups:
        out.update(_CUES["unit_groups"].get(g, [g]))
    return frozenset(out)


# cue word -> list of (metric_type, allowed units, weight)
_CUE_TYPES: Final[dict[str, list[tuple[str, frozenset[str], int]]]] = {}
for _grp in _CUES["cues"]:
    _units = _expand_units(_grp["units"])
    for _w in _grp["words"]:
        _CUE_TYPES.setdefault(_w, []).append((_grp["type"], _units, int(_grp.get("weight", 0))))
CUE_RE: Final = places.longest_form_regex(_CUE_TYPES, bucket=32)  # longest cue at each position (a character trie)
_MONEY_CUES: Final = {w for w, lst in _CUE_TYPES.items() if any("CNY" in u and not wt for _, u, wt in lst)}
_UNIT_PRIORS: Final[dict[str, str]] = _CUES["unit_priors"]
_STRONG: Final[dict[str, str]] = _CUES["strong_unit_types"]
_VERB_CUES: Final = frozenset(w for w, lst in _CUE_TYPES.items() if all(wt == 0 for _, _, wt in lst))

# the noun a measure word counts: word -> (metric_type, class, built_type, allowed units)
_NOUNS: Final[dict[str, list[tuple[str, str, str | None, frozenset[str]]]]] = {}
for _grp in _CUES.get("counted_nouns", ()):
    for _w in _grp["words"]:
        _NOUNS.setdefault(_w, []).append((_grp["type"], _grp["class"], _grp.get("built_type"),
                                          _expand_units(_grp["units"])))


_NOUN_ENTRY: Final[dict[tuple[str, str], tuple | None]] = {}  # (word, unit) -> entry, filled on first use (static tables)


def _noun_entry(word: str, unit: str):
    """First counted-noun entry of ``word`` whose units include ``unit``: ``_noun_entry("学生", "person")[0] -> "students"``."""
    key = (word, unit)
    try:
        return _NOUN_ENTRY[key]
    except KeyError:
        pass
    found = None
    for entry in _NOUNS.get(word, ()):
        if unit in entry[3]:
            found = entry
            break
    _NOUN_ENTRY[key] = found
    return found
_NOUN_LAST: Final = frozenset(w[-1] for w in _NOUNS)
_NOUN_MAXLEN: Final = max((len(w) for w in _NOUNS), default=1)
NOUN_RE: Final = places.longest_form_regex(_NOUNS, bucket=32) if _NOUNS else None
_PROVIDED: Final[dict[str, frozenset[str]]] = {k: frozenset(v) for k, v in _CUES.get("provided_services", {}).items()
                                               if not k.startswith("_")}
_OVERRIDE: Final = _CUES.get("override_verbs", {})
_OVERRIDE_WORDS: Final = frozenset(_OVERRIDE.get("words", ()))
_OVERRIDE_UNITS: Final = _expand_units(_OVERRIDE.get("units", ()))
_BUILT_VERBS: Final = tuple(_CUES.get("built_verbs", ()))
_FILLERS: Final = frozenset(_CUES.get("noun_fillers", ()))
_FILLER_LAST: Final = frozenset(w[-1] for w in _FILLERS)
_PREFIX_LAST: Final = frozenset(w[-1] for w in _PREFIX_Q)
_BEFORE_TABLES: Final = ((_PREFIX_Q, _PREFIX_LAST), (_FILLERS, _FILLER_LAST))  # what may sit between a noun and its number
_VERB_NOT_NOUN: Final = _VERB_CUES - frozenset(_NOUNS)  # verb cues that end the counted noun phrase
NOUN_WINDOW: Final = 10  # characters after the unit in which the counted noun is looked for
_NOUN_STOP: Final = frozenset("，。；！？：,;!?:\n、“”\"的")  # 的 closes the counted noun phrase (2个场的住房)
_NOUN_STOP_RE: Final = re.compile("[" + re.escape("".join(sorted(_NOUN_STOP))) + "]")
_CLOSE_QUOTES: Final = frozenset("”’」』）)\"")
_SUBSET_MARKERS: Final = tuple(_CUES.get("subset_markers", {}).get("words", ()))
_MOVE: Final = _CUES.get("movement_markers", {})
_MOVE_MARKERS: Final = tuple(_MOVE.get("markers", ()))
_MOVE_UNITS: Final = frozenset(_MOVE.get("units", ()))
_MOVE_RE: Final = re.compile("|".join(map(re.escape, _MOVE_MARKERS))) if _MOVE_MARKERS else None

_RANGE_MARKS: Final = frozenset("-－—–~～至到")
CLAUSE_DELIMS: Final = "，。；！？：,;!?:\n"
_DELIM_RE: Final = re.compile("[" + re.escape(CLAUSE_DELIMS) + "]")
_WS_CLASS_OPT: Final = "[" + _WS + "]?"


def _group_by_len(words) -> list[list[str]]:
    """Words grouped by length, longest first: ``_group_by_len(["项目", "援疆资金", "资金"]) -> [["援疆资金"], ["项目", "资金"]]``."""
    by: dict[int, list[str]] = {}
    for w in words:
        by.setdefault(len(w), []).append(w)
    return [by[k] for k in sorted(by, reverse=True)]
_BIG_RE: Final = re.compile("[万亿萬億]")
CUE_WINDOW: Final = 40  # characters a cue may lie from its number
SENTENCE_LOOKBACK: Final = 200
#: a "sentence" longer than this (a page without sentence ends) is shown with each figure (metrics.sentence) as the
#: whole clauses around it within CONTEXT_REACH characters either side (figure_context): n figures in one such
#: sentence cost O(n) characters of context, not O(n x sentence) (issue 16, item 11)
SENTENCE_MAX_CHARS: Final = 600
CONTEXT_REACH: Final = 200
_CJK_RE: Final = HAN_RE
_number_start = NUMBER_START_RE.search  # where a numeral could begin
YEAR_RE: Final = re.compile(r"(?<![0-9])((?:19|20)[0-9]{2})[" + _WS + r"]?年(?!代)|(?<![〇零一二三四五六七八九])([一二][〇零一二三四五六七八九]{3})年(?!代)")
_ATTR: Final = load_json("attribution.json")
_VENUE_BEFORE: Final = tuple(_ATTR["venue_before"])
_VENUE_VERBS: Final = tuple(_ATTR["venue_verbs"])
_VENUE_WINDOW: Final = int(_ATTR["venue_window"])
_AID_MARKERS: Final = tuple(_ATTR["aid_markers"])
_AID_WINDOW: Final = int(_ATTR["aid_window"])
RELATIVE_YEARS: Final[dict[str, int]] = {w: int(k) for w, k in load_json("relative_years.json")["words"].items()}
_REL_YEAR_RE: Final = re.compile("|".join(RELATIVE_YEARS))
assert all("年" in w for w in RELATIVE_YEARS)  # _YearIndex skips sentences without 年


class RawMention(NamedTuple):
    """A figure read in a sentence, before its type and before its value is scaled by the unit's factor:
    培训3000余人次 -> ``RawMention(start=2, end=9, num_end=6, value=3000.0, value_high=None, unit="person_time",
    qualifier="at_least", factor=1.0)``."""

    start: int
    end: int
    num_end: int
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    factor: float


class MetricRow(NamedTuple):
    """``Metric`` without its surface, in report offsets (``metric_tuples``' rows): 投入资金5亿元。 ->
    ``MetricRow(4, 7, 500000000.0, None, "CNY", "exact", "funding", 0, 8, "深圳", "喀什市", None)``."""

    start: int
    end: int
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    metric_type: str
    sentence_start: int
    sentence_end: int
    donor: str | None
    recipient: str | None
    year: int | None


@dataclass
class Mention:
    """One metric mention in a sentence; offsets relative to the sentence.

    ``Mention(start=2, end=8, surface="420余万元", value=4200000.0, value_high=None, unit="CNY",
    qualifier="at_least", metric_type="funding")``
    """

    start: int
    end: int
    surface: str
    value: float
    value_high: float | None
    unit: str
    qualifier: str
    metric_type: str = "other"


def _prefix_qualifier(s: str, pos: int, bare: bool = False) -> str | None:
    """Qualifier word right before ``pos`` (one space skipped): ``_prefix_qualifier("超过 2万吨", 3) -> "at_least"``."""
    j = pos
    if j > 0 and s[j - 1] in _WS:
        j -= 1
    for n in range(min(_PREFIX_MAXLEN, j), 0, -1):
        w = s[j - n:j]
        if w in _PREFIX_Q:
            if w in _BARE_ONLY and not bare:
                return None
            return _PREFIX_Q[w]
    return None


class _Clauses:
    """Clause boundaries of one sentence (precomputed delimiter positions, bisect lookups; window-capped)."""

    def __init__(self, s: str):
        self.n = len(s)
        self.pos = [m.start() for m in _DELIM_RE.finditer(s)]

    def start(self, a: int) -> int:
        """Start of the clause holding position ``a`` (not window-capped)."""
        i = bisect_left(self.pos, a)
        return self.pos[i - 1] + 1 if i > 0 else 0

    def bounds(self, a: int, b: int) -> tuple[int, int]:
        i = bisect_left(self.pos, a)
        lo = self.pos[i - 1] + 1 if i > 0 else 0
        k = bisect_left(self.pos, b)
        hi = self.pos[k] if k < len(self.pos) else self.n
        return max(lo, a - CUE_WINDOW), min(hi, b + CUE_WINDOW)


def _yi_closes_item(s: str, start: int, end: int) -> bool:
    """A lone 一 that counts: ``_yi_closes_item("学生宿舍一栋，", 4, 6) -> True``; ``"再一次，"`` -> False."""
    before = s[start - 1] if start > 0 else ""
    after = s[end] if end < len(s) else "。"
    return after in _YI_FOLLOW and bool(before) and _CJK_RE.match(before) is not None and before not in _YI_NOT_AFTER


def _is_digit_run(numeral: str) -> bool:
    """A Chinese numeral read digit by digit: ``_is_digit_run("三八") -> True``; ``"三十八"`` -> False."""
    core = numeral.rstrip("余多 \u00a0")
    return len(core) >= 2 and all(ch in CN_DIGITS for ch in core)


def _verb_end(prev: str) -> bool:
    """Whether the vague prefix ending ``prev`` is the end of a verb: ``_verb_end("建成") -> True``; ``"成"`` -> False."""
    for word, before in _VAGUE_NOT_AFTER.items():
        if prev.endswith(word) and len(prev) > len(word) and prev[-len(word) - 1] in before:
            return True
    return False


def _page_counter(s: str, start: int) -> bool:
    """A page counter's number (``page_counters``): ``_page_counter("评论0条", 2) -> True``; ``"阅读：302"`` too."""
    j = start
    while j > 0 and (s[j - 1] in _WS or s[j - 1] in ":："):
        j -= 1
    return s[max(0, j - 4):j].endswith(_COUNTERS)


def _longer_noun_at(s: str, a: int, b: int, stop: int) -> bool:
    """Whether a counted noun longer than the verb cue at ``[a, b)`` starts there (就业 in 就业岗位 is the noun's
    start, not a verb): ``_longer_noun_at("就业岗位", 0, 2, 4) -> True``."""
    if NOUN_RE is None:
        return False
    m = NOUN_RE.match(s, a, stop)
    return m is not None and m.end() > b


def _elliptical(s: str, start: int, end: int) -> bool:
    """A count whose noun is left out: nothing after its measure word but a clause mark, and a verb or 的 right
    before the number (a qualifier between): ``_elliptical("已开工943个，", 3, 7) -> True``; ``"岗位300个，"`` -> False."""
    if end < len(s) and s[end] not in _ELLIPSIS_AFTER:
        return False
    j = start
    if j > 0 and s[j - 1] in _WS:
        j -= 1
    for k in range(min(_PREFIX_MAXLEN, j), 0, -1):
        if s[j - k:j] in _PREFIX_Q:
            j -= k
            break
    return s[max(0, j - 4):j].endswith(_ELLIPSIS_BEFORE)


_SHARE_Q: Final[dict[str, str]] = _CUES.get("share_qualifiers", {}).get("words", {})
_SHARE_Q_RE: Final = re.compile("(?:" + "|".join(map(re.escape, sorted(_SHARE_Q, key=len, reverse=True))) + ")占"
                                + r"[^，。；、,;0-9０-９%％]{0,16}$") if _SHARE_Q else None


def _share_qualifier(s: str, start: int) -> str | None:
    """Qualifier of a share from a word before its 占 (``share_qualifiers``), no figure between:
    ``_share_qualifier("约占总额的三分之二", 6) -> "approx"``; ``_share_qualifier("占总额的三分之二", 5) -> None``."""
    m = _SHARE_Q_RE.search(s, max(0, start - 20), start) if _SHARE_Q_RE is not None else None
    if m is None:
        return None
    return _SHARE_Q[m.group()[:m.group().index("占")]]


_MONEY_GLUE_OK: Final = frozenset(_UNITS.get("noun_units", {}).get("money_before_glue", "的"))


def _noun_unit(s: str, start: int, end: int) -> str | None:
    """Unit of a scaled number without a measure word from the noun right before or after it (``noun_units``):
    ``_noun_unit("21亿援疆资金", 0, 3) -> "CNY"``; ``_noun_unit("脱贫人口10.3万", 4, 9) -> "person"``."""
    j = end
    if j < len(s) and s[j] in _WS:
        j += 1
    m = _NOUN_UNIT_AFTER_RE.match(s, j)
    if m is not None:
        return _NOUN_UNIT_AFTER[m.group()]
    j = start
    while j > 0 and s[j - 1] in _WS:
        j -= 1
    for table, last in _BEFORE_TABLES:  # a qualifier (超, 近), then 共/累计 … may sit between
        if j > 0 and s[j - 1] in last:
            for k in range(min(4, j), 0, -1):
                if s[j - k:j] in table:
                    j -= k
                    break
            while j > 0 and s[j - 1] in _WS:
                j -= 1
    before = s[max(0, j - 6):j]
    for word, unit in _NOUN_UNIT_BEFORE:
        if before.endswith(word):
            if unit == "CNY" and end < len(s) and _CJK_RE.match(s[end]) and s[end] not in _MONEY_GLUE_OK:
                return None  # 金额合计950万美元: another currency (or a word) follows the scale
            return unit
    return None


def _has_project_noun(s: str, num_start: int, end: int, lo: int, hi: int, reach: int = 12) -> bool:
    """Whether the figure counts projects: a project noun shortly before it or within ``reach`` characters after
    it in its clause. ``_has_project_noun("实施4个示范推广项目", 2, 4, 0, 11) -> True``"""
    after = s[end:min(hi, end + reach)]
    before = s[max(lo, num_start - 8):num_start]
    return any(n in after or n in before for n in _PROJECT_NOUNS)


class _CueScan:
    """Cue words of one sentence as ``(start, end, word)``, each clause scanned the first time a mention needs it.

    No cue word holds a clause delimiter, so a cue scan that starts at a clause start finds there what a scan of
    the whole sentence finds: ``_CueScan("培训农民，投入", _Clauses("培训农民，投入")).between(0, 4)
    -> [(0, 2, "培训")]`` (the clause after the comma is never scanned).
    """

    __slots__ = ("s", "pos", "by_clause")

    def __init__(self, s: str, clauses: _Clauses):
        self.s, self.pos = s, clauses.pos
        # clause number -> its cues and their starts
        self.by_clause: dict[int, tuple[list[tuple[int, int, str]], list[int]]] = {}

    def _clause(self, i: int) -> tuple[list[tuple[int, int, str]], list[int]]:
        """Cues of clause ``i`` (from after delimiter ``i - 1`` up to delimiter ``i`` or the sentence's end), starts."""
        found = self.by_clause.get(i)
        if found is None:
            pos = self.pos
            a = pos[i - 1] + 1 if i > 0 else 0
            b = pos[i] if i < len(pos) else len(self.s)
            cues = [(c.start(), c.end(), c.group()) for c in CUE_RE.finditer(self.s, a, b)]
            found = self.by_clause[i] = (cues, [c[0] for c in cues])
        return found

    def between(self, lo: int, hi: int) -> list[tuple[int, int, str]]:
        """Cues starting in ``[lo, hi)``, left to right."""
        i0, i1 = bisect_left(self.pos, lo), bisect_left(self.pos, hi)
        cues, starts = self._clause(i0)
        if i1 == i0:
            return cues[bisect_left(starts, lo):bisect_left(starts, hi)]
        out = []  # the window reaches over a delimiter
        for i in range(i0, i1 + 1):
            cues, starts = self._clause(i)
            out += cues[bisect_left(starts, lo):bisect_left(starts, hi)]
        return out


assert not any(ch in w for w in _CUE_TYPES for ch in CLAUSE_DELIMS)  # what makes a clause-by-clause cue scan exact


def _fraction_end(s: str, num_end: int, numerator: str) -> tuple[int, float] | None:
    """A digit fraction at ``num_end`` (``fractions``) as (end, percent): ``_fraction_end("2/3的资金", 1, "2")``
    -> ``(3, 66.666667)``; ``"2023/1/2"``, ``"3/4月"`` and a gallery counter ``"（1/5）"`` -> None."""
    if not _FRAC_MAX or num_end >= len(s) or s[num_end] != "/" or not numerator.isdigit():
        return None
    m = _FRAC_DEN_RE.match(s, num_end)
    if m is None:
        return None
    num, den = int(numerator), int(m.group(1))
    if not (0 < num < den <= _FRAC_MAX):
        return None
    end = m.end()
    if end < len(s) and s[end] in _FRAC_NOT_FOLLOW:
        return None
    start = num_end - len(numerator)
    if not ((start > 0 and _CJK_RE.match(s[start - 1])) or (end < len(s) and _CJK_RE.match(s[end]))):
        return None  # a fraction with no word at either side is a counter (a photo gallery's 1/5, （1/3）)
    return end, round(num * 100.0 / den, 6)


def _names_animal(s: str, lo: int, start: int, end: int) -> bool:
    """Whether an animal is named in the clause before a number or right after its unit (``animal_units``):
    ``_names_animal("发放鸡苗5万只", 0, 4, 7) -> True``; ``"捐赠口罩10万只"`` -> False."""
    window = s[lo:start] + s[end:end + _ANIMAL_AFTER]
    return any(ch in _ANIMAL_CHARS for ch in window)


def find_mentions(sentence: str) -> list[Mention]:
    """All metric mentions in one sentence, left to right (offsets relative to ``sentence``).

    ``find_mentions("选派87名干部，培训3000余人次")`` ->
    ``[Mention(surface="87名", value=87.0, unit="person", metric_type="personnel"...),
    Mention(surface="3000余人次", value=3000.0, unit="person_time", qualifier="at_least", metric_type="trainees")]``
    """
    return _mentions(sentence)


class _SentenceScan:
    """What ``_mentions`` looks up in one sentence besides its numbers, each made on first use (most sentences
    have no figure): clauses, cue words, fixed names, and the measure words that counted projects so far.
    ``_SentenceScan("培训农民，投入5亿元").cues().between(0, 4) -> [(0, 2, "培训")]``"""

    def __init__(self, s: str):
        self.s = s
        self._clauses: _Clauses | None = None
        self._cues: _CueScan | None = None
        self._fixed: list[tuple[int, int]] | None = None
        self._fixed_starts: list[int] = []
        self.project_words: set[str] = set()  # measure words that counted projects earlier in the sentence

    def clauses(self) -> _Clauses:
        c = self._clauses
        if c is None:
            c = self._clauses = _Clauses(self.s)
        return c

    def cues(self) -> _CueScan:
        c = self._cues
        if c is None:
            c = self._cues = _CueScan(self.s, self.clauses())
        return c

    def in_fixed_name(self, start: int, end: int) -> bool:
        """Whether ``[start, end)`` overlaps a fixed name (``FIXED_RE``, e.g. 十四五)."""
        fixed = self._fixed
        if fixed is None:
            fixed = self._fixed = [fm.span() for fm in FIXED_RE.finditer(self.s)]
            self._fixed_starts = [a for a, _ in fixed]
        if fixed:
            fi = bisect_left(self._fixed_starts, end) - 1
            if fi >= 0 and fixed[fi][1] > start:
                return True
        return False


class _Figure:
    """One number being read into a mention: the match of a number and its unit word, filled in by the phases of
    ``_mentions`` (unit word, number, qualifier before, unit, exclusions, project, qualifier after).
    ``_Figure(_NUMBER_UNIT_RE.match("5亿元")).unit_word -> "亿元"``"""

    def __init__(self, m: re.Match):
        groups = m.groups()
        self.groups = NumberGroups(*groups[1:14])
        self.numeral: str = groups[0]
        self.unit_word: str | None = groups[14]
        self.start: int = m.start()
        self.num_end: int = m.end(1)  # the numeral's end
        self.match_end: int = m.end()  # the unit word's end (num_end without one)
        self.end: int = self.num_end  # the mention's end (unit and suffix qualifier included)
        self.resume: int = self.num_end  # where the next number is looked for
        self.demoted = False  # the unit word begins a noun here (5万多人口)
        self.fraction: tuple[int, float] | None = None  # (end, percent) of a digit fraction 2/3
        self.unit: str | None = None
        self.factor = 1.0
        # the number's fields (numbers.NumberFields)
        self.text = ""
        self.value = 0.0
        self.value_high: float | None = None
        self.inner_qualifier: str | None = None
        self.kind = ""
        self.has_multiplier = False
        self.bare_multiplier = False
        self.lone: str | None = None
        self.int_digits = 0
        self.prefix_q: str | None = None  # the qualifier word right before the number
        self.before = ""  # up to 4 characters before it (one space skipped)
        self.measure = ""  # the measure word read as the unit ("" for none or a spoken/percent form)
        self.qualifier = "exact"


def _mentions(s: str, pos: int = 0) -> list[Mention]:
    """``find_mentions``, looking for the first numeral from ``pos``:
    ``_mentions("培训3000余人次") -> [Mention(2, 9, "3000余人次", 3000.0, None, "person_time", "at_least", "trainees")]``.
    ``pos``: where the first numeral may begin (none before it), when the caller has looked already."""
    scan = _SentenceScan(s)
    raw: list[RawMention] = []
    start_search, number_unit_match = NUMBER_START_RE.search, _NUMBER_UNIT_RE.match
    while True:  # finditer_numbers(s), inline, each number matched together with the unit after it
        hit = start_search(s, pos)
        if hit is None:
            break
        start = hit.start()
        m = number_unit_match(s, start)
        if m is None:
            pos = start + 1
            continue
        f = _Figure(m)
        found = (_read_unit_word(s, f) and _read_number(s, f) and _read_unit(s, f, scan)
                 and not _excluded(s, f, scan) and _read_qualifier_after(s, f, scan))
        pos = f.resume
        if found:
            raw.append(RawMention(f.start, f.end, f.num_end, f.value, f.value_high, f.unit,  # type: ignore[arg-type]
                                  f.qualifier, f.factor))
    if not raw:
        return []
    return _typed(s, _merge_unit_ranges(s, raw) if len(raw) > 1 else raw, scan)


def _read_unit_word(s: str, f: _Figure) -> bool:
    """Phase 1: the unit word after the number (a noun's first character is none: 5万多人口), or for a number without
    one a digit fraction or a scale word; ``False``: not a figure (a bare number, a date or age unit).
    ``5亿元`` -> True, unit "CNY", factor 100000000.0; ``2023年`` -> False"""
    uw = f.unit_word
    pct, _pnum, a, aq1, am, aq2, c, _cq1, cm, _cq2, _rsep, r2, _r2m = f.groups
    if uw is not None and uw in _NOT_UNIT_BEFORE and f.match_end < len(s) and s[f.match_end] in _NOT_UNIT_BEFORE[uw]:
        uw = f.unit_word = None
        f.demoted = True  # 5万多人口: 人 begins the noun 人口, it is no measure word here
    if uw is None:
        if a is not None and not (am or r2 or aq1 or aq2):
            f.fraction = _fraction_end(s, f.num_end, a)  # 2/3的资金
        if f.fraction is None and not (pct or am or cm or f.demoted or (c and _BIG_RE.search(c))):
            return False  # a bare number without unit or scale word is never a metric
        return True
    f.unit, f.factor = _UNIT_INFO[uw]
    if f.unit is None and not pct:
        return False  # date, duration, age, level ...
    f.end = f.match_end
    return True


def _read_number(s: str, f: _Figure) -> bool:
    """Phase 2: the number's value and shape (``numbers.NumberFields``), then the qualifier word before it;
    ``False``: unreadable. ``超过3000余人`` -> True, value 3000.0, inner qualifier "at_least", prefix "at_least\""""
    start = f.start
    if f.fraction is not None:
        f.resume = f.end = f.fraction[0]
        f.text, f.value, f.kind = s[start:f.end], f.fraction[1], "fraction"
        f.unit = "percent"
    else:
        fields = common_fields(start, f.num_end, f.numeral, f.groups)
        if fields is None:
            return False
        (_start, _end, f.text, f.value, f.value_high, f.inner_qualifier, f.kind, f.has_multiplier, f.bare_multiplier,
         f.lone, f.int_digits) = fields
    j = start  # the prefix qualifier and the preceding characters: one space skipped
    if j > 0 and s[j - 1] in _WS:
        j -= 1
    f.prefix_q = _prefix_qualifier(s, start, f.bare_multiplier) if j > 0 and s[j - 1] in _PREFIX_LAST else None
    f.before = s[max(0, j - 4):j]
    return True


def _read_unit(s: str, f: _Figure, scan: _SentenceScan) -> bool:
    """Phase 3: the unit where the unit word does not give it alone: 百分之…, spoken money (近3个亿), animals
    (口罩10万只 counts items), a noun (21亿援疆资金), a bare scale word, money cues; ``False``: no unit at all.
    ``近3个亿`` -> True, unit "CNY", factor 100000000.0; ``第5届`` -> False"""
    n = len(s)
    if f.kind == "percent_words":
        f.unit, f.factor, f.end = "percent", 1.0, f.num_end  # the unit word after 百分之… is not read
    elif f.unit_word is not None:
        f.measure = f.unit_word
    end = f.end
    if f.measure == _COLLOQ_WORD and end < n and not f.has_multiplier:
        k = end + 1 if s.startswith("多", end) else end
        if k < n and s[k] in _COLLOQ_SCALES:  # 近3个亿, 1个多亿: spoken money
            if s.startswith("级", k + 1):
                return False  # 1个亿级产业园: a size class
            f.unit, f.factor = _COLLOQ_UNIT, _COLLOQ_SCALES[s[k]]
            if k > end:
                f.inner_qualifier = "at_least"
            end = k + 1
            if s.startswith("元", end):
                end += 1
            f.end = f.resume = end
            f.measure = ""
    if f.measure in _ANIMAL_UNITS and f.unit == "head":
        if not _names_animal(s, scan.clauses().start(f.start), f.start, end):
            f.unit = "item"  # 口罩10万只: 只 counts things here
    if f.unit is None and (f.has_multiplier or f.demoted) and not f.bare_multiplier and f.kind != "percent_words":
        f.unit = _noun_unit(s, f.start, end)  # 21亿援疆资金, 30余万百姓, 脱贫人口10.3万
    if f.unit is None:
        nxt = s[end:end + 1]
        if nxt and _CJK_RE.match(nxt) and not SUFFIX_RE.match(s, end):
            return False  # number glued to a non-unit word: a name or label
        if f.bare_multiplier:
            if not f.prefix_q or f.prefix_q == "exact":
                return False
            f.unit = _BARE_MULT_UNIT.get(f.text[-1], _BARE_NUMBER_UNIT)
        elif f.has_multiplier:
            lo, _hi = scan.clauses().bounds(f.start, end)
            f.unit = "CNY" if any(c[2] in _MONEY_CUES for c in scan.cues().between(lo, f.start)) else _BARE_NUMBER_UNIT
        else:
            return False
    return True


def _excluded(s: str, f: _Figure, scan: _SentenceScan) -> bool:
    """Phase 4: whether the figure is no metric (``data/exclusions.json``): an ordinal or rank, a vague or digit-run
    numeral, a set of actors, a page counter, a slogan, a lone numeral, an identifier, a fixed name.
    ``第3名`` -> True; ``19个援疆省市`` -> True; ``87名干部`` -> False"""
    n = len(s)
    start, end, prev, uword = f.start, f.end, f.before, f.measure
    text, kind, lone = f.text, f.kind, f.lone
    if prev.endswith(_ORDINAL):
        return True
    if prev.endswith(_RANK_WORDS) and any(prev.endswith(p) and uword in us for p, us in _RANK.items()):
        return True
    if kind == "chinese" and (_is_digit_run(text) or (text[0] in _SCALE_START and prev.endswith(_VAGUE)
                                                       and not _verb_end(prev))):
        return True  # 三八; 数十, 几百, 成千 (not 建成千余个)
    if uword in _ACTOR_UNITS and _ACTOR_RE.match(s, end) is not None:
        return True  # 19个援疆省市: a set of actors, not a count
    if uword in _FAR_UNITS and (fm := _FAR_RE.match(s, end)) is not None and any(w in fm.group() for w in _FAR_AID):
        return True  # 10个对口支援兵团省市: a set of actors described at length
    if uword in _GIVING_UNITS and _GIVING_RE.match(s, end) is not None:
        return True  # 等11个市结对支援: cities that give, not a count
    if _COUNTERS and _page_counter(s, start):
        return True  # 评论0条
    if kind == "chinese" and uword in _SLOGAN_UNITS and end < n and s[end] in _SLOGAN_FOLLOW:
        return True  # 五个一工程
    if _SLOGAN_TARGETS and uword in _SLOGAN_UNITS and s.startswith(_SLOGAN_TARGETS, end):
        return True  # 实现“三个100%”: a goal's name
    if (_SLOGAN_TARGETS and start >= 2 and s[start - 1] in _SLOGAN_UNITS and s.startswith(_SLOGAN_TARGETS, start)
            and (s[start - 2].isdigit() or s[start - 2] in _CN_NUMERALS)):
        return True  # the 100% of 三个100%: part of the goal's name
    if lone is not None and (lone in _LONE and not (lone == "一" and _yi_closes_item(s, start, end))
                             or uword in _PHASE and lone not in _PHASE[uword]):
        return True
    if uword in _UNIT_BEFORE_NUMBER and end < n and (s[end].isdigit() or s[end] in _CN_NUMERALS):
        return True
    if f.bare_multiplier and (not f.prefix_q or f.prefix_q == "exact"):
        return True
    a_txt = f.groups.a
    if f.int_digits >= _ID_DIGITS and not f.has_multiplier and not (a_txt and any(ch in a_txt for ch in GROUP_MARKS)):
        return True  # an identifier; never one with a scale word (210315万元) or thousands separators
    return scan.in_fixed_name(start, end)


def _read_qualifier_after(s: str, f: _Figure, scan: _SentenceScan) -> bool:
    """Phase 5: projects or items for a project measure word, then the qualifier after the figure (以上, 左右) and
    the mention's qualifier; ``False``: a size class (5000万元以上项目). ``5亿元以上`` -> True, qualifier "at_least\""""
    start, end, uword = f.start, f.end, f.measure
    if uword in _PROJECT_UNITS and f.unit in ("item", "project"):
        lo, hi = scan.clauses().bounds(start, end)
        reach = _PROJECT_REACH.get(uword, 12)
        if _has_project_noun(s, start, end, lo, hi, reach):
            f.unit = "project"
            scan.project_words.add(uword)
        elif uword in scan.project_words and uword in _ELLIPSIS_UNITS and _elliptical(s, start, end):
            f.unit = "project"  # 计划新建项目1022个，已开工943个
        else:
            f.unit = "item"
    sq = None
    if end < len(s) and s[end] in _SUFFIX_FIRST and (sm := SUFFIX_RE.match(s, end)) \
            and (len(sm.group()) > 1 or not _CJK_RE.match(s[sm.end():sm.end() + 1])):
        sq = _SUFFIX_Q[sm.group()]
        f.end = end = sm.end()
        if f.unit in _SIZE_UNITS and sm.group() in _SIZE_SUFFIXES and _SIZE_NOUN_RE.match(s, end) is not None:
            return False  # 5000万元以上项目13个: a size class of projects, not an amount
    f.qualifier = "range" if f.value_high is not None else (sq or f.inner_qualifier or f.prefix_q or "exact")
    if f.qualifier == "exact" and f.unit == "percent" and _SHARE_Q:
        f.qualifier = _share_qualifier(s, start) or f.qualifier  # 约占总额的三分之二
    return True


def _typed(s: str, raw: list[RawMention], scan: _SentenceScan) -> list[Mention]:
    """Phase 6: each figure's metric type (from its counted noun, cues, a subset clause 其中… or its unit) and its
    value scaled by the unit's factor: ``[RawMention(2, 9, 6, 3000.0, None, "person_time", "at_least", 1.0)]`` of
    培训3000余人次 -> ``[Mention(2, 9, "3000余人次", 3000.0, None, "person_time", "at_least", "trainees")]``"""
    n = len(s)
    clauses = scan.clauses()
    cues = scan.cues()
    nraw = len(raw)
    next_people = [n] * (nraw + 1)  # start of the next person/person_time mention after each one
    for idx in range(nraw - 2, -1, -1):
        next_people[idx] = raw[idx + 1][0] if raw[idx + 1][5] in _MOVE_UNITS else next_people[idx + 1]
    out: list[Mention] = []
    prev_end = 0
    delims, ndelims = clauses.pos, len(clauses.pos)
    for idx, (a, b, _num_end, value, value_high, unit, qual, factor) in enumerate(raw):
        next_start = raw[idx + 1][0] if idx + 1 < nraw else n
        i = bisect_left(delims, a)  # clauses.bounds(a, b), inline
        clause_start = delims[i - 1] + 1 if i > 0 else 0
        k = bisect_left(delims, b, i)
        lo = max(clause_start, a - CUE_WINDOW)
        hi = min(delims[k] if k < ndelims else n, b + CUE_WINDOW)
        inherit = None
        if out and out[-1].unit == unit and s.startswith(_SUBSET_MARKERS, clause_start):
            inherit = out[-1].metric_type
        mtype = _metric_type(s, a, b, unit, cues, lo=lo, hi=hi, prev_end=prev_end, next_start=next_start,
                             next_people=next_people[idx], inherit=inherit)
        v = value * factor
        if not v.is_integer():  # _clean, which keeps whole numbers as they are
            v = _clean(v)
        vh = None if value_high is None else _clean(value_high * factor)
        out.append(Mention(a, b, s[a:b], v, vh, unit, qual, mtype))
        prev_end = b
    return out


def _merge_unit_ranges(s: str, raw: list[RawMention]) -> list[RawMention]:
    """Two figures with the same unit joined by a range mark are one range: ``20万元至30万元`` -> value 200000,
    value_high 300000 (``_merge_unit_ranges`` works on ``_mentions``' internal rows)."""
    if len(raw) < 2:
        return raw
    out = [raw[0]]
    for cur in raw[1:]:
        a, b, _ne, value, value_high, unit, qual, factor = out[-1]
        gap = s[b:cur.start].strip(_WS)
        if (gap and len(gap) == 1 and gap in _RANGE_MARKS and unit == cur.unit and factor == cur.factor
                and value_high is None and cur.value_high is None and qual == "exact"
                and cur.qualifier in ("exact", "range") and cur.value > value):
            out[-1] = RawMention(a, cur.end, cur.num_end, value, cur.value, unit, "range", factor)
        else:
            out.append(cur)
    return out


def _clean(v: float) -> float:
    r = round(v, 6)
    return float(r)


def _counted_noun(s: str, a: int, b: int, unit: str, lo: int, next_start: int):
    """The noun the measure word counts, as ``(metric_type, class, built_type, units, (start, end))`` or ``None``.

    Looked for right after the unit (the last table noun before the first verb cue, within the clause),
    else right before the number (``岗位7000余个``, ``游客超过15万人次``: a qualifier or 共/累计 may sit between).
    ``_counted_noun("援建12家三甲医院", 2, 5, "enterprise", 0, 9)[0] -> "other"``
    """
    if NOUN_RE is None:
        return None
    stop = min(len(s), b + NOUN_WINDOW, next_start)
    k = _NOUN_STOP_RE.search(s, b, stop)
    if k is not None:
        stop = k.start()
    nouns: Any = list(NOUN_RE.finditer(s, b, stop)) if stop > b else None
    if nouns:  # else there is none before a verb either: no verb scan
        for c in CUE_RE.finditer(s, b, stop):
            if c.group() in _VERB_NOT_NOUN and not _longer_noun_at(s, c.start(), c.end(), stop):
                nouns = NOUN_RE.finditer(s, b, c.start())  # the nouns before the first verb (a scan ending there)
                break
        found = None
        for m in nouns:
            entry = _noun_entry(m.group(), unit)
            if entry is not None:
                found = m
        if found is not None:
            return _noun_entry(found.group(), unit) + (found.span(),)
    j = a
    while j > lo and (s[j - 1] in _WS or s[j - 1] in _CLOSE_QUOTES):
        j -= 1
    for table, last in _BEFORE_TABLES:
        if j > lo and s[j - 1] in last:
            for n in range(min(4, j - lo), 0, -1):
                if s[j - n:j] in table:
                    j -= n
                    break
            while j > lo and s[j - 1] in _WS:
                j -= 1
    if j <= lo or s[j - 1] not in _NOUN_LAST:
        return None
    for n in range(min(_NOUN_MAXLEN, j - lo), 1, -1):  # two characters at least: 泽普县5批次 is not 县
        w = s[j - n:j]
        if w in _NOUNS:
            entry = _noun_entry(w, unit)
            if entry is not None:
                return entry + ((j - n, j),)
    return None


_CUE_ENTRY: Final[dict[tuple[str, str], tuple[str, int, int, bool] | None]] = {}  # filled on first use (static tables)


def _cue_entry(word: str, unit: str) -> tuple[str, int, int, bool] | None:
    """``(metric_type, weight, -len(word), is_verb_cue)`` of the first type of cue ``word`` whose units include
    ``unit``, or ``None``: ``_cue_entry("培训", "person")[0] -> "trainees"``."""
    key = (word, unit)
    try:
        return _CUE_ENTRY[key]
    except KeyError:
        pass
    found = None
    for mtype, units, weight in _CUE_TYPES[word]:
        if unit in units:
            found = (mtype, weight, -len(word), word in _VERB_CUES)
            break
    _CUE_ENTRY[key] = found
    return found


_MOVE_ENTRY: Final[dict[tuple[str, str], str | None]] = {}  # (word, unit) -> first weight-0 compatible type


def _move_type(word: str, unit: str) -> str | None:
    key = (word, unit)
    try:
        return _MOVE_ENTRY[key]
    except KeyError:
        pass
    found = None
    for mtype, units, weight in _CUE_TYPES[word]:
        if unit in units and weight == 0:
            found = mtype
            break
    _MOVE_ENTRY[key] = found
    return found


def _cue_type(s: str, a: int, b: int, unit: str, cues, lo: int, hi: int, prev_end: int, next_start: int,
              next_people: int, verbs_only: bool = False, skip: tuple[int, int] = (0, 0)) -> str | None:
    """Type from the nearest compatible cue in the clause (``verbs_only``: verb cues only), or ``None``.

    ``_cue_type("培训农民3000人", 4, 10, "person", [(0, 2, "培训")], lo=0, hi=10, prev_end=0, next_start=10,
    next_people=10) -> "trainees"``
    """
    if unit in _MOVE_UNITS:
        stop = min(hi, next_people)
        mk = _MOVE_RE.search(s, b, stop) if _MOVE_RE is not None else None  # the first marker after the unit
        if mk is not None:
            first = mk.start()
            for cs, ce, w in cues:
                if cs > first and ce <= stop:
                    mtype = _move_type(w, unit)
                    if mtype is not None:
                        return mtype
    best = None
    skip0, skip1 = skip
    entries = _CUE_ENTRY
    for cs, ce, w in cues:
        if ce <= a:
            if cs < lo:
                continue
            dist = a - ce + (6 if ce <= prev_end else 0)
        elif cs >= b and ce <= hi:
            dist = cs - b + 0.5 + (6 if cs >= next_start else 0)
        else:
            continue
        if cs >= skip0 and ce <= skip1:
            continue  # a word inside the counted noun (脱贫 in 脱贫人口)
        e: Any = entries.get((w, unit), _cue_entry)
        if e is _cue_entry:
            e = _cue_entry(w, unit)
        if e is None or (verbs_only and not e[3]):
            continue
        key = (dist + e[1], e[2], e[0])
        if best is None or key < best:
            best = key
    return None if best is None else best[2]


def _metric_type(s: str, a: int, b: int, unit: str, cue_scan: _CueScan, lo: int, hi: int,
                 prev_end: int, next_start: int, next_people: int | None = None, inherit: str | None = None) -> str:
    """Type of one mention: the counted noun (with the verb cues that outrank it), else the nearest compatible cue
    in the clause (before the number or after the unit), else the unit prior.

    ``inherit``: the previous figure's type when this one opens a subset clause (其中…).
    ``_metric_type("惠及师生近10万人", 5, 9, "person", _CueScan(s, _Clauses(s)), 0, 9, 0, 9)`` -> ``"beneficiaries"``
    """
    if unit in _STRONG:
        return _STRONG[unit]
    if next_people is None:
        next_people = next_start
    noun = None if unit == "CNY" else _counted_noun(s, a, b, unit, lo, next_start)
    if noun is not None:
        ntype, cls, built, _units, span = noun
        if unit in _OVERRIDE_UNITS and any(w in _OVERRIDE_WORDS and cs >= lo and ce <= a
                                           for cs, ce, w in cue_scan.between(lo, hi)):
            return _OVERRIDE["type"]
        if cls == "decisive":
            return ntype
        if cls == "institution":  # schools, hospitals: facilities when built, equipped or upgraded in the clause
            clause = s[lo:hi]
            return built if built and any(v in clause for v in _BUILT_VERBS) else ntype
        verb = _cue_type(s, a, b, unit, cue_scan.between(lo, hi), lo=lo, hi=hi, prev_end=prev_end,
                         next_start=next_start, next_people=next_people, verbs_only=True, skip=span)
        if verb is not None and verb in _PROVIDED.get(ntype, ()):
            verb = None  # 86名医生赴哈密开展巡诊: the doctors provide the check-ups, they are the personnel
        return verb or inherit or ntype
    found = _cue_type(s, a, b, unit, cue_scan.between(lo, hi), lo=lo, hi=hi, prev_end=prev_end, next_start=next_start,
                      next_people=next_people)
    if found is not None:
        return found
    if inherit is not None:
        return inherit
    if unit == "CNY":
        # money without a cue in its clause: look back through the sentence
        for _cs, ce, w in reversed(cue_scan.between(max(0, a - SENTENCE_LOOKBACK), a)):
            if ce <= a:
                for mtype, units, _w in _CUE_TYPES[w]:
                    if "CNY" in units:
                        return mtype
    return _UNIT_PRIORS.get(unit, "other")


def year_of(sentence: str, publish_date: str | None, pos: int | None = None) -> int | None:
    """Year a figure speaks of: the last year named before ``pos`` in its sentence (the first one when no year
    precedes it or ``pos`` is None), else 今年/去年 … counted from the publish date, else ``None``.

    ``year_of("2023年以来，投入5亿元", None) -> 2023``; ``year_of("今年投入5亿元", "2024-05-01") -> 2024``;
    ``year_of("2022年投入3亿元，2023年投入5亿元", None, 20) -> 2023``
    """
    return _YearIndex(sentence, publish_date).at(pos)


def _year_value(m: re.Match) -> int:
    """The year a ``YEAR_RE`` match names: ``_year_value(YEAR_RE.search("二〇二三年")) -> 2023``."""
    return int(m.group(1)) if m.group(1) else int("".join(str(CN_DIGITS[ch]) for ch in m.group(2)))


class _YearIndex:
    """Years named in one sentence (explicit, then relative to the publish date), looked up by position in
    O(log n): ``_YearIndex("2022年、2023年", None).at(8) -> 2022``."""

    def __init__(self, sentence: str, publish_date: str | None):
        self.explicit: list[tuple[int, int]] = []
        self.relative: list[tuple[int, int]] = []
        if "年" not in sentence:  # every year form and relative year word holds 年
            return
        if sentence.count("年") * 16 > len(sentence):  # 年 everywhere: one scan of the whole sentence
            self.explicit = [(m.end(), _year_value(m)) for m in YEAR_RE.finditer(sentence)]
        else:
            # YEAR_RE.finditer(sentence), found from each 年: a year ends right after its 年 and starts 4 or 5
            # characters before it (no year holds a 年 before its own: years never overlap, a 年 ends one at most)
            self.explicit = explicit = []
            match, find = YEAR_RE.match, sentence.find
            p = find("年")
            while p >= 0:
                for q in (p - 5, p - 4):
                    if q >= 0 and (m := match(sentence, q)) is not None and m.end() == p + 1:
                        explicit.append((p + 1, _year_value(m)))
                        break
                p = find("年", p + 1)
        base = int(publish_date[:4]) if publish_date and publish_date[:4].isdigit() else None
        self.relative = [] if base is None else [(m.end(), base + RELATIVE_YEARS[m.group()])
                                                 for m in _REL_YEAR_RE.finditer(sentence)]

    @staticmethod
    def _pick(found: list[tuple[int, int]], pos: int | None) -> int | None:
        if not found:
            return None
        if pos is None:
            return found[0][1]
        k = bisect_left(found, (pos + 1,)) - 1
        return found[k][1] if k >= 0 else found[0][1]

    def at(self, pos: int | None) -> int | None:
        y = self._pick(self.explicit, pos)
        return y if y is not None else self._pick(self.relative, pos)


def _is_venue(text: str, start: int, end: int) -> bool:
    """A place named only as where something is held: ``_is_venue("推介会在深圳举办", 4, 6) -> True``."""
    if not text[max(0, start - 2):start].endswith(_VENUE_BEFORE):
        return False
    after = text[end:end + _VENUE_WINDOW]
    return any(v in after for v in _VENUE_VERBS)


def _donor_in(text: str, report_donor: str | None, aid_marker: bool = False, hits: list | None = None) -> str | None:
    """Donor a text names (a donor-side city counts for its province), skipping venues; the report's donor first
    when it is among them. ``aid_marker``: only a place an aid word follows (appended articles).
    ``_donor_in("东营援疆投入5亿元", "山东") -> "山东"``; ``_donor_in("推介会在深圳举办", None) -> None``;
    ``_donor_in("借助深圳力量", None, aid_marker=True) -> None``. ``hits``: ``places.place_hits(text)`` when known."""
    if hits is None:
        hits = places.place_hits(text)
    donors = [(a, d) for a, d, _r in hits if d is not None]
    if not donors:
        return None  # no donor-side place at all (the common case)
    if not aid_marker and not any(text[max(0, a - 2):a].endswith(_VENUE_BEFORE) for a, _d in donors):
        # no donor place can be a venue and none needs an aid word after it: their starts suffice (no place objects)
        found = [_donor_canon(d) for _a, d in donors]
    else:
        found = []
        for pm in places.find_places(text):
            if pm.donor is None or _is_venue(text, pm.start, pm.end):
                continue
            if aid_marker and not any(w in text[pm.end:pm.end + _AID_WINDOW] for w in _AID_MARKERS):
                continue
            found.append(_donor_canon(pm.donor))
    if not found:
        return None
    if report_donor:
        canon = _donor_canon(report_donor)  # places.donor_of(report_donor) or report_donor
        for d in found:
            if d == report_donor or d == canon:
                return report_donor
    return found[0]


_CANON: Final[dict[str, str]] = {}


def _donor_canon(donor: str) -> str:
    """``places.donor_of(donor) or donor``, remembered: ``_donor_canon("东营") -> "山东"``."""
    canon = _CANON.get(donor)
    if canon is None:
        canon = _CANON[donor] = places.donor_of(donor) or donor
    return canon


def _recipient_in(text: str) -> str | None:
    """First recipient a text names: ``_recipient_in("深圳援建喀什市")`` -> ``"喀什市"`` (``recipients_in(text)[0]``)."""
    for _s, _d, r in places.place_hits(text):
        if r is not None:
            return r
    return None


def _sentence_places(sent: str, report_donor: str | None, appended: bool) -> tuple[str | None, str | None]:
    """``(_donor_in(sent, …), _recipient_in(sent))`` from one look at the sentence's places:
    ``_sentence_places("东营援疆队赴疏勒县", None, False) -> ("山东", "疏勒县")``."""
    hits = places.place_hits(sent)
    if not hits:
        return None, None
    recipient = None
    for _s, _d, r in hits:
        if r is not None:
            recipient = r
            break
    return _donor_in(sent, None if appended else report_donor, appended, hits), recipient


class _SectionPlaces:
    """Donor and recipient a section names, each looked up on first use only (most sentences name their own, or
    the report's serve): ``_SectionPlaces("东营援疆", 0, 4, False, None).donor() -> "山东"``."""

    _UNSET = object()

    def __init__(self, text: str, start: int, end: int, appended: bool, report_donor: str | None):
        self.span, self.appended, self.report_donor = (text, start, end), appended, report_donor
        self._donor: Any = self._UNSET
        self._recipient: Any = self._UNSET

    @property
    def text(self) -> str:
        text, start, end = self.span
        return text[start:end]

    def donor(self) -> str | None:
        if self._donor is self._UNSET:
            self._donor = (_donor_in(self.text, None, aid_marker=True) if self.appended
                           else _donor_in(self.text, self.report_donor))
        return self._donor

    def recipient(self) -> str | None:
        if self._recipient is self._UNSET:
            self._recipient = _recipient_in(self.text)
        return self._recipient


def extract_metrics(text: str, sections: list[Section], report_donor: str | None,
                    report_recipients: list[str], publish_date: str | None) -> list[Metric]:
    """All metric mentions of a normalised report, in reading order.

    ``extract_metrics("投入资金5亿元。", [Section(0, None, "lead", "other", 0, 8)], "深圳", ["喀什市"], None)``
    -> ``[Metric(start=4, end=7, surface="5亿元", value=500000000.0, unit="CNY", donor="深圳", recipient="喀什市", ...)]``
    Caption sections are skipped; in "appended" sections donor/recipient come only from the sentence or section.
    """
    spans = [(sec.kind, sec.start, sec.end, [(x.start, x.end) for x in sec.sentences]) for sec in sections]
    out = [Metric(r.start, r.end, text[r.start:r.end], *r[2:])
           for r in metric_tuples(text, spans, report_donor, report_recipients, publish_date)]
    out.sort(key=lambda m: m.start)
    return out


METRIC_TUPLE_FIELDS: Final = MetricRow._fields


_DAMAGED: Final = _EXCL.get("damaged_numbers", {})
_DAMAGED_END: Final = "(?=[" + re.escape(CLAUSE_DELIMS + "、）)") + "]|$)"  # the figure ends its clause
_COUNT_UNITS_RE: Final = places.longest_form_regex([w for w, (u, _f) in _UNIT_INFO.items() if u is not None])
#: (regex, reason): a decimal point with no digit before it, or none after it; a lone 万/亿 + unit ending its clause after a word that
#: is not a qualifier; a measure word right after a counted noun, ending its clause
DAMAGED_RES: Final = (
    (re.compile(r"(?<=[\u4e00-\u9fff])[.．][0-9０-９]+" + _WS_CLASS_OPT + "[十百千万亿萬億]{0,2}(?:"
                + _COUNT_UNITS_RE.pattern + ")"), "lost_integer_part"),
    (re.compile("(?<=[\u4e00-\u9fff])(?<![" + re.escape(_DAMAGED.get("not_before_scale", "")) + "])[万亿萬億](?:"
                + "|".join(map(re.escape, sorted(_DAMAGED.get("units_after_scale", ()), key=len, reverse=True)))
                + ")" + _DAMAGED_END), "lost_digits_before_scale"),
    (re.compile(r"(?<![0-9０-９.．])[0-9０-９]+[.．]" + _WS_CLASS_OPT + "[十百千万亿萬億]{0,2}(?:"
                + _COUNT_UNITS_RE.pattern + ")"), "lost_fraction_part"),
    (re.compile("(?:(?<=" + ")|(?<=".join(  # fixed-width look-behinds, one per noun length
        "|".join(map(re.escape, sorted(g))) for g in _group_by_len(_DAMAGED.get("nouns", ()))) + "))"
        + "(?:" + "|".join(map(re.escape, sorted(_DAMAGED.get("measure_words", ()), key=len, reverse=True))) + ")"
        + _DAMAGED_END), "unit_without_number"),
) if _DAMAGED else ()


def damaged_numbers(sentence: str) -> list[tuple[int, int, str]]:
    """Figures whose digits were lost (by a page's extraction), as ``(start, end, reason)`` of what is left: never
    read as values, to be recorded by the stage. ``damaged_numbers("援疆资金累计达到.9亿元")``
    -> ``[(8, 12, "lost_integer_part")]``; ``damaged_numbers("援助项目个。") -> [(4, 5, "unit_without_number")]``"""
    found: list[tuple[int, int, str]] = []
    for rx, reason in DAMAGED_RES:
        for m in rx.finditer(sentence):
            found.append((m.start(), m.end(), reason))
    found.sort()
    out: list[tuple[int, int, str]] = []
    for a, b, reason in found:
        if out and a < out[-1][1]:
            continue  # one flag per damaged figure
        out.append((a, b, reason))
    return out


def damaged_number_spans(text: str, sections) -> list[tuple[int, int, str]]:
    """``damaged_numbers`` over a report's non-caption sentences, in ``text`` offsets (``sections`` as for
    ``metric_tuples``): ``damaged_number_spans("人口万人。", [("body", 0, 5, [])]) -> [(2, 4, "lost_digits_before_scale")]``"""
    out: list[tuple[int, int, str]] = []
    for kind, sec_start, sec_end, sentences in sections:
        if kind == "caption":
            continue
        for ss, se in sentences or [(x.start, x.end) for x in split_sentences(text, sec_start, sec_end)]:
            out += [(ss + a, ss + b, reason) for a, b, reason in damaged_numbers(text[ss:se])]
    return out


def figure_context(text: str, a: int, b: int, ss: int = 0, se: int | None = None) -> tuple[int, int]:
    """The stretch of the sentence ``[ss, se)`` of ``text`` shown with the figure at ``[a, b)``: the sentence itself
    when it is no longer than ``SENTENCE_MAX_CHARS``, else the whole clauses within ``CONTEXT_REACH`` characters
    either side (cut at that reach when no clause delimiter lies within it); the sentence is never copied.
    ``figure_context("甲，" * 400 + "投入5亿元，" + "乙，" * 400, 802, 805) -> (602, 1004)``"""
    if se is None:
        se = len(text)
    if se - ss <= SENTENCE_MAX_CHARS:
        return ss, se
    lo = max(ss, a - CONTEXT_REACH)
    if lo > ss:
        d = _DELIM_RE.search(text, lo - 1, a)  # lo itself when a clause starts there
        if d is not None:
            lo = d.end()
    hi = min(se, b + CONTEXT_REACH)
    if hi < se:
        k = max(text.rfind(ch, b, hi) for ch in CLAUSE_DELIMS)
        if k >= b:
            hi = k + 1
    return lo, hi


def figure_sentence(text: str, a: int, b: int, ss: int, se: int) -> str:
    """The sentence stored with the figure at ``[a, b)`` of the sentence ``[ss, se)``: the sentence, or only the
    figure's stretch of it when it is over ``SENTENCE_MAX_CHARS`` (``figure_context``), so n figures of one huge
    sentence store O(n) characters: ``figure_sentence("投入5亿元。", 2, 5, 0, 6) -> "投入5亿元。"``"""
    if se - ss <= SENTENCE_MAX_CHARS:
        return text[ss:se]
    lo, hi = figure_context(text, a, b, ss, se)
    return text[lo:hi]


def _carry_projects(sent: str, found: list[Mention], carry: set[str]) -> tuple[list[Mention], set[str]]:
    """A ； joins clauses of one sentence: an elliptical count after it (``已开工146个；已完工97个``) counts projects
    when the clauses before the ； counted projects with its measure word (``carry``). Returns the mentions and the
    measure words to carry into the next sentence (those of this one when it ends with ；):
    ``_carry_projects("已完工97个。", [Mention(3, 6, "97个", 97.0, None, "item", "exact", "facilities")], {"个"})[0][0].unit
    -> "project"``"""
    if carry:
        for m in found:
            if m.unit == "item" and sent[m.end - 1:m.end] in carry and _elliptical(sent, m.start, m.end):
                m.unit, m.metric_type = "project", "projects"
    if sent.rstrip().endswith(("；", ";")):
        return found, {sent[m.end - 1] for m in found if m.unit == "project"} | carry
    return found, set()


_MAX_LABEL: Final = 16


def _poster_label(text: str, prev: tuple[int, int] | None, ss: int, se: int) -> str:
    """The label a poster sets on the line above a figure standing alone on its line (``实施援疆项目`` over ``52个``,
    ``到位投资`` over ``16亿``): the previous sentence when it is a whole short line with no numeral and no sentence end,
    and the sentence ``text[ss:se]`` is a whole line holding a figure alone; else ``""``.
    ``_poster_label("实施援疆项目\n52个", (0, 6), 7, 10)`` → ``"实施援疆项目"``."""
    if prev is None or not (ss == 0 or text[ss - 1] == "\n") or not (se == len(text) or text[se] == "\n"):
        return ""
    ps, pe = prev
    if pe + 1 != ss or text[pe] != "\n" or not (ps == 0 or text[ps - 1] == "\n") or pe - ps > _MAX_LABEL:
        return ""
    label = text[ps:pe]
    if any(ch.isdigit() for ch in label) or label[-1] in "。！？；：:;!?，,":
        return ""
    return label if BARE_FIGURE_LINE_RE.fullmatch(text, ss, se) is not None else ""


def metric_tuples(text: str, sections, report_donor: str | None, report_recipients: list[str],
                  publish_date: str | None) -> list[MetricRow]:
    """``extract_metrics`` as plain tuples (``METRIC_TUPLE_FIELDS``, no surface), in section and sentence order.

    ``sections``: ``(kind, start, end, [(sentence_start, sentence_end), ...])`` each, in reading order; an empty
    sentence list is split here. ``metric_tuples("投入资金5亿元。", [("lead", 0, 8, [])], "深圳", ["喀什市"], None)``
    -> ``[MetricRow(4, 7, 500000000.0, None, "CNY", "exact", "funding", 0, 8, "深圳", "喀什市", None)]``
    """
    out: list[MetricRow] = []
    seen: set[tuple[int, int]] = set()
    for kind, sec_start, sec_end, sentences in sections:
        if kind == "caption":
            continue
        appended = kind == "appended"
        sec_places = _SectionPlaces(text, sec_start, sec_end, appended, report_donor)
        carry: set[str] = set()  # measure words that counted projects in a sentence ended by ；
        prev: tuple[int, int] | None = None
        for ss, se in sentences or [(x.start, x.end) for x in split_sentences(text, sec_start, sec_end)]:
            label, prev = _poster_label(text, prev, ss, se), (ss, se)
            first = _number_start(text, ss, se)
            if first is None:
                carry = set()
                continue  # no numeral at all (no mention): not even sliced
            sent = text[ss:se]
            if label:
                found = _mentions(label + sent, len(label) + first.start() - ss)
                for m in found:
                    m.start -= len(label)
                    m.end -= len(label)
            else:
                found = _mentions(sent, first.start() - ss)
            found, carry = _carry_projects(sent, found, carry)
            if not found:
                continue
            donor, recipient = _sentence_places(sent, report_donor, appended)
            if appended:
                donor = donor or sec_places.donor()
                recipient = recipient or sec_places.recipient()
            else:
                donor = donor or report_donor or sec_places.donor()
                recipient = recipient or (report_recipients[0] if report_recipients else sec_places.recipient())
            years = _YearIndex(sent, publish_date) if "年" in sent else None
            for m in found:
                key = (ss + m.start, ss + m.end)
                if key in seen:
                    continue
                seen.add(key)
                out.append(MetricRow(key[0], key[1], m.value, m.value_high, m.unit, m.qualifier, m.metric_type, ss, se,
                                     donor, recipient, years.at(m.start) if years is not None else None))
    return out
