"""A synthetic inbox of N reports made from the seeds: ``write_corpus('/tmp/inbox', 1000)``.

Deterministic for a given ``(n, seed, mode)``: each report takes a seed as its frame (header, title,
metadata lines), swaps some of its long paragraphs for paragraphs of other seeds, gives its figures
other digits (a number before 万/亿/元/人/个/项 … gets other digits of the same length), is written in
Traditional script for about 30% of reports (OpenCC's s2t character table) and in one of UTF-8,
UTF-8 with BOM, GB18030, Big5 (Traditional only) or UTF-16. Never committed: it goes to a temp dir.

Two modes (``CORPUS_MODES``):

* ``warehouse`` (the default): what a warehouse of many reports looks like. Each report is about one
  counterpart pair and one year: a (donor, recipient) pair of ``data/places.json`` (the 115 pairings,
  uniformly) and a year 2013-2025. Its frame is read in Simplified script, every donor, donor-city and
  recipient name and every pair abbreviation in it is replaced by the pair's names, every date year is
  moved by the same number of years (so 2023年 in a 2023 frame is the report's year, 2010年以来 moves
  with it). A paragraph's figures are drawn from the pair, the year and the paragraph: two reports on
  one pair and year that restate a paragraph state the same figures (one fact, two mentions), as
  outlets restating one press release do; one paragraph in ten gets the report's own figures (an
  update, a misprint: a conflict).
* ``recombined`` (the corpus of the earlier benches): the seeds' donors, recipients and years as they
  are and every figure drawn anew per report, so one clause of one key (donor, recipient, period,
  year) is restated with as many values as there are reports: the facts' ``conflict`` lists grow
  with N² (189,006 entries at 300 reports, 9,989,192 at 3,000), which no real warehouse does.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..text.decode import decode_bytes

CORPUS_MODES = ("warehouse", "recombined")
DEFAULT_MODE = "warehouse"
YEARS = (2013, 2025)  # the report years of the warehouse mode
OWN_FIGURES_SHARE = 0.1  # warehouse mode: share of paragraphs whose figures are the report's own
PLACES = Path(__file__).resolve().parents[1] / "data" / "places.json"

SEEDS = Path(__file__).resolve().parents[2] / "seeds"
_FIGURE = re.compile(r"(?<![\d.\-:/])\d+(?=[.．]?\d*\s?[万亿元人名个项所户家套吨亩%余多千百])")
SIMPLIFIED_ENCODINGS = (("utf-8", 50), ("utf-8-sig", 15), ("gb18030", 20), ("utf-16", 15))
TRADITIONAL_ENCODINGS = (("big5", 40), ("utf-8", 40), ("utf-16", 20))
TRADITIONAL_SHARE = 0.3


@dataclass(frozen=True)
class CorpusReport:
    """One generated report: ``CorpusReport(name='000007_3f…txt', encoding='big5', script='traditional', n_chars=4210)``.

    ``script``: ``traditional`` when the generator converted it, else ``simplified`` (the seed's own
    script is kept, and two seeds are themselves Traditional)."""

    name: str
    encoding: str
    script: str
    n_chars: int


@lru_cache(maxsize=4)
def seed_texts(seeds_dir: str = str(SEEDS)) -> tuple[str, ...]:
    """The decoded seed reports, sorted by file name."""
    paths = sorted(p for p in Path(seeds_dir).iterdir() if p.is_file() and not p.name.startswith("."))
    return tuple(decode_bytes(p.read_bytes()).text for p in paths)


@lru_cache(maxsize=1)
def _s2t_table() -> dict[int, str]:
    """Character-wise Simplified → Traditional (first candidate of OpenCC's STCharacters)."""
    import opencc  # opencc-python-reimplemented ships the dictionaries

    table = {}
    with open(os.path.join(os.path.dirname(opencc.__file__), "dictionary", "STCharacters.txt"), encoding="utf-8") as fh:
        for line in fh:
            key, _, values = line.rstrip("\n").partition("\t")
            value = values.split(" ")[0]
            if len(key) == 1 and len(value) == 1 and key != value:
                table[ord(key)] = value
    return table


_BIG5_VARIANTS = str.maketrans({"羣": "群", "爲": "為", "衆": "眾", "裏": "裡", "啓": "啟", "峯": "峰", "着": "著", "\xa0": " ", "©": "(c)"})


def _big5_ready(text: str) -> str:
    """What a Big5 page would hold: Taiwan variants (爲 → 為), toneless pinyin (ā → a), no NBSP."""
    text = text.translate(_BIG5_VARIANTS)
    return "".join(c for c in unicodedata.normalize("NFD", text) if not unicodedata.combining(c)) if not text.isascii() else text


def _pick(rng: random.Random, weighted) -> str:
    names, weights = zip(*weighted)
    return rng.choices(names, weights=weights)[0]


def _vary_figures(text: str, rng: random.Random) -> str:
    def repl(m: re.Match) -> str:
        s = m.group()
        return str(rng.randint(1, 9)) + "".join(str(rng.randint(0, 9)) for _ in s[1:])

    return _FIGURE.sub(repl, text)


@lru_cache(maxsize=1)
def _pairs_and_names() -> tuple[tuple[tuple[str, str], ...], re.Pattern, dict[str, str]]:
    """The (donor, recipient) pairings of ``data/places.json``, one regex for every place name it lists (longest
    first; one-character aliases left out, as the lexicon reads them only in compounds) and each name's role:
    ``'donor'``, ``'donor_suffixed'`` (``广东省``, ``上海市``), ``'recipient'`` or ``'compound'`` (``深喀``)."""
    import json

    data = json.loads(PLACES.read_text(encoding="utf-8"))
    pairs = tuple((d, r) for r, v in data["recipients"].items() for d in v["donors"])
    role: dict[str, str] = {}
    for name, v in data["donors"].items():
        role[name] = "donor"
        for a in v.get("aliases", []):
            if len(a) >= 2:
                role[a] = "donor_suffixed" if a[-1] in "省市" else "donor"
        for c in v.get("cities", []):
            role[c] = "donor"
            role[c + "市"] = "donor_suffixed"  # 湖州市援疆指挥部 → 江苏省援疆指挥部
    for name, v in data["recipients"].items():
        role[name] = "recipient"
        for a in v.get("aliases", []):
            if len(a) >= 2:
                role.setdefault(a, "recipient")
    for name in data.get("compounds", {}):
        role.setdefault(name, "compound")
    pattern = re.compile("|".join(re.escape(n) for n in sorted(role, key=lambda n: (-len(n), n))))
    return pairs, pattern, role


@lru_cache(maxsize=8)
def _simplified_seeds(seeds_dir: str) -> tuple[str, ...]:
    from ..text.convert import to_simplified

    return tuple(to_simplified(t) for t in seed_texts(seeds_dir))


_YEAR = re.compile(r"(?<![0-9.])(19[5-9][0-9]|20[0-9]{2})(?=年|[-/.][0-9])")


def _frame_year(text: str) -> int:
    """The year a frame speaks of most (its dates and 20XX年), the year its report is moved from."""
    from collections import Counter

    years = Counter(int(y) for y in _YEAR.findall(text))
    return years.most_common(1)[0][0] if years else YEARS[1]


def _to_pair(text: str, donor: str, recipient: str, shift: int) -> str:
    """``text`` about ``donor`` and ``recipient``: every place name of the lexicon replaced by the pair's, every date
    year moved by ``shift``: ``_to_pair('2023年深圳援疆…喀什市', '北京', '和田县', -3)`` → ``'2020年北京援疆…和田县'``."""
    _, pattern, role = _pairs_and_names()
    suffixed = donor + ("市" if donor in ("北京", "天津", "上海", "深圳", "广州") else "省")
    names = {"donor": donor, "donor_suffixed": suffixed, "recipient": recipient, "compound": donor}
    text = pattern.sub(lambda m: names[role[m.group()]], text)
    return _YEAR.sub(lambda m: str(int(m.group()) + shift), text)


def report_cell(i: int, seed: int = 0) -> tuple[str, str, int]:
    """The counterpart pair and year report ``i`` of the warehouse corpus is about: ``report_cell(0)`` → ``('浙江', '阿瓦提县', 2015)``."""
    rng = random.Random(f"{seed}:cell:{i}")
    pairs, _, _ = _pairs_and_names()
    donor, recipient = rng.choice(pairs)
    return donor, recipient, rng.randint(*YEARS)


def _report_text(i: int, seed: int, seeds_dir: str, mode: str, rng: random.Random) -> str:
    """Report ``i``'s text before its script and encoding are chosen (see the module docstring for the modes)."""
    if mode not in CORPUS_MODES:
        raise ValueError(f"corpus mode {mode!r}: one of {', '.join(CORPUS_MODES)}")
    seeds = seed_texts(seeds_dir) if mode == "recombined" else _simplified_seeds(seeds_dir)
    frame = seeds[i % len(seeds)]
    pool = [p for s in seeds for p in s.split("\n") if len(p) >= 60]
    lines = frame.split("\n")
    head = min(len(lines), 12)  # keep the frame's header, title and metadata lines as they are
    body = [rng.choice(pool) if len(line) >= 60 and rng.random() < 0.35 else line for line in lines[head:]]
    if mode == "recombined":
        return _vary_figures("\n".join(lines[:head] + body), rng)
    donor, recipient, year = report_cell(i, seed)
    shift = year - _frame_year(frame)
    out = []
    for line in lines[:head] + body:
        line = _to_pair(line, donor, recipient, shift)
        own = rng.random() < OWN_FIGURES_SHARE
        # the pair's, the year's and the paragraph's figures: the same in every report restating this paragraph
        figures = rng if own else random.Random(f"{seed}:{donor}:{recipient}:{year}:{line}")
        out.append(_vary_figures(line, figures))
    return "\n".join(out)


def make_report(i: int, seed: int = 0, seeds_dir: str = str(SEEDS), mode: str = DEFAULT_MODE) -> tuple[str, bytes, CorpusReport]:
    """Report number ``i`` of the corpus: ``(file name, bytes, description)``; the same for the same ``(i, seed, mode)``."""
    rng = random.Random(f"{seed}:{i}")
    text = _report_text(i, seed, seeds_dir, mode, rng)
    script = "traditional" if rng.random() < TRADITIONAL_SHARE else "simplified"
    if script == "traditional":
        text = text.translate(_s2t_table())
        encoding = _pick(rng, TRADITIONAL_ENCODINGS)
        if encoding == "big5":
            text = unicodedata.normalize("NFC", _big5_ready(text))
    else:
        encoding = _pick(rng, SIMPLIFIED_ENCODINGS)
    try:
        data = text.encode(encoding)
    except UnicodeEncodeError:  # a character Big5 (or GB18030) cannot hold: UTF-8 instead
        encoding = "utf-8"
        data = text.encode(encoding)
    digest = hashlib.sha1(data).hexdigest()[:12]
    name = f"{i:06d}_{digest}.txt"
    return name, data, CorpusReport(name, encoding, script, len(text))


def write_corpus(out_dir: str | os.PathLike, n: int, seed: int = 0, start: int = 0,
                 mode: str = DEFAULT_MODE) -> list[CorpusReport]:
    """Write reports ``start .. start+n-1`` into ``out_dir`` (created); returns their descriptions."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for i in range(start, start + n):
        name, data, rep = make_report(i, seed, mode=mode)
        (out / name).write_bytes(data)
        reports.append(rep)
    return reports
