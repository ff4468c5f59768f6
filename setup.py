"""Build script: the package metadata is in pyproject.toml; this only adds the compiled text modules.

The hot text modules (normalise, segment, numbers, metrics, ...) are compiled to C extensions with mypyc when
the build has mypy and a C compiler: the same results, about 1.3x faster text work (``aid-pipeline bench`` shows
both). Each extension is optional, so a machine without a compiler installs the Python modules;
``AID_PIPELINE_COMPILE=0`` skips compiling. Once every extension is built, the hashes of the sources they were
built from are written next to them (``aid_pipeline/text/compiled_sources.json``), and ``aid_pipeline.text``
runs the Python sources whenever one differs (an edited checkout before ``make compile``).
"""
import hashlib
import json
import os
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

TEXT = Path("aid_pipeline/text")
MANIFEST = "compiled_sources.json"
# every text module but types.py: its frozen dataclasses are pickled (stage results, tests), which mypyc's
# native classes do not support
COMPILED = ["convert", "decode", "facts", "metadata", "metrics", "mojibake", "normalise", "numbers", "places", "segment"]


def compiled_extensions() -> list:
    if os.environ.get("AID_PIPELINE_COMPILE", "1") == "0":
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:  # no mypy in the build environment: the Python sources are used
        return []
    paths = [str(TEXT / f"{m}.py") for m in COMPILED]
    exts = mypycify(["--ignore-missing-imports", *paths], opt_level="3", group_name="aid_pipeline.text.native")
    for ext in exts:
        ext.optional = True  # a failed compile (no C compiler) leaves the Python module in use
    return exts


class BuildCompiledText(build_ext):
    """``build_ext`` that records the compiled sources' hashes once every extension is built, and otherwise
    removes the in-place extensions of an earlier build (they were built from other sources)."""

    def run(self):
        self._built = set()
        target = (TEXT if self.inplace else Path(self.build_lib) / TEXT) / MANIFEST
        target.unlink(missing_ok=True)
        super().run()
        if self.extensions and self._built == {e.name for e in self.extensions}:
            target.write_text(json.dumps(
                {m: hashlib.sha256((TEXT / f"{m}.py").read_bytes()).hexdigest() for m in COMPILED}, indent=1) + "\n")
        elif self.inplace:
            for ext in self.extensions:
                Path(self.get_ext_fullpath(ext.name)).unlink(missing_ok=True)

    def build_extension(self, ext):
        super().build_extension(ext)  # raises when it fails (an optional one is then skipped by the caller)
        self._built.add(ext.name)


setup(ext_modules=compiled_extensions(), cmdclass={"build_ext": BuildCompiledText})
