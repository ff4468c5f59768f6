"""Place lexicon of counterpart aid to Xinjiang (对口援疆): donors, donor-side cities, recipients.

The data lives in ``aid_pipeline/data/places.json``; this module compiles every surface form
(canonical names, aliases, donor-side cities, two-character compounds such as ``深喀``) into one
alternation regex, longest form first, so a text is scanned once.

Donor entities are the 19 donor provinces/cities plus 广州. How a donor-side city is reported:

* a city that is a donor entity itself (深圳, 广州) is reported as that city;
* any other donor-side city (东营, 济宁, 湖州 …) is reported as its province (山东, 浙江) by ``donors_in``,
  and as itself by ``specific_donors_in`` / ``donor_places`` (the most specific donor the text names), with
  ``donor_province`` giving the province for roll-ups (湖州 → 浙江, 深圳 → 广东, 山东 → 山东).

One-character aliases (鲁, 粤, 穗 …) are never matched on their own, only inside compounds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Final

from .datafiles import load_json

__all__ = [
    "PlaceMention",
    "DONORS",
    "RECIPIENTS",
    "find_places",
    "place_hits",
    "donors_in",
    "recipients_in",
    "donor_of",
    "recipients_of",
    "parent_of",
    "province_of",
    "donor_province",
    "specific_donors_in",
    "donor_places",
]


@dataclass(frozen=True)
class PlaceMention:
    """One place name found in a text; ``donor``/``recipient`` are canonical names or ``None``."""

    start: int
    end: int
    surface: str
    donor: str | None
    recipient: str | None
    donor_city: str | None = None


_DATA: Final = load_json("places.json")
DONORS: Final[tuple[str, ...]] = tuple(_DATA["donors"])
RECIPIENTS: Final[tuple[str, ...]] = tuple(_DATA["recipients"])

# surface form -> (donor entity, recipient, donor-side city)
_FORMS: Final[dict[str, tuple[str | None, str | None, str | None]]] = {}
# any known name (canonical, alias, city) -> donor entity
_DONOR_OF: Final[dict[str, str | None]] = {}
_RECIPIENT_CANON: Final[dict[str, str]] = {}


def _add(form: str, donor: str | None, recipient: str | None, city: str | None = None) -> None:
    if len(form) < 2:
        return
    _FORMS.setdefault(form, (donor, recipient, city))


for _name, _d in _DATA["donors"].items():
    _add(_name, _name, None)
    _DONOR_OF[_name] = _name
    for _a in _d.get("aliases", []):
        _add(_a, _name, None)
        _DONOR_OF[_a] = _name
    for _c in _d.get("cities", []):
        # a city listed with 市 is ambiguous without it (长治市 vs 长治久安): only the 市 form is matched
        _base = _c[:-1] if _c.endswith("市") and len(_c) > 2 else _c
        for _f in ([_c] if _c != _base else [_c, _c + "市"]):
            _add(_f, _name, None, _base)
            _DONOR_OF[_f] = _name

for _name, _r in _DATA["recipients"].items():
    _donors = _r.get("donors", [])
    _single = _donors[0] if len(_donors) == 1 else None
    for _f in [_name, *_r.get("aliases", [])]:
        _add(_f, None, _name)
        _RECIPIENT_CANON[_f] = _name
        _DONOR_OF[_f] = _single

for _form, _c in _DATA["compounds"].items():
    _add(_form, _c.get("donor"), _c.get("recipient"), _c.get("donor_city"))

# forms that are also plain geography after/before certain characters (太湖南岸, 天山东部)
_REJECT: Final[dict[str, tuple[frozenset[str], frozenset[str]]]] = {
    form: (frozenset(ctx.get("before", "")), frozenset(ctx.get("after", "")))
    for form, ctx in _DATA.get("reject_context", {}).items()
}



def longest_form_regex(forms, bucket: int = 0) -> re.Pattern:
    """One regex matching the longest of ``forms`` at each position, as a character trie.

    Same matches as ``"|".join`` of the forms longest first, but a position is tried once per
    character instead of once per form: ``longest_form_regex(["深圳", "深圳市"]).pattern`` → ``'深圳(?:市)?'``.

    ``bucket`` (for tables with hundreds of first characters): the first characters are split into groups
    of that many, each behind a lookahead for its group, so the regex engine tests a position against a
    few groups instead of walking the whole list of first characters; one lookahead in front first checks
    the first two characters (the second only when no form is one character long). Same matches.
    """
    trie: dict = {}
    for form in forms:
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        alts = [re.escape(k) + build(node[k]) for k in sorted(k for k in node if k)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: a longer form first, else end here

    firsts = sorted(k for k in trie if k)
    if bucket <= 0 or len(firsts) <= bucket or "" in trie:
        return re.compile(build(trie))

    def chars(keys) -> str:
        return "[" + "".join(map(re.escape, sorted(keys))) + "]"

    front = chars(firsts)
    if not any("" in trie[k] for k in firsts):  # every form has a second character
        front += chars({c for k in firsts for c in trie[k]})
    groups = [firsts[i : i + bucket] for i in range(0, len(firsts), bucket)]
    alts = "|".join(f"(?={chars(g)})(?:" + "|".join(re.escape(k) + build(trie[k]) for k in g) + ")" for g in groups)
    return re.compile(f"(?={front})(?:{alts})")


_PLACE_RE: Final = longest_form_regex(_FORMS, bucket=32)


def find_places(text: str) -> list[PlaceMention]:
    """Every place mention, left to right, longest form at each position.

    ``find_places("深喀合作")`` → ``[PlaceMention(0, 2, "深喀", donor="深圳", recipient="喀什市")]``
    """
    return [PlaceMention(m.start(), m.end(), g, *_FORMS[g]) for m in _matches(text) for g in (m.group(),)]


def place_hits(text: str) -> list[tuple[int, str | None, str | None]]:
    """``(start, donor, recipient)`` of every mention ``find_places`` gives, as plain tuples (no objects).

    ``place_hits("深喀合作")`` → ``[(0, "深圳", "喀什市")]``
    """
    return [(m.start(), *_FORMS[m.group()][:2]) for m in _matches(text)]


_LAST: tuple[str, list[re.Match]] = ("", [])  # the last text scanned (callers often ask twice about one sentence)


def _matches(text: str) -> list[re.Match]:
    """Matches of the place forms, minus those ``reject_context`` rules out (callers never modify the list)."""
    global _LAST
    last_text, last = _LAST
    if text == last_text:
        return last
    ms = list(_PLACE_RE.finditer(text))
    if _REJECT and ms:
        ms = [m for m in ms if m.group() not in _REJECT or not _rejected(text, m)]
    _LAST = (text, ms)
    return ms


def _rejected(text: str, m: re.Match) -> bool:
    before, after = _REJECT[m.group()]
    s, e = m.span()
    return (s > 0 and text[s - 1] in before) or (e < len(text) and text[e] in after)


def _ordered(values) -> list[str]:
    """Distinct non-None values in order of first appearance."""
    return list(dict.fromkeys(v for v in values if v is not None))


def donors_in(text: str) -> list[str]:
    """Canonical donor entities in order of first appearance.

    ``donors_in("东营援疆指挥部与深圳援疆")`` → ``["山东", "深圳"]``
    """
    return _ordered([_FORMS[m.group()][0] for m in _matches(text)])


def recipients_in(text: str) -> list[str]:
    """Canonical recipient places in order of first appearance.

    ``recipients_in("塔县和喀什市")`` → ``["塔什库尔干塔吉克自治县", "喀什市"]``
    """
    return _ordered([_FORMS[m.group()][1] for m in _matches(text)])


def donor_of(name: str) -> str | None:
    """Donor entity behind a place name (donor, donor-side city or recipient); ``None`` if unknown/shared.

    ``donor_of("疏勒县")`` → ``"山东"``; ``donor_of("湖州")`` → ``"浙江"``; ``donor_of("阿勒泰地区")`` → ``None``
    """
    name = name.strip()
    if name in _DONOR_OF:
        return _DONOR_OF[name]
    form = _FORMS.get(name)
    return form[0] if form else None


def recipients_of(donor: str) -> list[str]:
    """Recipient places paired with a donor entity (a donor-side city gives its province's list).

    ``recipients_of("广州")`` → ``["疏附县"]``
    """
    return list(_paired(_DONOR_OF.get(donor, donor)))


@lru_cache(maxsize=256)
def _paired(donor: str) -> tuple[str, ...]:
    """``recipients_of`` of a donor entity, once per entity (the place table never changes)."""
    return tuple(name for name, r in _DATA["recipients"].items() if donor in r.get("donors", []))


def parent_of(recipient: str) -> str | None:
    """Prefecture a recipient county belongs to. ``parent_of("疏勒县")`` → ``"喀什地区"``"""
    r = _DATA["recipients"].get(_RECIPIENT_CANON.get(recipient, recipient))
    return r.get("parent") if r else None


def province_of(donor: str) -> str | None:
    """Province a donor city belongs to. ``province_of("深圳")`` → ``"广东"``; ``province_of("山东")`` → ``None``"""
    d = _DATA["donors"].get(donor)
    return d.get("province") if d else None


def donor_province(name: str | None) -> str | None:
    """Province a donor name rolls up to: a donor-side city's or a donor city's province, a province itself.

    ``donor_province("湖州")`` → ``"浙江"``; ``donor_province("深圳")`` → ``"广东"``; ``donor_province("山东")`` → ``"山东"``;
    ``donor_province(None)`` → ``None``
    """
    if not name:
        return None
    entity = _DONOR_OF.get(name, name) if name not in _DATA["donors"] else name
    if entity is None:
        return None
    d = _DATA["donors"].get(entity)
    if d is None:
        return None
    return d.get("province") or entity


def donor_places(text: str) -> list[tuple[int, int, str, str]]:
    """``(start, end, specific donor, donor entity)`` of every donor-side place named, left to right: the specific
    donor is the city when a donor-side city is named (湖州), else the donor entity (深圳, 山东).

    ``donor_places("湖州市援疆指挥部与深圳")`` → ``[(0, 3, "湖州", "浙江"), (9, 11, "深圳", "深圳")]``
    """
    out = []
    for m in _matches(text):
        donor, _recipient, city = _FORMS[m.group()]
        if donor is not None:
            out.append((m.start(), m.end(), city or donor, donor))
    return out


def specific_donors_in(text: str) -> list[str]:
    """The most specific donor names, in order of first appearance (a donor-side city as itself).

    ``specific_donors_in("东营援疆指挥部与上海市援疆干部")`` → ``["东营", "上海"]``
    """
    return _ordered(d for _s, _e, d, _ent in donor_places(text))
