"""Traditional → Simplified conversion behind a tiny, pluggable interface (no Dagster import).

Three backends implement ``convert(text) -> str`` with the guarantee that the output has the same
length as the input (so offsets survive conversion):

* ``Pyo3Backend`` (``pyo3``, default when installed: ``pip install aid_pipeline[fast]``): the Rust
  OpenCC of ``opencc-pyo3`` (module ``opencc_pyo3``, a separate module, so it never clashes with
  ``opencc``). Newest OpenCC dictionaries, ~40 M chars/s.
* ``TableBackend`` (``table``, default otherwise): OpenCC's own ``t2s`` dictionaries (TSPhrases +
  TSCharacters, shipped with opencc-python-reimplemented) compiled into one ``str.translate`` table
  plus a phrase regex for the few phrases whose conversion differs from the character-wise one.
  Same result as OpenCC on running text, ~10 M chars/s.
* ``OpenCCBackend`` (``reimplemented``, alias ``opencc``): ``opencc.OpenCC('t2s').convert`` of
  opencc-python-reimplemented itself (pure Python, ~0.5 M chars/s), checked per chunk: a chunk whose
  length changes is converted character by character instead.

``AID_T2S_BACKEND=table|reimplemented|pyo3`` picks one (read when the backend is first used, so it
also holds in worker processes); ``set_backend`` plugs one in code.

著/着: the backends disagree on 著 (opencc-python-reimplemented's dictionary has no entry for it, so
``table``/``reimplemented`` never change it; ``opencc-pyo3`` always makes it 着, even in 显著). Neither
is right, so ``to_simplified`` applies one rule after any backend: 著 stays 著 in the words where
Simplified Chinese writes 著 (显著, 著名, 著作, 名著, 卓著 … ``_ZHU_KEEP``) and becomes 着 everywhere else
(the particle 带着/忙着, 着力, 着手, 着重 …). With it, all backends give the same text on the seeds.

Guarantee of ``to_simplified``: idempotent, i.e. no character remains that t2s would change
(``to_simplified(to_simplified(x)) == to_simplified(x)``).

Script rule of ``script_of``: ``t`` = characters that t2s changes (Traditional-only),
``s`` = characters that are the Simplified form of some other Traditional character, are not
themselves t2s keys and are not in Big5 (Simplified-only: 国, 发 count; 干, 后, 余 do not). No evidence (``t + s == 0``) or ``t <= 0.1*(t+s)``:
"simplified"; ``t >= 0.9*(t+s)``: "traditional"; otherwise "mixed".
"""

from __future__ import annotations

import os
import re
from functools import lru_cache
from typing import Final

from .datafiles import load_json

__all__ = [
    "Backend",
    "TableBackend",
    "OpenCCBackend",
    "Pyo3Backend",
    "BACKENDS",
    "available_backends",
    "backend_from_env",
    "get_backend",
    "set_backend",
    "to_simplified",
    "script_of",
    "traditional_count",
]


def _opencc_dict_dir() -> str:
    import opencc  # type: ignore[import-untyped]  # opencc-python-reimplemented

    return os.path.join(os.path.dirname(opencc.__file__), "dictionary")


def _read_dict(name: str) -> dict[str, str]:
    out: dict[str, str] = {}
    with open(os.path.join(_opencc_dict_dir(), name), encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if not line or "\t" not in line:
                continue
            key, value = line.split("\t", 1)
            out[key] = value.split(" ")[0]  # OpenCC takes the first candidate
    return out


class Backend:
    """Interface: ``Backend().convert('國家') -> '国家'`` (length-preserving)."""

    name = "abstract"

    def convert(self, text: str) -> str:  # pragma: no cover - interface
        raise NotImplementedError


class TableBackend(Backend):
    """OpenCC t2s tables as one translate table + phrase fix-ups: ``convert('乾隆乾淨') -> '乾隆干净'``."""

    name = "table"

    def __init__(self) -> None:
        chars = _read_dict("TSCharacters.txt")
        phrases = _read_dict("TSPhrases.txt")
        # single-char map, made idempotent (a value that is itself a key is resolved to its fixpoint)
        cmap: dict[str, str] = {}
        for k, v in chars.items():
            if len(k) != 1 or len(v) != 1:
                continue
            seen = {k}
            while v in chars and chars[v] != v and v not in seen and len(chars[v]) == 1:
                seen.add(v)
                v = chars[v]
            if v != k:
                cmap[k] = v
        self._table = str.maketrans(cmap)
        # phrases that matter: their conversion differs from the char-wise one, and they keep length
        fix: dict[str, str] = {}
        for k, v in phrases.items():
            if len(k) != len(v) or len(k) < 2:
                continue
            if k.translate(self._table) != v:
                fix[k] = v
        # a phrase output must convert to itself, else drop the phrase (idempotence)
        self._phrases = fix
        keys = sorted(fix, key=len, reverse=True)
        self._phrase_re = re.compile("|".join(map(re.escape, keys))) if keys else None
        # drop outputs that are not stable under a second pass
        if self._phrase_re is not None:
            unstable = [k for k, v in fix.items() if self.convert(v) != v]
            for k in unstable:
                del fix[k]
            keys = sorted(fix, key=len, reverse=True)
            self._phrase_re = re.compile("|".join(map(re.escape, keys))) if keys else None
        self.changed_chars = frozenset(cmap)
        self.phrase_first_chars = frozenset(k[0] for k in fix)

    def convert(self, text: str) -> str:
        out = text.translate(self._table)
        if self._phrase_re is None:
            return out
        pieces = None
        last = 0
        for m in self._phrase_re.finditer(text):
            if pieces is None:
                pieces = []
            pieces.append(out[last : m.start()])
            pieces.append(self._phrases[m.group()])
            last = m.end()
        if pieces is None:
            return out
        pieces.append(out[last:])
        return "".join(pieces)


class OpenCCBackend(Backend):
    """``opencc.OpenCC('t2s')`` with a length check per line: ``convert('潤') -> '润'``."""

    name = "opencc"

    def __init__(self) -> None:
        from opencc import OpenCC

        self._cc = OpenCC("t2s")

    def convert(self, text: str) -> str:
        out = []
        for chunk in text.splitlines(keepends=True):
            conv = self._cc.convert(chunk)
            if len(conv) != len(chunk):
                conv = "".join(c2 if len(c2 := self._cc.convert(c)) == 1 else c for c in chunk)
            out.append(conv)
        return "".join(out)


class Pyo3Backend(Backend):
    """``opencc_pyo3.OpenCC('t2s')`` (Rust), made idempotent and length-safe: ``convert('後來') -> '后来'``."""

    name = "pyo3"

    def __init__(self) -> None:
        from opencc_pyo3 import OpenCC

        self._cc = OpenCC("t2s")
        # a few outputs are themselves converted again (薴 → 苧 → 苎): resolve them in the same pass
        chars = "\n".join(sorted({c for k, v in _read_dict("TSCharacters.txt").items() for c in k + v if len(k) == 1}))
        once = self._cc.convert(chars)
        twice = self._cc.convert(once)
        self._fix = sorted({(a, b) for a, b in zip(once, twice) if a != b and len(once) == len(twice)})

    def _one(self, text: str) -> str:
        out = self._cc.convert(text)
        for a, b in self._fix:
            if a in out:
                out = out.replace(a, b)
        return out

    def convert(self, text: str) -> str:
        out = self._one(text)
        if len(out) == len(text):
            return out
        pieces = []  # some phrase changed length: redo line by line, then character by character
        for chunk in text.splitlines(keepends=True):
            conv = self._one(chunk)
            if len(conv) != len(chunk):
                conv = "".join(c2 if len(c2 := self._one(c)) == 1 else c for c in chunk)
            pieces.append(conv)
        return "".join(pieces)


BACKENDS: Final[dict[str, type[Backend]]] = {
    "pyo3": Pyo3Backend,
    "table": TableBackend,
    "reimplemented": OpenCCBackend,
    "opencc": OpenCCBackend,  # old name of ``reimplemented``
}
ENV_VAR: Final = "AID_T2S_BACKEND"

_BACKEND: Backend | None = None


def available_backends() -> list[str]:
    """Backend names usable here, fastest first: ``['pyo3', 'table', 'reimplemented']`` (pyo3 only when installed)."""
    names = ["table", "reimplemented"]
    try:
        import opencc_pyo3  # noqa: F401
    except ImportError:
        return names
    return ["pyo3", *names]


def backend_from_env() -> Backend:
    """``$AID_T2S_BACKEND`` if set, else ``pyo3`` when installed, else ``table``."""
    name = (os.environ.get(ENV_VAR) or "").strip().lower()
    if name:
        if name not in BACKENDS:
            raise ValueError(f"{ENV_VAR}={name!r}: choose one of {', '.join(sorted(BACKENDS))}")
        return BACKENDS[name]()
    return BACKENDS[available_backends()[0]]()


def get_backend() -> Backend:
    """The active backend (``backend_from_env()`` unless ``set_backend`` chose another)."""
    global _BACKEND
    if _BACKEND is None:
        _BACKEND = backend_from_env()
    return _BACKEND


def set_backend(backend: Backend | str | None) -> Backend:
    """Plug a backend: ``set_backend('pyo3')``, ``set_backend(MyBackend())``, ``None`` = from the environment; returns it."""
    global _BACKEND
    if backend is None:
        backend = backend_from_env()
    elif isinstance(backend, str):
        backend = BACKENDS[backend]()
    _BACKEND = backend
    _simplified_only.cache_clear()
    _deletion_tables.cache_clear()
    return backend


# words in which Simplified Chinese keeps 著 (zhù, "notable / to write"); everywhere else 著 becomes 着
_ZHU_KEEP: Final = tuple(load_json("zhu_keep.json")["words"])  # 显著, 著名, 名著 ...
_ZHU_KEEP_SET: Final = frozenset(_ZHU_KEEP)  # all two characters long


def _fix_zhu(src: str, out: str) -> str:
    """One 著/着 decision for every backend: ``_fix_zhu('顯著 帶著', '显着 带着') -> '显著 带着'``."""
    pieces, last = [], 0
    i = src.find("著")
    while i >= 0:
        before = "著" if i > 0 and src[i - 1] == "著" else out[i - 1 : i]
        after = "著" if src[i + 1 : i + 2] == "著" else out[i + 1 : i + 2]
        keep = before + "著" in _ZHU_KEEP_SET or "著" + after in _ZHU_KEEP_SET
        pieces.append(out[last:i])
        pieces.append("著" if keep else "着")
        last = i + 1
        i = src.find("著", last)
    pieces.append(out[last:])
    return "".join(pieces)


def to_simplified(text: str) -> str:
    """Simplified Chinese, same length as the input: ``to_simplified('網絡潤疆') -> '网络润疆'``."""
    if not text:
        return text
    out = get_backend().convert(text)
    if len(out) != len(text):  # defensive: a plugged backend broke the length contract
        out = "".join(c2 if len(c2 := get_backend().convert(c)) == 1 else c for c in text)
    if "著" in text:
        out = _fix_zhu(text, out)
    return out


@lru_cache(maxsize=1)
def _simplified_only() -> tuple[frozenset, frozenset]:
    chars = _read_dict("TSCharacters.txt")
    trad = frozenset(k for k, v in chars.items() if len(k) == 1 and v != k)
    simp = frozenset(v for k, v in chars.items() if len(v) == 1 and v != k and v not in chars and not _in_big5(v))
    return trad, simp


def _in_big5(c: str) -> bool:
    try:
        c.encode("big5")
        return True
    except UnicodeEncodeError:
        return False


@lru_cache(maxsize=1)
def _deletion_tables() -> tuple[dict, dict]:
    trad, simp = _simplified_only()
    return dict.fromkeys(map(ord, trad)), dict.fromkeys(map(ord, simp))


def traditional_count(text: str) -> tuple[int, int]:
    """``(traditional_only, simplified_only)`` character counts: ``traditional_count('國家发展') -> (1, 1)``."""
    del_trad, del_simp = _deletion_tables()
    return len(text) - len(text.translate(del_trad)), len(text) - len(text.translate(del_simp))


@lru_cache(maxsize=1)
def _script_table():
    """numpy (a pandas dependency) and a code point -> class table: bit 1 Traditional-only, bit 2 Simplified-only."""
    import numpy as np

    trad, simp = _simplified_only()
    table = np.zeros(0x110000, dtype=np.uint8)
    table[np.fromiter(map(ord, trad), dtype=np.int64, count=len(trad))] |= 1
    table[np.fromiter(map(ord, simp), dtype=np.int64, count=len(simp))] |= 2
    return np, table


def script_of(text: str) -> str:
    """Original script by the rule in the module docstring: ``script_of('對口支援') -> 'traditional'``."""
    np, table = _script_table()  # the counts of traditional_count, by one table lookup per character
    codes = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    counts = np.bincount(table[codes], minlength=4)
    t, s = int(counts[1] + counts[3]), int(counts[2] + counts[3])
    n = t + s
    if n == 0 or t <= 0.1 * n:
        return "simplified"
    if t >= 0.9 * n:
        return "traditional"
    return "mixed"
