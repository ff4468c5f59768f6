"""Pure text functions: decode, normalise, metadata, segment, numbers, metrics (no Dagster import).

The install compiles most of these modules with mypyc (``setup.py``); ``compiled_modules()`` says which run
compiled. Compiled modules are used only while every source they were built from is unchanged (hashes in
``compiled_sources.json``): after a source is edited, and until ``make compile``, all of them run as Python, so
an edit is never hidden behind an extension built before it. ``AID_PIPELINE_PURE=1`` runs them as Python too.
"""
from __future__ import annotations

import hashlib
import importlib.abc
import importlib.util
import json
import os
import sys
import warnings
from pathlib import Path

# the modules setup.py compiles (all but types.py, whose frozen dataclasses are pickled)
COMPILED = ("convert", "decode", "facts", "metadata", "metrics", "mojibake", "normalise", "numbers", "places", "segment")
_HERE = Path(__file__).resolve().parent
_MANIFEST = _HERE / "compiled_sources.json"


def stale_compiled_sources() -> list[str]:
    """The compiled modules whose source differs from the one they were built from: ``[]`` when none (or none
    is compiled); ``['normalise']`` after normalise.py is edited and not rebuilt."""
    try:
        built = json.loads(_MANIFEST.read_text())
    except (OSError, ValueError):
        return []
    stale = []
    for name, sha in built.items():
        try:
            now = hashlib.sha256((_HERE / f"{name}.py").read_bytes()).hexdigest()
        except OSError:
            continue  # an installed wheel may hold only the extension
        if now != sha:
            stale.append(name)
    return stale


class _PythonSources(importlib.abc.MetaPathFinder):
    """Finds ``aid_pipeline.text.<name>`` as its ``.py`` file, ahead of an extension module of the same name."""

    def __init__(self, names: set[str]):
        self.names = names

    def find_spec(self, fullname, path=None, target=None):
        pkg, _, name = fullname.rpartition(".")
        if pkg != __name__ or name not in self.names:
            return None
        source = _HERE / f"{name}.py"
        return importlib.util.spec_from_file_location(fullname, source) if source.exists() else None


def _use_python_sources() -> None:
    if not any(isinstance(f, _PythonSources) for f in sys.meta_path):
        sys.meta_path.insert(0, _PythonSources(set(COMPILED)))


if os.environ.get("AID_PIPELINE_PURE") == "1":
    _use_python_sources()
elif _stale := stale_compiled_sources():
    warnings.warn(
        f"aid_pipeline.text: {', '.join(_stale)}.py changed since the modules were compiled; running all text "
        "modules as Python (rebuild them with `make compile`)",
        stacklevel=2,
    )
    _use_python_sources()
elif _MANIFEST.exists():
    try:  # the compiled code of every module (setup.py's group); built for another Python or machine: sources
        __import__(f"{__name__}.native__mypyc")
    except ImportError as exc:
        warnings.warn(f"aid_pipeline.text: compiled modules unusable ({exc}); running them as Python", stacklevel=2)
        _use_python_sources()


def compiled_modules() -> list[str]:
    """The text modules imported as compiled extensions, e.g. ``['metrics', 'normalise', …]``; ``[]`` when all
    run as Python (no compiler at install, ``AID_PIPELINE_PURE=1``, or sources edited since)."""
    from importlib import import_module
    from importlib.machinery import EXTENSION_SUFFIXES

    files = {name: str(import_module(f"{__name__}.{name}").__file__) for name in COMPILED}
    return sorted(name for name, f in files.items() if f.endswith(tuple(EXTENSION_SUFFIXES)))
