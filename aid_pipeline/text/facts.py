"""From mentions to facts: what each figure of a report says about time, wholes and parts, scope and donor.

Pure functions (no Dagster). The words live in data tables: ``data/periods.json`` (time, plan and cumulative
words), ``data/scope.json`` (context cues), ``data/places.json`` (donor places). GUIDE.md, section "Facts":

* ``period`` (year | to_date | cumulative | plan | unspecified) and ``period_start``/``period_end``, from the time
  words of the figure's clause, of the clauses before it that open with a time word (or hold one and a figure:
  ``江苏累计引进企业500家，到位资金620亿元`` → both cumulative), and of the sentence that opens its paragraph (or
  its run of short poster lines) with one (``2023年以来，… 。 … 10场次`` → both to_date 2023); what none of these
  dates takes the report's frame, from its title or opening span (``江苏援伊十年`` + ``2010年以来，…`` → 2010-2020);
* ``part_of``: the index of the figure this one breaks down (``其中``/``包括``/``包含`` after a whole of the same
  unit, a sentence going on with ``另外``/``此外``, and spending lines of the same donor after a total of funding
  whose sum stays within it; a joint total of listed donors takes those donors' lines);
* ``scope``: ``context`` for the setting (a region's trade or GDP, its own stock of firms), else ``aid``;
* ``donor``: the most specific donor named (湖州, 东营, 济宁 …; the report's donor city beats its own province),
  ``donor_province`` the province it rolls up to; a context figure, and a joint figure of a list of donors in a
  multi-donor report (``上海、广东、山东、深圳四个对口省市…``), have no donor.

    >>> [f["period"] for f in fact_fields("今年以来销售额10亿元，累计达到50亿元。", [(0, 21)],
    ...     [FactInput(7, 11, 1e9, "CNY", "sales", 0, 21, "山东"), FactInput(16, 20, 5e9, "CNY", "sales", 0, 21, "山东")],
    ...     "2023-09-20", "山东")]
    ['to_date', 'cumulative']
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from typing import Final, NamedTuple

from aid_pipeline.text import places
from aid_pipeline.text.datafiles import load_json

__all__ = ["FactInput", "fact_fields", "periods", "parts", "time_words", "context_clauses", "sentence_donor",
           "FACT_FIELDS", "PERIODS", "SCOPES"]

PERIODS: Final = ("year", "to_date", "cumulative", "plan", "unspecified")
SCOPES: Final = ("aid", "context")
FACT_FIELDS: Final = ("period", "period_start", "period_end", "part_of", "scope", "donor", "donor_province")

_P: Final = load_json("periods.json")
_S: Final = load_json("scope.json")
_PARTS: Final = load_json("parts.json")
_ATTR: Final = load_json("attribution.json")

_REL: Final[dict[str, int]] = _P["relative_years"]
_REL_ALT: Final = "|".join(sorted(map(re.escape, _REL), key=len, reverse=True))
_YEAR: Final = f"(?:{_P['year_re']}|{_P['damaged_year_re']})"
_KINDS: Final = tuple(r["kind"] for r in _P["rules"])


def _rule_pattern(i: int, rule: dict) -> str:
    """Rule ``i`` as one named alternative ``(?P<r{i}>…)``, its own groups renamed ``name__{i}`` (unique)."""
    body = rule["re"].replace("{Y}", _YEAR).replace("{REL}", _REL_ALT)
    return f"(?P<r{i}>" + re.sub(r"\(\?P<(\w+)>", lambda m: "(?P<" + str(m.group(1)) + f"__{i}>", body) + ")"


# every rule in one regex, tried in the table's order at each position (one scan of a sentence, not one per rule)
# (a lookahead for the characters a time word can start with skips most positions at once)
RULES_PATTERN: Final = "|".join(_rule_pattern(i, r) for i, r in enumerate(_P["rules"]))
_RULES_RE: Final = re.compile(f"(?=[{re.escape(_P['first_chars'])}])(?:{RULES_PATTERN})")
_NEEDS: Final = frozenset("".join(r.get("needs", "") for r in _P["rules"]))
_PLAN_PERIODS: Final[dict[str, int]] = _P["plan_periods"]
_LEAD: Final = frozenset(_P.get("lead_chars", ""))
_PLAN_NOT_INITIAL: Final = frozenset(_P.get("plan_not_clause_initial", ()))
_PLAN_WILL: Final = tuple(_P.get("plan_initial_will_before", ()))
_NOT_PLAN_AFTER: Final[dict[str, str]] = _P.get("not_plan_after", {})
_NOT_PLAN_BEFORE: Final[dict[str, str]] = _P.get("not_plan_before", {})
_ANAPHORS: Final = tuple(_P.get("anaphors", ()))
_WITHIN_YEAR: Final = frozenset(_P.get("within_year_words", ()))
_NAMED_STARTS: Final[dict[str, int]] = _P.get("named_starts", {})
_PLAN_YEARS: Final = int(_P.get("plan_period_years", 5))
_ONE_YEAR_MONTH: Final = int(_P.get("one_year_back_previous_until_month", 3))
_SHARE: Final = tuple(_P.get("share_markers", ()))
_TITLE_YEARS_RE: Final = re.compile(_P["title_years_re"]) if _P.get("title_years_re") else None
_TITLE_MAX: Final = int(_P.get("title_max_chars", 60))
_FRAME_KINDS: Final = frozenset(_P.get("frame_kinds", ()))
_SHORT_LINE: Final = int(_P.get("short_line_chars", 40))
_NO_FRAME: Final = tuple(_P.get("no_frame_before", ()))
_SENTENCE_END: Final = frozenset("。！？!?")
_CN: Final = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "〇": 0, "零": 0}

CLAUSE_DELIMS: Final = "，。；！？：,;!?:\n\ufffd"  # a lost character (U+FFFD) may have been punctuation
_DELIM_RE: Final = re.compile("[" + re.escape(CLAUSE_DELIMS) + "]")

# the kinds of time word, by what they say
_DATED: Final = frozenset({"since", "since_relative", "as_of", "months", "month", "year", "whole_year", "relative_year"})
_CUMULATIVE: Final = frozenset({"years_back", "cumulative", "plan_period", "year_range"})
_YEAR_WORDS: Final = frozenset({"year", "relative_year", "whole_year"})  # what 全年 refers back to

# an area this large (in m², the unit sqm) is the size of a region, never an aid work: scope.json region_area_min_sqm
_REGION_AREA_MIN_SQM: Final = float(_S.get("region_area_min_sqm", 1e9))
_CONTEXT_RE: Final = re.compile("|".join(map(re.escape, sorted(_S["context_cues"], key=len, reverse=True))))
_STOCK_VERBS: Final = tuple(_S.get("region_stock_verbs", ()))
_AID_CUES: Final = tuple(_S.get("aid_cues", ()))
_AID_RESULTS: Final = tuple(_S.get("aid_results", ()))
_APPENDED_CONTEXT: Final = bool(_S.get("appended_without_donor", True))

_PART_MARKERS: Final = tuple(_PARTS["markers"])
_CONTINUE: Final = tuple(_PARTS["continuations"])
_SPEND_TYPES: Final = frozenset(_PARTS["spending_types"])
_UNIT_GROUPS: Final[dict[str, str]] = _PARTS.get("unit_groups", {})  # 29个项目，其中固投类9个
_BRACKETS: Final[dict[str, str]] = _PARTS.get("brackets", {})
_LOWER_BEFORE: Final = tuple(_PARTS.get("lower_bound_before", ()))
_LOWER_INSIDE: Final = tuple(_PARTS.get("lower_bound_inside", ()))
_LOWER_SLACK: Final = float(_PARTS.get("lower_bound_slack", 1.0))
_WHOLE_PERIODS: Final = frozenset(_PARTS.get("whole_periods", ("year", "cumulative")))
_NOT_PARTS: Final = frozenset(_PARTS.get("not_parts", ()))
_VENUE_BEFORE: Final = tuple(_ATTR["venue_before"])
_VENUE_VERBS: Final = tuple(_ATTR["venue_verbs"])
_VENUE_WINDOW: Final = int(_ATTR["venue_window"])
_PLACES: Final = load_json("places.json")
_ROUTE: Final = tuple(_PLACES.get("route_markers", ()))
_DEST: Final = frozenset(_PLACES.get("destination_before", ""))
_JOIN: Final = frozenset(_PLACES.get("list_joiners", ""))
_AID_MARKERS: Final = tuple(_ATTR["aid_markers"])
_AID_WINDOW: Final = int(_ATTR["aid_window"])
_RESTATE_CHARS: Final = int(_P.get("restated_after_chars", 6))
_TOL: Final = 1.0005  # rounding: 403.46 + 30 = 433.46 stays within 433.46


class FactInput(NamedTuple):
    """One metric mention as the fact step needs it (offsets into the normalised text).

    ``FactInput(start=7, end=11, value=1e9, unit="CNY", metric_type="sales", sentence_start=0, sentence_end=21,
    donor="山东", section_kind="body")``
    """

    start: int
    end: int
    value: float
    unit: str
    metric_type: str
    sentence_start: int
    sentence_end: int
    donor: str | None = None
    section_kind: str = "body"


@dataclass
class _Word:
    """One time word in a sentence: kind, span (sentence offsets), clause index, regex groups, governs later clauses."""

    kind: str
    start: int
    end: int
    clause: int
    groups: dict
    governs: bool = False
    text: str = ""


def sentence_word(w: _Word) -> str:
    """The words a time word matched: ``sentence_word(time_words("累计投入")[0]) -> "累计"``."""
    return w.text


@dataclass
class _Period:
    period: str
    start: int | None = None
    end: int | None = None
    plan_end: int | None = None  # a plan period's last year (十四五期间: 2025), for a plan made within it
    framed: bool = False  # given only by the report's frame
    as_of: bool = False  # up to a date a 截至 word gives (a cumulative word under it sums up to that date)

    def copy(self, framed: bool = False) -> _Period:
        """The same period as a new object: ``_Period("year", 2023, 2023).copy().start -> 2023``."""
        return _Period(self.period, self.start, self.end, self.plan_end, framed, self.as_of)


_UNSPEC: Final = _Period("unspecified")


def _cn_int(s: str) -> int | None:
    """``_cn_int("十五") -> 15``; ``_cn_int("两") -> 2``; ``_cn_int("12") -> 12``."""
    if s.isdigit():
        return int(s)
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN.get(a, 1) if a else 1) * 10 + (_CN.get(b, 0) if b else 0)
    return _CN.get(s)


def _year_of(s: str | None) -> int | None:
    """The year a matched year string names: ``_year_of("2023") -> 2023``; ``"二〇二三"`` → 2023; ``"\\ufffd021"`` → 2021."""
    if not s:
        return None
    if s[0] in "?？\ufffd":
        return 2000 + int(s[2:]) if s[1:].isdigit() else None
    if s.isdigit():
        return int(s)
    digits = [_CN.get(ch) for ch in s]
    return None if None in digits else int("".join(map(str, digits)))


def _clauses(sentence: str) -> list[int]:
    """Delimiter positions of a sentence: ``_clauses("甲，乙。") -> [1, 3]``."""
    return [m.start() for m in _DELIM_RE.finditer(sentence)]


def _clause_of(pos: list[int], p: int) -> int:
    """Index of the clause holding position ``p``: ``_clause_of([1, 3], 2) -> 1``."""
    return bisect_right(pos, p - 1) if p > 0 else 0


def _clause_start(sentence: str, pos: list[int], c: int) -> int:
    """Where clause ``c`` starts, past the delimiter, spaces and lead characters (自, 从 …)."""
    i = pos[c - 1] + 1 if c > 0 else 0
    while i < len(sentence) and (sentence[i] in " \u3000\u00a0“\"（(" or sentence[i] in _LEAD):
        i += 1
    return i


def time_words(sentence: str, pos: list[int] | None = None) -> list[_Word]:
    """The time words of one sentence, left to right (at a position, the first rule of ``periods.json`` that matches).

    ``[(w.kind, w.governs) for w in time_words("今年以来，销售额10亿元，累计达到50亿元。")]`` →
    ``[("since_relative", True), ("cumulative", True)]``
    """
    if pos is None:
        pos = _clauses(sentence)
    found: list[_Word] = []
    if _NEEDS.isdisjoint(sentence):
        return found  # none of the characters a time word holds
    for m in _RULES_RE.finditer(sentence):
        s, e = m.span()
        if s == e:
            continue
        i = int((m.lastgroup or "r0")[1:])
        kind, word = _KINDS[i], m.group()
        if kind == "plan":
            if sentence[e:e + 1] and sentence[e:e + 1] in _NOT_PLAN_AFTER.get(word, ""):
                continue
            if s > 0 and sentence[s - 1] in _NOT_PLAN_BEFORE.get(word, ""):
                continue
        anchor = s + 1 if sentence[s] in "?？\ufffd" else s
        c = _clause_of(pos, anchor)
        if (kind == "plan" and word in _PLAN_NOT_INITIAL and anchor <= _clause_start(sentence, pos, c)
                and not sentence.startswith(_PLAN_WILL, e)):
            continue  # 将 opening a clause is 把 (将优质医疗服务送到…), not "will"
        suffix = f"__{i}"
        groups = {k[: -len(suffix)]: v for k, v in m.groupdict().items() if v and k.endswith(suffix)}
        found.append(_Word(kind, anchor, e, c, groups, text=word))
    found.sort(key=lambda w: w.start)
    prev: _Word | None = None
    for w in found:
        cs = _clause_start(sentence, pos, w.clause)
        ce = pos[w.clause] if w.clause < len(pos) else len(sentence)
        opens = w.start <= cs
        ends = w.end >= ce  # 阳春三月，… ; 第十一批援疆干部入疆以来，…
        w.governs = (opens or ends) and w.kind not in ("plan", "stock", "base", "done")
        if (w.kind == "month" and not w.groups and prev is not None and prev.kind == "month" and prev.groups
                and prev.clause == w.clause and w.start - prev.end <= 2):
            w.groups = dict(prev.groups)  # 今年6月和9月: both this year's
        prev = w
    return found


class _Report:
    """Reading state of one report: publish year, reference year, the year last spoken of."""

    def __init__(self, publish_year: int | None, ref_year: int | None, publish_month: int | None = None):
        self.pub, self.ref, self.month = publish_year, ref_year, publish_month
        self.last_year: int | None = publish_year
        self.seen_year = False

    def resolve(self, w: _Word, sentence: str, words: list[_Word]) -> _Period:
        g, k, pub = w.groups, w.kind, self.pub
        if k == "plan_period":  # 十二五期间 in 2016: 2011-2015; 十四五以来 in 2023: 2021-2023
            first = _PLAN_PERIODS.get(g.get("pp", ""))
            last = None if first is None else first + _PLAN_YEARS - 1
            end = last if pub is None or (last is not None and last < pub) else pub
            return _Period("cumulative", first, end, last)
        if k == "year_range":  # 2014年至2016年: cumulative over those years (a range still to come: a plan)
            y, y2 = _year_of(g.get("y")), _year_of(g.get("y2"))
            if y2 is not None and pub is not None and y2 > pub:
                return _Period("plan", y, y2, y2)
            return _Period("cumulative", y, y2)
        if k in ("base", "done"):
            return _Period(k)  # a comparison base (比上年) names no period; 已 is read against the period around it
        if k == "since":
            y = _year_of(g.get("y"))
            ref = pub if pub is not None else self.ref
            if y is not None and ref is not None and y >= ref:
                return _Period("to_date", y, y)
            return _Period("cumulative", y, pub)
        if k == "since_relative":
            off = _REL.get(g.get("rel", ""), 0)
            if off >= 0:
                return _Period("to_date", pub, pub)
            return _Period("cumulative", None if pub is None else pub + off, pub)
        if k == "as_of":
            y = pub
            for o in words:  # 截至2023年底, 截至去年11月底: the year that follows in its clause
                if o.clause == w.clause and o.start >= w.end and o.kind in ("year", "month", "relative_year", "months"):
                    y = self._attached_year(o) or y
                    break
            return _Period("to_date", y, y, as_of=True)
        if k == "months":
            y = self._attached_year(w)
            y = y if y is not None else pub
            return _Period("to_date", y, y)
        if k == "month":
            y = self._attached_year(w)
            if y is not None or g.get("rel"):
                self._spoken(y)
                return _Period("year", y, y)
            return _Period("to_date", pub, pub)
        if k == "year":
            y = _year_of(g.get("y"))
            if y is not None and pub is not None and y > pub:
                return _Period("plan", y, y)  # a year still to come
            self._spoken(y)
            return _Period("year", y, y)
        if k == "relative_year":
            y = None if pub is None else pub + _REL.get(g.get("rel", ""), 0)
            if y is not None and pub is not None and y > pub:
                return _Period("plan", y, y)
            self._spoken(y)
            return _Period("year", y, y)
        if k == "whole_year":
            y = self.last_year
            return _Period("year", y, y)
        if k == "years_back":
            n = _cn_int(g.get("n", ""))
            if n == 1 and not g.get("more") and pub is not None:  # 一年来: the year just ended early in a year
                y = pub - 1 if self.month is not None and self.month <= _ONE_YEAR_MONTH else pub
                return _Period("year", y, y)
            if n is None or pub is None:
                return _Period("cumulative", None, pub)
            return _Period("cumulative", pub - n + (0 if g.get("more") else 1), pub)
        if k == "cumulative":  # 新一轮对口援疆以来: the round's first year (periods.json named_starts)
            start = next((y for name, y in _NAMED_STARTS.items() if name in w.text), None)
            return _Period("cumulative", start, pub)
        if k == "plan":
            for o in words:  # the target year stated after it in its clause
                if o.clause == w.clause and o.start >= w.end and o.kind in ("year", "since"):
                    y = _year_of(o.groups.get("y"))
                    return _Period("plan", y, y)
            return _Period("plan")
        return _UNSPEC  # stock

    def _attached_year(self, w: _Word) -> int | None:
        if w.groups.get("y"):
            return _year_of(w.groups["y"])
        if w.groups.get("rel"):
            return None if self.pub is None else self.pub + _REL.get(w.groups["rel"], 0)  # 年内: this year
        return None

    def _spoken(self, y: int | None) -> None:
        self.last_year, self.seen_year = y, True


def _combine(own: list[tuple[_Word, _Period]], at: int | None, inherited: _Period,
             cum_source: _Period | None = None, same_sentence: bool = True, pub: int | None = None,
             scene_here: bool = True) -> _Period:
    """The period of a figure at sentence offset ``at`` from its clause's own time words and the period carried in.

    Plan words win (a plan with no target year of its own is made for the year, or plan period, stated around it);
    then 现有 before the figure (a stock: no period); then the dated word nearest before the figure (else the first
    after it; a year inside a to-date scope of that same year stays to date); then a cumulative word, its start
    taken from a cumulative period carried in; a clause with only 已 (done so far) turns a plan, or the publish
    year, carried in into the part of that year done to date.
    ``_combine([], None, _Period("year", 2023, 2023)) -> _Period("year", 2023, 2023)``"""
    own = [(w, p) for w, p in own if w.kind != "base"]
    if not own:
        return inherited
    plan = [p for w, p in own if w.kind == "plan" or p.period == "plan"]
    if plan:
        dated_plan = [p for p in plan if p.start is not None or p.end is not None]
        if dated_plan:
            return dated_plan[0]
        for _w, p in own:  # 今年暑期…将组织; 全年计划资金; “十四五”期间…将再投入
            if p.plan_end is not None:
                return _Period("plan", p.start, p.plan_end)
            if p.period == "year" and p.start is not None:
                return _Period("plan", p.start, p.start)
        if inherited.plan_end is not None:
            return _Period("plan", inherited.start, inherited.plan_end)
        if inherited.period in ("year", "to_date") and inherited.start is not None:
            return _Period("plan", inherited.start, inherited.start)
        if inherited.period == "plan":
            return inherited
        return plan[0]
    if any(w.kind == "stock" and (at is None or w.start <= at) for w, _p in own):
        return _UNSPEC
    if all(w.kind == "done" for w, _p in own):  # 计划新建项目1168个，已开工1079个: the part done to date
        if inherited.period == "plan":
            if inherited.plan_end is not None and inherited.start != inherited.plan_end:
                return _Period("cumulative", inherited.start, pub)
            y = inherited.start if inherited.start is not None else pub
            return _Period("to_date", y, y)
        if inherited.period == "year" and pub is not None and inherited.start == pub:
            return _Period("to_date", pub, pub)
        return inherited
    cum = [(w, p) for w, p in own if w.kind in _CUMULATIVE]
    dated = [(w, p) for w, p in own if w.kind in _DATED]
    as_of = [p for w, p in dated if w.kind == "as_of"]
    if as_of and cum:  # 截至2023年底累计…: cumulative up to that date
        return _Period("cumulative", cum[0][1].start, as_of[0].end)
    if dated:
        before = [(w, p) for w, p in dated if at is None or w.start <= at]
        got = (before[-1] if before else dated[0])[1]
        if got.period == "year" and got.start is not None:  # 截至10月底，…今年…到疆96.4亿元: this year to date
            spans = [(w, p) for w, p in dated if w.kind in ("as_of", "months") and p.start == got.start]
            if spans or (scene_here and inherited.period == "to_date" and inherited.start == got.start):
                return _Period("to_date", got.start, got.start, as_of=any(w.kind == "as_of" for w, _p in spans))
        return got
    if cum:
        w, p = cum[0]
        if same_sentence and inherited.as_of and inherited.period == "to_date":
            return _Period("cumulative", p.start, inherited.end)  # 截至2023年底，浙江累计实施…: the running total then
        if (same_sentence and inherited.period in ("year", "to_date")
                and all(sentence_word(x) in _WITHIN_YEAR for x, _p in cum)):
            return inherited  # 2023年，…累计投入1.2亿元: that year's total (a year of an earlier sentence does not reach)
        src = inherited if inherited.period == "cumulative" else cum_source
        if p.start is None and src is not None and src.start is not None:
            return _Period("cumulative", src.start, src.end if src.end is not None else p.end)
        return p
    return inherited


def _ref_year(text: str, publish_year: int | None) -> int | None:
    """The report's own year: its publish year, else the year it names most often (the later on a tie)."""
    if publish_year is not None:
        return publish_year
    years = Counter(y for m in re.finditer(_YEAR, text) if (y := _year_of(m.group())) is not None)
    return max(years, key=lambda y: (years[y], y)) if years else None


def _title_end(text: str) -> int:
    """Where a report's title block ends: its first line when that reads as a title (short, no sentence end), with
    the subtitle lines after it that open with a dash; 0 when the text opens on a paragraph.
    ``_title_end("湖州援疆十年成绩单\n十年来，两地携手。") -> 9``"""
    end, start = 0, 0
    for k, line in enumerate(text.split("\n")):
        body = line.strip()
        if not body or len(body) > _TITLE_MAX or _SENTENCE_END & set(body):
            break
        if k and not body.startswith(("—", "--", "－")):
            break
        end = start + len(line)
        start = end + 1
    return end


def _frame(text: str, all_sentences: list[tuple[int, int]], pub: int | None, month: int | None) -> _Period | None:
    """The time frame a report sets for its figures with no time word of their own: the one its title names
    (``江苏援伊十年``, ``五年投入``, ``2013年1—10月…进展情况``, ``19省市2024年…``), made exact by the time word that opens the
    body's first sentence (``2010年以来``, ``2014年至2016年``, ``“十二五”期间``); with no title frame, a body that opens
    on a span of time (``今年以来，…``, ``十年来，…``) sets it. A plan or a single date is no frame.
    ``_frame("江苏援伊十年\n2010年以来，江苏累计投入108亿元。", [(0, 6), (7, 27)], 2020, 11)`` → ``_Period("cumulative", 2010, 2020)``"""
    rep = _Report(pub, pub, month)
    t_end = _title_end(text)
    title: _Period | None = None
    if t_end:
        head = text[:t_end]
        words = time_words(head)
        for w in words:
            if w.kind in _FRAME_KINDS or w.kind in ("year", "relative_year"):
                title = rep.resolve(w, head, words)
                break
        if title is None and _TITLE_YEARS_RE is not None and pub is not None:
            m = _TITLE_YEARS_RE.search(head)
            n = _cn_int(m.group("n")) if m else None
            if m and n is not None and 1 < n <= 30:  # 江苏援伊十年, 三年投入, 闽昌携手十二载
                title = _Period("cumulative", pub - n + (0 if m.group("more") else 1), pub)
    lead: _Period | None = None
    for ss, se in all_sentences:
        if ss < t_end:
            continue
        sentence = text[ss:se]
        if sum(1 for ch in sentence if "\u4e00" <= ch <= "\u9fff") < 4:
            continue  # a date line, a byline
        words = time_words(sentence)
        if words and (words[0].kind in _FRAME_KINDS or words[0].kind in _LEAD_YEAR_KINDS) \
                and (words[0].governs or _after_subject(sentence, words[0])) and _opens_body(sentence, words[0]):
            lead = rep.resolve(words[0], sentence, words)
        elif _before_account(sentence):
            continue
        break
    if lead is not None and lead.period == "plan":
        lead = None
    if title is None or title.period == "plan":
        return lead
    if lead is not None and lead.period == title.period and lead.start is not None:
        return lead
    if lead is not None and title.period == "year" and lead.period == "to_date" and lead.start == title.start:
        return lead  # 今年转移就业… + 今年以来，…: the year so far
    return title


def _before_account(sentence: str) -> bool:
    """Whether a sentence before the body's first frame word is still the page's head, not the account: a line with
    no sentence end that is a title (no figure) or a stamp holding a page label (``Mar 5, 2024 10:20 来源：河北日报``).
    ``_before_account("苏霍携手 产业园区亮点纷呈") -> True``; ``_before_account("财政资金投入80多亿元") -> False``;
    ``_before_account("走进社区，老人们在下棋。") -> False`` (a scene opens the body: no frame is looked for past it)"""
    if _SENTENCE_END & set(sentence) or len(sentence.strip()) > _TITLE_MAX:
        return False
    return not _DIGIT_RE.search(sentence) or any(w in sentence for w in _LABEL_WORDS)


def _opens_body(sentence: str, w: _Word) -> bool:
    """Whether a time word opens the body's first sentence: in its first clause, or after a first clause holding
    no figure (its subject: ``广东省对口支援新疆伽师县，2017年以来累计投入…``).
    ``_opens_body("广东省对口支援伽师县，2017年以来累计投入26.3亿元", time_words("广东省对口支援伽师县，2017年以来累计投入26.3亿元")[0]) -> True``"""
    if w.clause == 0:
        return True
    return w.clause == 1 and not _DIGIT_RE.search(sentence, 0, w.start)


def _after_subject(sentence: str, w: _Word) -> bool:
    """Whether a ``since`` word follows only the short subject of its clause (``北京自2016年起在和田推行…``): the body
    opens on it. ``_after_subject("北京自2016年起推行", time_words("北京自2016年起推行")[0]) -> True``"""
    head = sentence[:w.start]
    return w.kind == "since" and w.clause == 0 and 0 < len(head) <= _SUBJECT_MAX and not _DIGIT_RE.search(head)


def _title_dated(text: str) -> bool:
    """Whether the report's title names a time: ``_title_dated("19省市2024年援疆工作回顾\n…") -> True``."""
    t_end = _title_end(text)
    return bool(t_end) and bool(time_words(text[:t_end]))


_DIGIT_RE: Final = re.compile("[0-9０-９]")
_LABEL_WORDS: Final = tuple(load_json("page_lines.json")["labels"]["words"])  # 来源, 发布时间, 编辑 …
_RESPECTIVE: Final = "分别"
_SUBJECT_MAX: Final = int(_P.get("lead_subject_max_chars", 8))
_LEAD_YEAR_KINDS: Final = frozenset(_P.get("lead_frame_year_kinds", ()))


def _blocks(text: str) -> list[int]:
    """Per line, the block its time scene carries through: a paragraph, or a run of short lines with no sentence end
    (a poster page's one figure per line); ``_blocks("累计\n投入5亿元\n建成3所。") -> [0, 0, 2]``."""
    out: list[int] = []
    prev_short = False
    for k, line in enumerate(text.split("\n")):
        body = line.strip()
        short = bool(body) and len(body) <= _SHORT_LINE and not (_SENTENCE_END & set(body))
        out.append(out[-1] if (k and prev_short and short) else k)
        prev_short = short
    return out


def periods(text: str, sentences: list[tuple[int, int]], mentions: list[tuple[int, int, int, bool]],
            publish_date: str | None, percents: list[bool] | None = None) -> list[_Period]:
    """Period of each mention ``(sentence_start, sentence_end, start, is_growth_rate)``, reading every sentence of the report in order
    (``sentences``: all of them, figures or not, so a year named earlier is known to 全年 and a paragraph's
    opening time word reaches its next sentences). ``percents``: which mentions are percentages (a share,
    ``占…的91.3%``, has the period of the figure it is a share of).

    A time word in the middle of a clause also reaches the next clauses of its sentence that hold figures
    (``江苏累计引进企业500家，到位资金620亿元``); a report's frame (``_frame``) is the period of a figure nothing else
    dates.

    ``[p.period for p in periods("2023年投入5亿元。\\n累计投入9亿元。", [(0, 11), (12, 20)], [(0, 11, 7, False), (12, 20, 16, False)], None)]``
    → ``["year", "cumulative"]``
    """
    pub = int(publish_date[:4]) if publish_date and publish_date[:4].isdigit() else None
    month = int(publish_date[5:7]) if publish_date and publish_date[5:7].isdigit() else None
    rep = _Report(pub, _ref_year(text, pub), month)
    by_sentence: dict[int, list[int]] = {}
    for i, m in enumerate(mentions):
        by_sentence.setdefault(m[0], []).append(i)
    for idx in by_sentence.values():
        idx.sort(key=lambda i: mentions[i][2])
    all_sentences = sorted(set(sentences) | {(m[0], m[1]) for m in mentions})
    newlines = [m.start() for m in re.finditer("\n", text)]
    blocks = _blocks(text)
    frame = _frame(text, all_sentences, pub, month)
    frame_cum = frame if frame is not None and frame.period == "cumulative" else None
    out: list[_Period] = [_UNSPEC] * len(mentions)
    carry, carry_par = _UNSPEC, -1  # the period a paragraph's opening sentence hands on, and that paragraph
    prev_period = _UNSPEC  # of the last sentence with figures (本次, 此次 point back to it)
    for ss, se in all_sentences:
        sentence = text[ss:se]
        line = bisect_right(newlines, ss - 1) if ss > 0 else 0
        par = blocks[line] if line < len(blocks) else line
        if par != carry_par:
            carry = _UNSPEC
        pos = _clauses(sentence)
        words = time_words(sentence, pos)
        resolved = [(w, rep.resolve(w, sentence, words)) for w in words]
        if frame_cum is not None and frame_cum.start is not None and frame_cum.end is not None:
            # 五年来 in a report framed on “十二五”期间 (2011-2015) means those five years
            span = frame_cum.end - frame_cum.start
            resolved = [(w, frame_cum.copy() if w.kind == "years_back" and p.period == "cumulative" and p.start is not None
                         and p.end is not None and p.end - p.start == span else p) for w, p in resolved]
        # a paragraph's cumulative scene lends only its start year to a sentence's own 累计 (not a period to all),
        # unless the report's frame already says its figures are cumulative
        cum_source: _Period | None
        if carry.period == "cumulative" and frame is None:
            inherited, cum_source = _UNSPEC, carry
        else:
            inherited, cum_source = carry, frame_cum
        if inherited.period == "unspecified" and frame is not None:
            inherited = frame
        if not [w for w in words if w.kind != "base"] and _ANAPHORS and any(a in sentence for a in _ANAPHORS):
            inherited = prev_period
        by_clause: dict[int, list[tuple[_Word, _Period]]] = {}
        for w, p in resolved:
            by_clause.setdefault(w.clause, []).append((w, p))
        mine = by_sentence.get(ss, ())
        first_fig = min((mentions[i][2] - ss for i in mine), default=len(sentence))
        fig_clauses = {_clause_of(pos, mentions[i][2] - ss) for i in mine}
        share_clauses = {c for i in mine if percents is not None and percents[i]
                         for c in [_clause_of(pos, mentions[i][2] - ss)]
                         if any(sentence.rfind(mk, _clause_start(sentence, pos, c), mentions[i][2] - ss) >= 0
                                for mk in _SHARE)}
        clause_in: list[_Period] = []  # the period carried into each clause
        own_scene: list[bool] = []  # whether it was set by a word of this sentence (not the paragraph's)
        cur, mine_set = inherited, False
        run: _Period | None = None  # a mid-clause word's period, reaching the next clauses while they hold figures
        for c in range(len(pos) + 1):
            clause_in.append(run if run is not None else cur)
            own_scene.append(mine_set)
            own = [(w, p) for w, p in by_clause.get(c, []) if w.kind != "base"
                   and not (c in share_clauses and (w.kind == "plan" or p.period == "plan"))]  # 占…计划资金的91.3%
            if any(w.governs or w.kind == "stock" for w, _p in own):
                cur, mine_set, run = _combine(own, None, clause_in[c], cum_source, mine_set, pub, mine_set), True, None
            elif own and (c in fig_clauses or any(w.kind == "plan" and w.start <= _clause_start(sentence, pos, c)
                                                  for w, _p in own)):
                # (预计到2025年底，…将超过200家: a clause opening on a plan word, with no figure, dates the figure clause
                # after it; 落实五年规划任务，引导84名… names a plan it does not open on)
                run = _combine(own, None, clause_in[c], cum_source, mine_set, pub, mine_set)
            elif c not in fig_clauses:
                run = None
        for k, i in enumerate(mine):
            a = mentions[i][2] - ss
            c = _clause_of(pos, a)
            cs = _clause_start(sentence, pos, c)
            own = by_clause.get(c, [])
            real = [(w, p) for w, p in own if w.kind != "base"]
            share = -1
            if percents is not None and percents[i]:
                share = max((sentence.rfind(mk, cs, a) for mk in _SHARE), default=-1)
            if share >= 0:  # 占全年计划资金105.6亿元的91.3%: a share of the figure before 占, in its period
                before = [j for j in mine[:k] if mentions[j][2] - ss < share]
                out[i] = out[before[-1]] if before else _combine(
                    [(w, p) for w, p in real if w.kind != "plan" and p.period != "plan"], a, clause_in[c], cum_source,
                    own_scene[c] and k == 0, pub)
            elif not real and k > 0 and mentions[i][3]:
                prev = out[mine[k - 1]]  # 同比增长70%: the growth of the figure before it
                base_year = next((_year_of(w.groups.get("y")) for w, _p in own if w.kind == "base" and w.groups.get("y")),
                                 None)
                if (base_year is not None and prev.period == "year" and prev.start is not None
                        and base_year < prev.start):  # 比2010年增长83.5%: growth over the years since
                    out[i] = _Period("cumulative", base_year, prev.end)
                else:
                    out[i] = prev
            else:  # 累计 sums within the sentence's scene only before any figure of it
                out[i] = _combine(own, a, clause_in[c], cum_source, own_scene[c] and k == 0, pub, own_scene[c])
            if out[i] is frame and any(sentence.rfind(mk, 0, a) >= 0 for mk in _NO_FRAME):
                out[i] = _UNSPEC  # 存栏1.2万头, 年产值超过6亿元: a stock or a yearly rate, not a sum over the frame
        if mine:
            prev_period = out[mine[-1]]
        # the scene a sentence sets before its first figure reaches the next sentences of the paragraph
        scene = [w for w, _p in resolved if w.governs and w.end <= first_fig]
        if scene:
            c = _clause_of(pos, scene[-1].start)
            head = _combine(by_clause[c], None, clause_in[c], None, True, pub)
            carry, carry_par = (head, par) if head.period != "plan" else (_UNSPEC, par)
    if frame is not None and frame.period in ("year", "to_date") and frame.end is not None and pub is not None \
            and frame.end < pub and (frame.period == "to_date" or _title_dated(text)):
        # a review of last year (19省市2024年…, published 2025): its running totals end then (a body opening on a
        # year, 2023年，…, frames its figures on that year but is no review: 以来累计 still runs to the publish year)
        out = [_Period(p.period, p.start, frame.end, p.plan_end) if p.period == "cumulative" and p.end == pub else p
               for p in out]
    return [p.copy(framed=True) if frame is not None and p is frame else p for p in out]


# ---- scope -------------------------------------------------------------------------------------------


def context_clauses(sentence: str) -> list[bool]:
    """Per clause of a sentence, whether its figures are context (the setting, not the aid).

    ``context_clauses("推动疏附县1-9月完成外贸进出口额11.83亿元，同比增长70%。")`` → ``[True, True]``
    """
    pos = _clauses(sentence)
    bounds = [(pos[c - 1] + 1 if c > 0 else 0, pos[c] if c < len(pos) else len(sentence)) for c in range(len(pos) + 1)]
    out, cur = [], False
    for a, b in bounds:
        clause = sentence[a:b]
        own = _CONTEXT_RE.search(clause) is not None and not any(w in clause for w in _AID_RESULTS)
        if not own:
            for v in _STOCK_VERBS:
                k = clause.find(v)
                if k > 0 and places.recipients_in(clause[:k]) and not any(w in clause for w in _AID_CUES):
                    own = True
                    break
        if own:
            cur = True
        elif cur and any(w in clause for w in _AID_CUES):
            cur = False
        out.append(cur)
    return out


# ---- donor -------------------------------------------------------------------------------------------


def _is_venue(text: str, start: int, end: int) -> bool:
    """A place named only as where something is held: ``_is_venue("推介会在深圳举办", 4, 6) -> True``."""
    if not text[max(0, start - 2):start].endswith(_VENUE_BEFORE):
        return False
    return any(v in text[end:end + _VENUE_WINDOW] for v in _VENUE_VERBS)


def _place_spans(sentence: str) -> list[tuple[int, int, str]]:
    """``(start, end, surface)`` of every place named: ``_place_spans("赴上海、江苏") -> [(1, 3, "上海"), (4, 6, "江苏")]``."""
    return [(pm.start, pm.end, pm.surface) for pm in places.find_places(sentence)]


def _is_destination(sentence: str, start: int, ends: dict[int, int]) -> bool:
    """A place people go to: right after 赴/到/前往, or in a list of places after one (``ends``: place end -> start).
    ``_is_destination("赴上海、江苏等地", 4, {3: 1, 6: 4}) -> True``"""
    j = start
    while j > 0:
        ch = sentence[j - 1]
        if ch in _JOIN:
            j -= 1
        elif j in ends:
            j = ends[j]
        else:
            return ch in _DEST
    return False


def _joint(sentence: str, found: list[tuple[int, int, str]], at: int | None) -> bool:
    """Whether the donor named last before offset ``at`` (any, for ``None``) is one of a list of donors of several
    provinces joined only by list joiners (、和与及): ``_joint("北京、天津三省市投入5亿元", [(0, 2, "北京"), (3, 5, "天津")],
    12) -> True``."""
    groups: list[list[tuple[int, int, str]]] = []
    for f in found:
        if groups and all(ch in _JOIN for ch in sentence[groups[-1][-1][1]:f[0]]):
            groups[-1].append(f)
        else:
            groups.append([f])
    for g in groups:
        if at is not None and not (g[0][0] < at and not any(f[0] < at for f in found if f[0] > g[-1][0])):
            continue
        if len({places.donor_province(d) for _s, _e, d in g}) > 1:
            return True
    return False


def sentence_donor(sentence: str, report_donor: str | None, at: int | None = None) -> str | None:
    """The most specific donor a sentence names for a figure at offset ``at``, or ``None`` when it names none
    (venues and route starts skipped).

    A city of the report donor's province beats the province (济宁 in a 山东 report); a province that is the report
    donor city's own stays the report donor (广东 in a 广州 report → 广州). A sentence naming donors of several
    provinces gives each figure the donor named last before it (else first after it).
    ``sentence_donor("山东省农业科学院和济宁市农业科学院的专家", "山东")`` → ``"济宁"``;
    ``sentence_donor("粤新同心健康同行项目", "广州")`` → ``"广州"``; ``sentence_donor("开通济南到喀什直飞航班", "山东")`` → ``None``;
    ``sentence_donor("北京援疆投入10亿元，上海援疆投入12亿元", None, 15)`` → ``"上海"``
    """
    spans = {e: s for s, e, _r in _place_spans(sentence)}
    found = [(s, e, d) for s, e, d, _ent in places.donor_places(sentence)
             if not _is_venue(sentence, s, e) and not sentence.startswith(_ROUTE, e)
             and not _is_destination(sentence, s, spans)]
    if not found:
        return None
    if report_donor is None and _joint(sentence, found, at):
        return None  # 上海、广东、山东、深圳四个对口省市…逾200亿元: the figure of them all, no one donor's
    if report_donor is None and at is not None and not any(f[0] < at for f in found) and _joint(sentence, found, None):
        return None  # 到疆率达到80%以上的有6个省市，分别为黑龙江省、山西省…: a list after the figure says who, not whose
    named = [(s, d) for s, _e, d in found]
    # donors of several provinces named as givers (北京援疆投入…，上海援疆投入…): each figure takes the one before it
    givers = [(s, d) for s, e, d in found if any(w in sentence[e:e + _AID_WINDOW] for w in _AID_MARKERS)]
    if at is not None and len({places.donor_province(d) for _s, d in givers}) > 1:
        before = [(s, d) for s, d in givers if s < at]
        near = places.donor_province((before[-1] if before else givers[0])[1])
        named = [(s, d) for s, d in named if places.donor_province(d) == near]
    elif at is not None and len({places.donor_province(d) for _s, d in named}) > 1:
        # 上海援疆资金20.4亿元，广东15.1亿元，山东12.3亿元: a figure whose own clause names a donor is that donor's
        cs = max((m.end() for m in _DELIM_RE.finditer(sentence, 0, at)), default=0)
        own = [(s, d) for s, d in named if cs <= s < at]
        if len({d for _s, d in own}) == 1:  # (上海、广东两省市…50亿元 names two in its clause: no one donor's)
            named = [(s, d) for s, d in named if d == own[-1][1]]
    names = [d for _s, d in named]
    if report_donor:
        prov = places.donor_province(report_donor)
        same = [d for d in names if places.donor_province(d) == prov]
        own_cities = [(s, d) for s, e, d in found if places.donor_province(d) == prov and d != prov
                      and any(w in sentence[e:e + _AID_WINDOW] for w in _AID_MARKERS)]  # named as givers
        if at is not None and len({d for _s, d in own_cities}) > 1:
            # 宁波援建库车…4.6亿元，嘉兴援建沙雅…3.1亿元: each figure takes the city named last before it
            prior = [d for s, d in own_cities if s < at]
            return prior[-1] if prior else own_cities[0][1]
        if same:
            cities = [d for d in same if places.donor_province(d) != d]
            if report_donor in same and places.donor_province(report_donor) != report_donor:
                return report_donor  # the report's own city is named
            return cities[0] if cities else report_donor
    cities = [d for d in names if places.donor_province(d) != d]
    first_prov = places.donor_province(names[0])
    for d in cities:
        if places.donor_province(d) == first_prov:
            return d
    return names[0]


def respective_donors(sentence: str, offsets: list[int]) -> dict[int, str]:
    """Donors given figure by figure by a ``分别`` list: the donors named before the sentence's last 分别, in order,
    to the figures after it, when they are as many (two or more).
    ``respective_donors("江苏、浙江两省分别到位资金9.8亿元、8.6亿元", [13, 19]) -> {13: "江苏", 19: "浙江"}``"""
    k = sentence.rfind(_RESPECTIVE)
    if k < 0:
        return {}
    figs = sorted(a for a in offsets if a > k)
    names: list[str] = []
    for s, e, d, _ent in places.donor_places(sentence[:k]):
        if d not in names and not _is_venue(sentence, s, e):
            names.append(d)
    if len(figs) < 2 or len(names) != len(figs):
        return {}
    return dict(zip(figs, names))


def _specific(donor: str | None, report_donor: str | None) -> str | None:
    """A donor from metric extraction (a province for a donor-side city) made as specific as the report's:
    ``_specific("浙江", "湖州") -> "湖州"``; ``_specific("上海", "湖州") -> "上海"``."""
    if donor is None:
        return None
    if report_donor and (donor == report_donor or donor == places.donor_province(report_donor)
                         or places.donor_of(donor) == places.donor_of(report_donor)):
        return report_donor
    return donor


# ---- part_of -----------------------------------------------------------------------------------------


def _group(unit: str) -> str:
    return _UNIT_GROUPS.get(unit, unit)


def _bracket_close(sentence: str, at: int) -> int | None:
    """Where the bracket holding offset ``at`` closes, or ``None`` when ``at`` is in no bracket:
    ``_bracket_close("6个（其中4个）", 3) -> 7``."""
    for i in range(at - 1, -1, -1):
        ch = sentence[i]
        if ch in _BRACKETS.values():
            return None
        if ch in _BRACKETS:
            j = sentence.find(_BRACKETS[ch], at)
            return None if j < 0 else j
    return None


def _lower_bound(text: str, m: FactInput) -> bool:
    """Whether a figure is a lower bound (逾200亿元, 500余家): ``_lower_bound("逾200亿元", FactInput(1, 7, 2e10, "CNY",
    "funding", 0, 7)) -> True``."""
    return text[max(0, m.start - 2):m.start].endswith(_LOWER_BEFORE) or any(w in text[m.start:m.end]
                                                                             for w in _LOWER_INSIDE)


def parts(text: str, ms: list[FactInput], donors: list[str | None], pers: list[_Period]) -> list[int | None]:
    """Index of the whole each mention breaks down, or ``None``.

    * after ``其中``/``包括``/``包含`` in a sentence: figures of the same unit (group) after the marker are parts of
      the last such figure before it (in the sentence, else in the sentence before), each no larger than it;
      a sentence opening with ``另外``/``此外`` right after goes on adding parts while their sum stays within;
    * a total of funding (period year or cumulative) and the spending lines of funding after it, same donor, no
      period of their own or the same year, while their running sum stays within the total.

    ``parts("投入5亿元，其中3亿元用于住房。", [FactInput(2, 5, 5e8, "CNY", "funding", 0, 16),
    FactInput(8, 11, 3e8, "CNY", "funding", 0, 16)], ["深圳", "深圳"], [_UNSPEC, _UNSPEC])`` → ``[None, 0]``
    """
    n = len(ms)
    out: list[int | None] = [None] * n
    order = sorted(range(n), key=lambda i: ms[i].start)
    sent_ids: list[tuple[int, int]] = []
    by_sent: dict[tuple[int, int], list[int]] = {}
    for i in order:
        if ms[i].unit in _NOT_PARTS:
            continue  # a share (其中七成用于民生) is neither a part nor a whole
        key = (ms[i].sentence_start, ms[i].sentence_end)
        if key not in by_sent:
            by_sent[key] = []
            sent_ids.append(key)
        by_sent[key].append(i)
    # running sums of the parts of each whole, and the wholes a continuation sentence may add to
    sums: dict[int, float] = {}
    open_wholes: dict[str, int] = {}
    for k, key in enumerate(sent_ids):
        ss, se = key
        sentence = text[ss:se]
        idx = by_sent[key]
        marks = sorted(m.start() for w in _PART_MARKERS for m in re.finditer(re.escape(w), sentence))
        continuing = sentence.lstrip("，。 “\"").startswith(_CONTINUE) and bool(open_wholes)
        new_open: dict[str, int] = {}
        if marks:
            closes = [_bracket_close(sentence, mk) for mk in marks]  # where a bracketed marker's reach ends
            prev = by_sent[sent_ids[k - 1]] if k > 0 else []
            for i in idx:
                at = ms[i].start - ss
                live = [mk for mk, cl in zip(marks, closes) if mk < at and (cl is None or at < cl)]
                if not live:
                    continue
                mk = live[-1]
                g = _group(ms[i].unit)
                cands = [j for j in idx if ms[j].start - ss < mk and _group(ms[j].unit) == g]
                if not cands:  # the whole in the sentence before: of the same kind too (of the same unit when the
                    # sentence opens with the marker: 其中2019年186名、2020年220名…)
                    opens = sentence.lstrip("，。 “\"").startswith(_PART_MARKERS) and mk == marks[0]
                    cands = [j for j in prev if _group(ms[j].unit) == g and (
                        ms[j].metric_type == ms[i].metric_type
                        or (opens and ms[j].unit == ms[i].unit and text[ms[j].end - 1] == text[ms[i].end - 1]))]
                if not cands:
                    continue
                w = cands[-1]
                if ms[i].value <= ms[w].value * _TOL and ms[i].value != ms[w].value:  # equal: a restatement
                    out[i] = w
                    sums[w] = sums.get(w, 0.0) + ms[i].value
                    new_open[g] = w
        elif continuing:
            for i in idx:
                g = _group(ms[i].unit)
                ow = open_wholes.get(g)
                if ow is not None and sums.get(ow, 0.0) + ms[i].value <= ms[ow].value * _TOL:
                    out[i] = ow
                    sums[ow] = sums.get(ow, 0.0) + ms[i].value
                    new_open[g] = ow
        open_wholes = new_open if (marks or continuing) else {}
    # spending lines after a total of funding
    for a, i in enumerate(order):
        mi = ms[i]
        if mi.unit != "CNY" or mi.metric_type not in _SPEND_TYPES or out[i] is not None:
            continue
        if pers[i].period not in _WHOLE_PERIODS or any(out[j] == i for j in range(n)):
            continue
        # a joint whole (上海、广东…四个对口省市…200亿元) is broken down by the donors its sentence names
        named = ({d for _s, _e, d, _ent in places.donor_places(text[mi.sentence_start:mi.sentence_end])}
                 if donors[i] is None else set())
        cap = mi.value * (_LOWER_SLACK if _lower_bound(text, mi) else _TOL)
        total = 0.0
        for j in order[a + 1:]:
            mj = ms[j]
            if mj.unit != "CNY" or mj.metric_type not in _SPEND_TYPES or out[j] is not None:
                continue
            if (mj.sentence_start, mj.sentence_end) == (mi.sentence_start, mi.sentence_end):
                continue
            if donors[j] != donors[i] and not (named and donors[j] is not None
                                               and (donors[j] in named or places.donor_province(donors[j]) in named)):
                continue
            if mj.value == mi.value:
                continue  # the same figure said again (a title's figure in the body): no part of itself
            pj = pers[j]
            if pj.period not in ("unspecified", pers[i].period) or (pj.period == "year" and pj.start != pers[i].start):
                break  # a figure of another period: the breakdown is over
            if total + mj.value > cap or mj.value > mi.value * _TOL:  # each part within its whole, the sum too
                break
            total += mj.value
            out[j] = i
    return out


# ---- all together ------------------------------------------------------------------------------------


def fact_fields(text: str, sentences: list[tuple[int, int]], metrics: list[FactInput], publish_date: str | None,
                report_donor: str | None) -> list[dict]:
    """The fact fields (``FACT_FIELDS``) of each metric of one report, in the order given; ``part_of`` is an index
    into ``metrics``.

    ``fact_fields("2023年投入5亿元，其中住房2亿元。", [(0, 19)], [FactInput(7, 10, 5e8, "CNY", "funding", 0, 19, "深圳"),
    FactInput(15, 18, 2e8, "CNY", "funding", 0, 19, "深圳")], "2024-01-05", "深圳")`` →
    ``[{"period": "year", "period_start": 2023, "period_end": 2023, "part_of": None, "scope": "aid", "donor": "深圳",
    "donor_province": "广东"}, {"period": "year", …, "part_of": 0, …}]``
    """
    n = len(metrics)
    if not n:
        return []
    pers = periods(text, sentences, [(m.sentence_start, m.sentence_end, m.start,
                                      m.metric_type == "growth_rate" and m.unit == "percent") for m in metrics],
                   publish_date, [m.unit == "percent" for m in metrics])
    # scope and donor, sentence by sentence (a paragraph's named donor carries to its next sentences)
    scope: list[str] = ["aid"] * n
    donors: list[str | None] = [None] * n
    order = sorted(range(n), key=lambda i: metrics[i].start)
    cache: dict[int, tuple[list[int], list[bool], str | None]] = {}
    newlines = [m.start() for m in re.finditer("\n", text)]
    carry_donor: str | None = None  # the donor the paragraph's last sentence named
    resp: dict[int, dict[int, str]] = {}  # per sentence, the donors a 分别 list gives its figures
    carry_par = -1
    for i in order:
        m = metrics[i]
        ss, se = m.sentence_start, m.sentence_end
        sentence = text[ss:se]
        if ss not in cache:
            par = bisect_right(newlines, ss - 1) if ss > 0 else 0
            if par != carry_par:
                carry_donor, carry_par = None, par
            pos = _clauses(sentence)
            cache[ss] = (pos, context_clauses(sentence), carry_donor)
            named_any = sentence_donor(sentence, report_donor)
            if named_any is not None and (report_donor is None or places.donor_province(named_any)
                                          == places.donor_province(report_donor)):
                carry_donor = named_any  # the paragraph goes on about it (another province named in passing does not)
        pos, ctx, carried = cache[ss]
        if ss not in resp:
            resp[ss] = respective_donors(sentence, [metrics[j].start - ss for j in order
                                                    if metrics[j].sentence_start == ss]) if _RESPECTIVE in sentence else {}
        c = _clause_of(pos, m.start - ss)
        is_context = ctx[c] if c < len(ctx) else False
        if _APPENDED_CONTEXT and m.section_kind == "appended" and m.donor is None:
            is_context = True
        if m.unit == "sqm" and m.value >= _REGION_AREA_MIN_SQM:
            is_context = True  # 960万平方公里, a county's 1.2万平方公里: the size of a region, not an aid work
        if is_context:
            scope[i] = "context"
            if pers[i].framed:
                pers[i] = _UNSPEC  # the setting (a county's population) is no sum over the report's years
            continue
        named = resp[ss].get(m.start - ss) or sentence_donor(sentence, report_donor, m.start - ss) or carried
        if named is not None:
            donors[i] = named
        elif m.section_kind == "appended":
            donors[i] = _specific(m.donor, report_donor)  # the donor its section names with an aid word
        else:
            donors[i] = report_donor  # None in a national summary: only a donor named near a figure counts
    # a figure restated later (开展4个试验示范推广项目 after 今年开展4个试验示范推广项目) without a time word of its own
    # is the same fact: it takes the period it had the first time
    first_seen: dict[tuple, _Period] = {}
    for i in order:
        m = metrics[i]
        key = (m.value, m.unit, text[m.end:m.end + _RESTATE_CHARS])
        if len(key[2]) < _RESTATE_CHARS:
            continue
        if pers[i].period == "unspecified" and key in first_seen:
            pers[i] = first_seen[key]
        elif pers[i].period != "unspecified":
            first_seen.setdefault(key, pers[i])
    part = parts(text, metrics, donors, pers)
    # a part without a period of its own, and the other figures of its sentence, share its whole's
    for i in range(n):
        w = part[i]
        if w is not None and pers[i].period == "unspecified":
            pw = pers[w]
            for j in range(n):
                if (metrics[j].sentence_start == metrics[i].sentence_start and pers[j].period == "unspecified"
                        and j != w):
                    pers[j] = pw
    out = []
    for i in range(n):
        p = pers[i]
        out.append({
            "period": p.period,
            "period_start": p.start,
            "period_end": p.end,
            "part_of": part[i],
            "scope": scope[i],
            "donor": donors[i],
            "donor_province": places.donor_province(donors[i]),
        })
    return out
