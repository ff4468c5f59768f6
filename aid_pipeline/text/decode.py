"""Bytes → text with a named encoding, or a ``DecodeError`` with a reason (no Dagster import).

Order: size check; BOMs (UTF-8-sig, UTF-16 LE/BE); NUL/control bytes → ``binary``; strict UTF-8
(also accepted: a UTF-8 file cut inside its last character, and one with a handful of bad bytes
among many valid multi-byte sequences, with lower confidence); then GB18030 and Big5 are both tried
strictly and scored by the share of decoded CJK characters that are *common* (GB2312 level 1 or
Big5 level 1, i.e. the ~3,755 / ~5,401 most frequent characters of each standard). The better
score wins if it is high enough and clearly ahead; otherwise ``undecodable`` (never a silent guess).
Whole HTML documents (``<!DOCTYPE`` / ``<html`` at the start) decode like any text; ``looks_like_html`` tells
them apart (the normaliser then reads them as HTML). A UTF-16 body of an odd number of bytes is ``undecodable``
(a BOM followed by a stray byte is not a one-character report), and a text without a single Chinese character
is ``no_chinese``: the pipeline reads Chinese reports only.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache
from typing import Final

from .chars import CJK_RE
from .types import Decoded, DecodeError

__all__ = ["decode_bytes", "common_cjk", "looks_like_html"]

_MIN_SCORE: Final = 0.6  # share of CJK chars that must be common for a legacy codec to be accepted
_MIN_MARGIN: Final = 0.15  # how far ahead the winner must be when both legacy codecs decode
_CTRL: Final = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_CTRL_BYTES: Final = bytes(b for b in range(256) if _CTRL.match(bytes([b])))  # counted by bytes.translate (faster)
_HTML_START: Final = re.compile(r"\A(?:\s|<!--[^>]{0,500}-->|<\?xml[^>]{0,200}\?>)*<(?:!doctype\s+html|html[\s>]|head[\s>]|meta\s)", re.I)


def looks_like_html(text: str) -> bool:
    """True for a whole HTML document (a saved web page): ``looks_like_html('<!DOCTYPE html><html>…')`` → ``True``."""
    return _HTML_START.match(text) is not None


@lru_cache(maxsize=1)
def common_cjk() -> frozenset:
    """Frequent CJK characters: GB2312 level 1 ∪ Big5 level 1 (``'国' in common_cjk()`` → True)."""
    out = set()
    for lead in range(0xB0, 0xD8):  # GB2312 level 1
        for trail in range(0xA1, 0xFF):
            try:
                out.add(bytes((lead, trail)).decode("gb2312"))
            except UnicodeDecodeError:
                pass
    for lead in range(0xA4, 0xC7):  # Big5 level 1 (常用字), up to C67E
        for trail in list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)):
            if lead == 0xC6 and trail > 0x7E:
                break
            try:
                out.add(bytes((lead, trail)).decode("big5"))
            except UnicodeDecodeError:
                pass
    return frozenset(out)


@lru_cache(maxsize=1)
def _score_table():
    """numpy (a pandas dependency) and a code point -> class table: 1 a CJK char (U+3400–9FFF, U+F900–FAFF),
    3 one that is also common."""
    import numpy as np

    table = np.zeros(0x110000, dtype=np.uint8)
    table[0x3400:0xA000] = 1
    table[0xF900:0xFB00] = 1
    common = np.fromiter(map(ord, common_cjk()), dtype=np.int64)
    table[common] *= 3  # common and CJK: 3
    return np, table


def _score(text: str) -> tuple[float, int]:
    """Share of CJK chars that are common, and the CJK count: ``_score('中国')`` → ``(1.0, 2)``."""
    np, table = _score_table()  # one table lookup per character instead of a regex and a set per CJK char
    counts = np.bincount(table[np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)], minlength=4)
    n_cjk = int(counts[1] + counts[3])
    if not n_cjk:
        return 0.0, 0
    return int(counts[3]) / n_cjk, n_cjk


def _check_text(text: str, encoding: str, confidence: float) -> Decoded:
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise DecodeError("empty", "the file holds only whitespace")
    if CJK_RE.search(text) is None:
        raise DecodeError(
            "no_chinese", f"the decoded text ({len(text):,} characters, as {encoding}) holds no Chinese character: "
            "this is not a Chinese report, or its encoding was not recognised"
        )
    return Decoded(text=text, encoding=encoding, confidence=round(confidence, 4))


def _try(data: bytes, codec: str, *, allow_cut: bool = False) -> str | None:
    """Strict decode; with ``allow_cut`` a last character cut in half is dropped."""
    try:
        return data.decode(codec)
    except UnicodeDecodeError as exc:
        if allow_cut and exc.start >= len(data) - 3 and exc.start > 0:
            try:
                return data[: exc.start].decode(codec)
            except UnicodeDecodeError:
                return None
        return None


def decode_bytes(data: bytes, *, max_bytes: int = 20_000_000) -> Decoded:
    """Decode report bytes: ``decode_bytes('援疆'.encode('gb18030'))`` → ``Decoded('援疆', 'gb18030', 1.0)``.

    Raises ``DecodeError`` with reason ``empty``, ``binary``, ``undecodable``, ``too_large`` or ``no_chinese``.
    """
    n = len(data)
    if n > max_bytes:
        raise DecodeError("too_large", f"{n:,} bytes is over the {max_bytes:,}-byte limit")
    if n == 0:
        raise DecodeError("empty", "the file has 0 bytes")
    # byte order marks
    if data.startswith(codecs.BOM_UTF8):
        text = _try(data[3:], "utf-8")
        if text is None:
            raise DecodeError("undecodable", "the file starts with a UTF-8 BOM but is not valid UTF-8")
        return _check_text(text, "utf-8-sig", 1.0)
    for bom, codec in ((codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            body = data[2:]
            if len(body) % 2:
                raise DecodeError(
                    "undecodable", f"the file starts with a {codec} BOM but its body is {len(body):,} bytes, an odd number: "
                    f"{codec} stores every character in 2 or 4 bytes, so the file is cut or is not {codec}"
                )
            text = _try(body, codec)
            if text is None:
                raise DecodeError("undecodable", f"the file starts with a {codec} BOM but is not valid {codec}")
            return _check_text(text, codec, 1.0)
    if not data.strip():
        raise DecodeError("empty", "the file holds only whitespace")
    if b"\x00" in data:
        raise DecodeError("binary", "the file contains NUL bytes and no UTF-16 byte order mark")
    head = data[:1_000_000]
    n_ctrl = len(head) - len(head.translate(None, _CTRL_BYTES))  # = len(_CTRL.findall(head))
    if n_ctrl > max(2, 0.01 * min(n, 1_000_000)):
        raise DecodeError("binary", f"{n_ctrl} control bytes: this is not a text file")
    # UTF-8
    text = _try(data, "utf-8")
    if text is not None:
        return _check_text(text, "utf-8", 1.0)
    first_bad, truncated = n, False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad, truncated = exc.start, exc.reason == "unexpected end of data"
    if truncated and first_bad >= n - 3 and _try(data[:first_bad], "utf-8") is not None:
        # cut inside the last character
        return _check_text(data[:first_bad].decode("utf-8"), "utf-8", 0.99)
    lossy = data.decode("utf-8", errors="replace")
    n_bad = lossy.count("\ufffd")
    n_multi = len(lossy) - len(lossy.encode("ascii", "ignore")) - n_bad  # non-ASCII chars, U+FFFD excluded
    if n_bad * 200 <= n_multi and n_bad <= 0.005 * n:
        return _check_text(lossy, "utf-8", max(0.5, 1.0 - 50 * n_bad / max(n_multi, 1)))
    # legacy Chinese codecs, scored
    candidates = []
    for codec in ("gb18030", "big5"):
        text = _try(data, codec, allow_cut=True)
        if text is not None:
            score, n_cjk = _score(text)
            candidates.append((score, n_cjk, codec, text))
    if not candidates:
        raise DecodeError("undecodable", "not valid UTF-8, UTF-16 (no BOM), GB18030 or Big5")
    candidates.sort(key=lambda c: c[0], reverse=True)
    score, n_cjk, codec, text = candidates[0]
    runner_up = candidates[1][0] if len(candidates) > 1 else 0.0
    if n_cjk == 0 or score < _MIN_SCORE or score - runner_up < _MIN_MARGIN and len(candidates) > 1:
        detail = ", ".join(f"{c[2]} {c[0]:.2f}" for c in candidates)
        raise DecodeError("undecodable", f"no encoding decodes to plausible Chinese with confidence (common-character share: {detail})")
    return _check_text(text, codec, score if len(candidates) == 1 else min(1.0, score - runner_up + 0.5))
