"""Find and repair byte-misaligned GBK mojibake runs (no Dagster import).

The corruption: GBK bytes of a (Traditional, pinyin-annotated) text were read one byte out of step,
so a lost lead byte shows as ``?`` (often followed by the tail of a pinyin annotation whose ``(`` was
eaten, ``?shù)``) and the following characters pair each byte with its neighbour's
(``厝罕娗猩砀惺艿絿`` = ``d8|c8ba|b18a|c7d0|…|87``). Re-encoding the run to GBK, dropping its first
byte and decoding again restores it (``群眾切身感受到``); the run ends at a ``?`` (the last byte's
partner was lost) or at an ASCII letter that was swallowed as a trail byte (``剞r`` → ``|de72`` = ``農``).

A run is repaired only when the evidence is clear: a dangling pinyin tail after the ``?``, or a
re-aligned decoding made of common characters where the original was not. Lost characters become
U+FFFD. Parameters and the "implausible in news text" character classes are data in
``aid_pipeline/data/mojibake.json``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from .chars import CJK_RE, TONED_LOWER, UNTONE
from .datafiles import load_json
from .decode import common_cjk
from .types import CorruptSpan

__all__ = ["find_corrupt_spans", "realign_gbk", "LOST"]

LOST: Final = "\ufffd"


@lru_cache(maxsize=1)
def _cfg() -> dict:
    cfg = load_json("mojibake.json")
    cfg["_junk"] = re.compile(f"[{TONED_LOWER}a-z]{{1,7}}\\)")
    cfg["_tone"] = re.compile(f"[{TONED_LOWER}]")
    cfg["_sep"] = re.compile(f"[{re.escape(cfg['junk_separators'])}]")
    cfg["_implausible"] = re.compile("[" + "".join(f"\\u{a}-\\u{b}" for a, b in cfg["implausible_ranges"]) + "]")
    cfg["_garbage_to_q"] = re.compile(r"[A-Za-z]{0,2}[^\x00-\x7f\s]{0,4}\?")
    return cfg


_ANCHOR: Final = re.compile(r"[?\ufffd]")
_RUN: Final = re.compile(r"[^\x00-\x7f\s\ufffd]{1,400}")
_CJK: Final = CJK_RE


def _gbk2(c: str) -> bytes | None:
    try:
        b = c.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


@lru_cache(maxsize=1)
def pinyin_readings() -> dict[str, frozenset[str]]:
    """Toneless pinyin syllable → characters read that way (``data/pinyin.json``): ``pinyin_readings()["run"]`` ∋ ``"潤"``."""
    return {k: frozenset(v) for k, v in load_json("pinyin.json")["readings"].items()}


def _syllable(tail: str) -> str:
    """``'shù)'`` → ``'shu'``."""
    return tail.rstrip(")").lower().translate(UNTONE)


@lru_cache(maxsize=512)
def _reading_bytes(syl: str) -> tuple[bytes, ...]:
    return tuple(b for b in (_gbk2(c) for c in pinyin_readings().get(syl, ())) if b is not None)


def _bytes_with_reading(syl: str, lead: int | None = None) -> set[bytes]:
    """GBK byte pairs of the characters read ``syl`` (whose lead byte is ``lead``, if given); a new set."""
    return set(_reading_bytes(syl) if lead is None else _reading_bytes_by_lead(syl).get(lead, ()))


@lru_cache(maxsize=512)
def _reading_bytes_by_lead(syl: str) -> dict[int, tuple[bytes, ...]]:
    """``_reading_bytes(syl)`` grouped by lead byte (callers never modify it)."""
    out: dict[int, list[bytes]] = {}
    for b in _reading_bytes(syl):
        out.setdefault(b[0], []).append(b)
    return {k: tuple(v) for k, v in out.items()}


@lru_cache(maxsize=1)
def _common_by_byte() -> tuple[dict[int, tuple[str, ...]], dict[int, tuple[str, ...]]]:
    """Common CJK characters grouped by GBK lead byte and by trail byte."""
    by_lead: dict[int, list[str]] = {}
    by_trail: dict[int, list[str]] = {}
    for c in sorted(common_cjk()):
        b = _gbk2(c)
        if b is not None and _CJK.match(c):
            by_lead.setdefault(b[0], []).append(c)
            by_trail.setdefault(b[1], []).append(c)
    return ({k: tuple(v) for k, v in by_lead.items()}, {k: tuple(v) for k, v in by_trail.items()})


def realign_gbk(run: str, absorbed: str = "", lead: bytes = b"") -> str | None:
    """Decode a GBK-misaligned run one byte later: ``realign_gbk('厝罕娗')`` → ``'群眾' + LOST``.

    Without ``lead`` the first byte (the trail of a character whose lead byte was lost) is dropped;
    with it (``realign_gbk('厝罕娗', lead=b'\\xb5')`` → ``'地群眾' + LOST``) that character is restored.
    ``absorbed`` is an ASCII character that followed the run and was its last trail byte.
    Returns ``None`` if the bytes do not decode.
    """
    parts = []
    for c in run:
        b = _gbk2(c)
        if b is None:
            return None
        parts.append(b)
    data = b"".join(parts)
    data = (lead + data if lead else data[1:]) + absorbed.encode("ascii")
    out = []
    i, n = 0, len(data)
    while i + 1 < n:
        pair = data[i : i + 2]
        if pair[0] < 0x81:
            return None
        try:
            ch = pair.decode("gbk")
        except UnicodeDecodeError:
            return None
        out.append(ch)
        i += 2
    if i < n:
        out.append(LOST)
    return "".join(out)


def _common_share(text: str) -> float:
    chars = [c for c in text if c != LOST]
    if not chars:
        return 0.0
    common = common_cjk()
    return sum(1 for c in chars if c in common) / len(chars)


def _is_cjk_like(c: str) -> bool:
    return bool(_CJK.match(c)) or c == ")"


def find_corrupt_spans(raw: str) -> list[CorruptSpan]:
    """Mojibake runs in ``raw`` with their repair: ``find_corrupt_spans('當?shù)剞r(nóng)')`` →
    ``[CorruptSpan(1, 8, '?shù)剞r', '地農', True)]`` (the pinyin tail shù names the lost lead byte of 地).

    ``repaired`` is what the span should read (``LOST`` marks characters that cannot be recovered);
    ``recovered`` is True when at least one real character was restored.
    """
    if "?" not in raw and LOST not in raw and not _cfg()["_implausible"].search(raw):
        return []
    cfg = _cfg()
    spans: list[CorruptSpan] = []
    bigrams = _Bigrams(raw)
    n = len(raw)
    pos = 0
    for a in _anchors(raw):
        if a < pos or a == 0 or not _is_cjk_like(raw[a - 1]):
            continue
        i = a + 1
        junk = cfg["_junk"].match(raw, i)
        has_junk = bool(junk and cfg["_tone"].search(junk.group()))
        if has_junk:
            i = junk.end()
        else:
            sep = cfg["_sep"].match(raw, i)
            if sep and i + 1 < n and _gbk2(raw[i + 1]) and not _CJK.match(raw[i + 1]):
                i += 1  # a stray separator byte before a run that starts with a symbol (;ㄔ)
        fw_first = ""
        if has_junk and i + 1 < n and raw[i].isascii() and raw[i].isalnum() and _gbk2(raw[i + 1]) and not raw[i + 1].isascii():
            # a full-width letter (GBK a3xx) folded to ASCII by a later tool: ``災(zāi)J剑`` = 9ec4|a3ca|bda3
            fw_first = chr(ord(raw[i]) + 0xFEE0)
            i += 1
        run_m = _RUN.match(raw, i)
        run = fw_first + (run_m.group() if run_m else "")
        if fw_first:
            i -= 1
        # keep the GBK-encodable prefix
        k = 0
        while k < len(run) and _gbk2(run[k]) is not None:
            k += 1
        run = run[:k]
        end = i + len(run)
        absorbed = ""
        trailing_q = False
        if run:
            nxt = raw[end] if end < n else ""
            if nxt and "\x40" <= nxt <= "\x7e" and nxt.isalpha():
                absorbed = nxt
            elif nxt in ("?", LOST):
                trailing_q = True
        repaired = realign_gbk(run, absorbed) if run else None
        stop = end + len(absorbed) + (1 if trailing_q else 0)
        if trailing_q:
            tail = cfg["_junk"].match(raw, stop)
            if tail and cfg["_tone"].search(tail.group()):
                stop = tail.end()
        ok = False
        fixed = None
        if repaired is not None and (has_junk or repaired.strip(LOST)):
            first = _boundary_char(raw, a, run, junk.group() if has_junk else None, bigrams)
            fixed = (first or LOST) + repaired
            if trailing_q and fixed.endswith(LOST):
                last = _last_char(run, absorbed, raw[end + 1 : stop], fixed[:-1], bigrams)
                if last:
                    fixed = fixed[:-1] + last
            share_new = _common_share(fixed)
            share_old = _common_share(run)
            odd = bool(cfg["_implausible"].search(run))
            ok = share_new >= cfg["min_common_share"] and (
                has_junk or odd or share_new - share_old >= cfg["min_share_gain"]
            )
        if ok:
            spans.append(CorruptSpan(a, stop, raw[a:stop], fixed, True))
            pos = stop
        elif has_junk:
            # clearly corrupt but not recoverable: swallow garbage up to the next '?', if close
            g = cfg["_garbage_to_q"].match(raw, junk.end())
            stop = g.end() if g else junk.end()
            tail = cfg["_junk"].match(raw, stop)
            if g and tail and cfg["_tone"].search(tail.group()):
                stop = tail.end()
            spans.append(CorruptSpan(a, stop, raw[a:stop], None, False))
            pos = stop
    spans.extend(_implausible_clusters(raw, spans))
    spans.sort(key=lambda s: s.raw_start)
    return spans


def _anchors(raw: str):
    """Positions of ``?`` and ``LOST`` in ``raw``, in order (``_ANCHOR.finditer``, but with ``str.find``, which
    scans faster than a character class): ``list(_anchors("a?b?"))`` → ``[1, 3]``."""
    if LOST in raw:
        yield from (m.start() for m in _ANCHOR.finditer(raw))
        return
    i = raw.find("?")
    while i >= 0:
        yield i
        i = raw.find("?", i + 1)


def _char_before(raw: str, a: int) -> str:
    """The character before the lost one: ``raw[a-1]``, or the one before a pinyin annotation ``當(dāng)?``."""
    i = a - 1
    if i >= 0 and raw[i] == ")":
        j = raw.rfind("(", max(0, i - 8), i)
        if j > 0:
            i = j - 1
    return raw[i] if i >= 0 else ""


def _boundary_char(raw: str, a: int, run: str, junk: str | None, bigrams: "_Bigrams") -> str | None:
    """The character whose lead byte was lost at ``raw[a]`` (the ``?``), when it can be known.

    The ``?`` stood for a character made of the previous character's trail byte and the lost lead
    byte; its pinyin (``?shù)``) names it: ``當`` = ae94, ``數`` (shù) = 94b5, so the lost lead byte is
    b5 and with the run's first byte d8 the character is ``地``. Without a pinyin tail (or when several
    readings fit), a candidate is taken only if ``previous char + candidate`` is written intact
    elsewhere in the report. ``None`` when neither gives exactly one answer.
    """
    prev = _char_before(raw, a)
    pb = _gbk2(prev) if prev else None
    rb = _gbk2(run[0]) if run else None
    if rb is None:
        return None
    trail = rb[0]
    leads: set[int] | None = None
    if junk and pb is not None:
        leads = {b[1] for b in _bytes_with_reading(_syllable(junk), lead=pb[1])}
        if len(leads) == 1:
            ch = _decode2(bytes([leads.pop(), trail]))
            return ch if ch and _CJK.match(ch) else None
    # context: previous char + candidate written intact somewhere else in the report
    if not prev:
        return None
    pool = _common_by_byte()[1].get(trail, ())
    after = bigrams.followers(prev)  # prev is one character
    found = {ch for ch in pool if (leads is None or _gbk2(ch)[0] in leads) and ch in after}  # type: ignore[index]
    return found.pop() if len(found) == 1 else None


class _Bigrams:
    """Membership test for two-character strings written in a text (built on first use).

    At a corrupt site the second character is garbled, so a hit is an intact occurrence elsewhere.
    """

    def __init__(self, text: str):
        self.text = text
        self._after: dict[str, set[str]] = {}  # character -> the characters written right after it

    def __contains__(self, pair: str) -> bool:
        if len(pair) != 2:
            return False  # only two-character strings are bigrams
        return pair[1] in self.followers(pair[0])

    def followers(self, first: str) -> set[str]:
        """The characters written right after ``first``: ``c in followers(p)`` ⇔ ``p + c in self``."""
        after = self._after.get(first)
        if after is None:
            t = self.text
            after = set()
            i = t.find(first)
            while 0 <= i < len(t) - 1:
                after.add(t[i + 1])
                i = t.find(first, i + 1)
            self._after[first] = after
        return after


def _last_char(run: str, absorbed: str, tail: str, before: str, bigrams: _Bigrams) -> str | None:
    """The last character of a run that ends in ``?``: its lead byte is the run's last byte. With a
    pinyin tail (``絿?guó)``: b587 + guó → ``國`` = 87f8) the reading names it; without one, a candidate
    is taken only if ``previous char + candidate`` is written intact elsewhere in the report.
    ``None`` if not unique."""
    if absorbed or not run:
        return None
    b = _gbk2(run[-1])
    if b is None:
        return None
    if tail.endswith(")"):
        cands = _bytes_with_reading(_syllable(tail.lstrip("(")), lead=b[1])
        if len(cands) == 1:
            return _decode2(cands.pop())
    prev = before[-1:] if before and before[-1] != LOST else ""
    if not prev:
        return None
    after = bigrams.followers(prev)  # prev is one character
    found = {ch for ch in _common_by_byte()[0].get(b[1], ()) if ch in after}
    return found.pop() if len(found) == 1 else None


def _decode2(b: bytes) -> str | None:
    try:
        return b.decode("gbk")
    except UnicodeDecodeError:
        return None


def _implausible_clusters(raw: str, taken: list[CorruptSpan]) -> list[CorruptSpan]:
    """Clusters of characters implausible in news text (``⒁ υ ㄔ`` between CJK) not yet covered."""
    cfg = _cfg()
    hits = [m.start() for m in cfg["_implausible"].finditer(raw)]
    if len(hits) < cfg["cluster_min_hits"]:
        return []
    covered = [(s.raw_start, s.raw_end) for s in taken]
    out = []
    window = cfg["cluster_window"]
    group: list[int] = []
    for h in hits + [10**18]:
        if group and h - group[-1] > window:
            if len(group) >= cfg["cluster_min_hits"]:
                a, b = max(0, group[0] - 2), min(len(raw), group[-1] + 3)
                if not any(x < b and a < y for x, y in covered) and _CJK.search(raw[a:b]):
                    out.append(CorruptSpan(a, b, raw[a:b], None, False))
            group = []
        group.append(h)
    return out
