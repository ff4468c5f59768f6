"""Linear-work checks without clocks: count the Python lines a text function executes on n and on 2n characters.

A wall-clock bound flakes on a loaded machine (and passes on a fast one however quadratic the code is). The
number of executed lines is the same on every machine: linear work doubles with the input, quadratic work
quadruples. ``assert_linear_work("aid_pipeline.text.numbers:scan_numbers", "1")`` checks ``scan_numbers``
on ``"1" * n`` against ``"1" * 2n``. The timings at full size are printed by ``aid-pipeline bench
--hostile`` (``aid_pipeline/bench/hostile.py``), not asserted.

Lines are counted in Python code only, so the function must run as Python: when it is compiled (mypyc),
the count runs in a subprocess with ``AID_PIPELINE_PURE=1``.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys

# linear work doubles (a bit less, for the fixed cost); quadratic work quadruples
MAX_GROWTH = 2.6
# lines any call costs whatever the input (imports of a lazy path, caches): they do not scale
FIXED_LINES = 3000


def hostile_text(unit: str, n: int, prefix: str = "", suffix: str = "") -> str:
    """``unit`` repeated to about ``n`` characters between ``prefix`` and ``suffix``: ``hostile_text('ab', 5)`` → ``'abab'``."""
    return prefix + unit * max(1, n // len(unit)) + suffix


def _function(target: str):
    module, _, name = target.partition(":")
    fn = importlib.import_module(module)
    for part in name.split("."):
        fn = getattr(fn, part)
    return fn


def executed_lines(fn, text: str) -> int:
    """How many Python lines ``fn(text)`` executes (every frame it enters, the standard library included)."""
    count = 0

    def local(frame, event, arg):
        nonlocal count
        if event == "line":
            count += 1
        return local

    def global_(frame, event, arg):
        return local

    sys.settrace(global_)
    try:
        fn(text)
    finally:
        sys.settrace(None)
    return count


def line_counts(targets: list[str], unit: str, n: int, prefix: str = "", suffix: str = "") -> list[tuple[int, int]]:
    """(lines at n, lines at 2n) per target function, after one warm-up call each (lexicons, caches)."""
    out = []
    for target in targets:
        fn = _function(target)
        fn(hostile_text(unit, 200, prefix, suffix))
        out.append((executed_lines(fn, hostile_text(unit, n, prefix, suffix)),
                    executed_lines(fn, hostile_text(unit, 2 * n, prefix, suffix))))
    return out


def _runs_as_python(target: str) -> bool:
    """Whether the target function is Python code here (a mypyc-compiled one has no ``__code__``)."""
    return hasattr(_function(target), "__code__")


def assert_linear_work(targets: str | list[str], unit: str, n: int = 20_000, prefix: str = "", suffix: str = "") -> None:
    """Fail when a target's executed lines grow faster than linearly from n to 2n characters of hostile text."""
    targets = [targets] if isinstance(targets, str) else list(targets)
    if not all(_runs_as_python(t) for t in targets):
        code = ("import json, sys; from tests.linear_work import line_counts; "
                "print(json.dumps(line_counts(*json.loads(sys.argv[1]))))")
        args = json.dumps([targets, unit, n, prefix, suffix])
        root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        proc = subprocess.run([sys.executable, "-c", code, args], cwd=root, capture_output=True, text=True,
                              env={**os.environ, "AID_PIPELINE_PURE": "1"}, check=True)
        counts = [tuple(c) for c in json.loads(proc.stdout.strip().splitlines()[-1])]
    else:
        counts = line_counts(targets, unit, n, prefix, suffix)
    for target, (small, big) in zip(targets, counts):
        assert big <= MAX_GROWTH * small + FIXED_LINES, (
            f"{target} on {prefix[:5]!r}+{unit[:10]!r}x+{suffix[:5]!r}: {small} lines at {n} characters, "
            f"{big} at {2 * n}: more than linear")
