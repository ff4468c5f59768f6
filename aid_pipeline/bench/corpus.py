"""A synthetic inbox of N reports recombined from the seeds: ``write_corpus('/tmp/inbox', 1000)``.

Deterministic for a given ``(n, seed)``: each report takes a seed as its frame (header, title,
metadata lines), swaps some of its long paragraphs for paragraphs of other seeds, varies the
figures (a number before 万/亿/元/人/个/项 … gets other digits of the same length), is written in
Traditional script for about 30% of reports (OpenCC's s2t character table) and in one of UTF-8,
UTF-8 with BOM, GB18030, Big5 (Traditional only) or UTF-16. Never committed: it goes to a temp dir.
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


def make_report(i: int, seed: int = 0, seeds_dir: str = str(SEEDS)) -> tuple[str, bytes, CorpusReport]:
    """Report number ``i`` of the corpus: ``(file name, bytes, description)``; the same for the same ``(i, seed)``."""
    rng = random.Random(f"{seed}:{i}")
    seeds = seed_texts(seeds_dir)
    frame = seeds[i % len(seeds)]
    pool = [p for s in seeds for p in s.split("\n") if len(p) >= 60]
    lines = frame.split("\n")
    head = min(len(lines), 12)  # keep the frame's header, title and metadata lines as they are
    body = [rng.choice(pool) if len(line) >= 60 and rng.random() < 0.35 else line for line in lines[head:]]
    text = _vary_figures("\n".join(lines[:head] + body), rng)
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


def write_corpus(out_dir: str | os.PathLike, n: int, seed: int = 0, start: int = 0) -> list[CorpusReport]:
    """Write reports ``start .. start+n-1`` into ``out_dir`` (created); returns their descriptions."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    reports = []
    for i in range(start, start + n):
        name, data, rep = make_report(i, seed)
        (out / name).write_bytes(data)
        reports.append(rep)
    return reports
