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

from .datafiles import load_json
from .decode import common_cjk
from .types import CorruptSpan

__all__ = ["find_corrupt_spans", "realign_gbk", "LOST"]

LOST = "\ufffd"


@lru_cache(maxsize=1)
def _cfg() -> dict:
    cfg = load_json("mojibake.json")
    tone = cfg["pinyin_letters"]
    cfg["_junk"] = re.compile(f"[{tone}a-z]{{1,7}}\\)")
    cfg["_tone"] = re.compile(f"[{cfg['pinyin_tone_letters']}]")
    cfg["_sep"] = re.compile(f"[{re.escape(cfg['junk_separators'])}]")
    cfg["_implausible"] = re.compile("[" + "".join(f"\\u{a}-\\u{b}" for a, b in cfg["implausible_ranges"]) + "]")
    cfg["_garbage_to_q"] = re.compile(r"[A-Za-z]{0,2}[^\x00-\x7f\s]{0,4}\?")
    return cfg


_ANCHOR = re.compile(r"[?\ufffd]")
_RUN = re.compile(r"[^\x00-\x7f\s\ufffd]{1,400}")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


def _gbk2(c: str) -> bytes | None:
    try:
        b = c.encode("gbk")
    except UnicodeEncodeError:
        return None
    return b if len(b) == 2 else None


def realign_gbk(run: str, absorbed: str = "") -> str | None:
    """Decode a GBK-misaligned run one byte later: ``realign_gbk('厝罕娗')`` → ``'群眾' + LOST``.

    The first byte (the trail of a lost character) is dropped; ``absorbed`` is an ASCII character
    that followed the run and was its last trail byte. Returns ``None`` if the bytes do not decode.
    """
    parts = []
    for c in run:
        b = _gbk2(c)
        if b is None:
            return None
        parts.append(b)
    data = b"".join(parts)[1:] + absorbed.encode("ascii")
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
    ``[CorruptSpan(1, 7, '?shù)剞r', LOST + '農', True)]``.

    ``repaired`` is what the span should read (``LOST`` marks characters that cannot be recovered);
    ``recovered`` is True when at least one real character was restored.
    """
    if "?" not in raw and LOST not in raw and not _cfg()["_implausible"].search(raw):
        return []
    cfg = _cfg()
    spans: list[CorruptSpan] = []
    n = len(raw)
    pos = 0
    for m in _ANCHOR.finditer(raw):
        a = m.start()
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
        run_m = _RUN.match(raw, i)
        run = run_m.group() if run_m else ""
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
        if repaired is not None:
            share_new = _common_share(repaired)
            share_old = _common_share(run)
            odd = bool(cfg["_implausible"].search(run))
            ok = share_new >= cfg["min_common_share"] and (
                has_junk or odd or share_new - share_old >= cfg["min_share_gain"]
            )
        if ok:
            spans.append(CorruptSpan(a, stop, raw[a:stop], LOST + repaired, True))
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
