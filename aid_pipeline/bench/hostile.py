"""Seconds of each text function on hostile inputs of about a million characters, printed, never asserted.

``aid-pipeline bench --hostile`` prints one line per input: the function, the input (unit x repeats),
its size and the seconds, and the seconds per character at a tenth of the size next to it, so growth
faster than linear shows as a ratio far above 1. The test suite checks the same inputs without clocks,
by counting executed lines at n and 2n characters (``tests/linear_work.py``): a wall-clock bound flakes
on a loaded machine.
"""

from __future__ import annotations

import importlib
import time

# (function, unit, repeats, prefix, suffix): the inputs the text tests once timed
CASES: list[tuple[str, str, int, str, str]] = [
    *[("aid_pipeline.text.numbers:scan_numbers", u, n, "", "")
      for u, n in [("1", 1_000_000), ("(", 1_000_000), ("余", 1_000_000), ("(a)", 333_333), ("1,", 500_000),
                   ("1-", 500_000), ("一", 1_000_000)]],
    *[(f"aid_pipeline.text.places:{fn}", u, n, "", "") for fn in ("donors_in", "recipients_in")
      for u, n in [("1", 1_000_000), ("(", 1_000_000), ("余", 1_000_000), ("(a)", 333_334), ("喀什", 500_000), ("湖南", 500_000)]],
    *[("aid_pipeline.text.segment:segment", u, n, "", "")
      for u, n in [("1", 1_000_000), ("(", 1_000_000), ("余", 1_000_000), ("(a)", 333_334), ("“", 1_000_000),
                   ("。", 1_000_000), ("一、产业\n", 200_000), ("短行\n", 333_334), ("新疆塔城招商推介会在深举办。", 70_000)]],
    *[("aid_pipeline.text.normalise:normalise", u, n, "", "")
      for u, n in [("1", 1_000_000), ("(", 1_000_000), ("余", 1_000_000), ("(a)", 300_000), ("潤(", 300_000),
                   ("/p>", 300_000), (",,", 500_000)]],
    *[("aid_pipeline.text.mojibake:find_corrupt_spans", u, n, "", s)
      for u, n, s in [("?", 300_000, ""), ("中?", 200_000, ""), ("厝罕", 200_000, "?"), ("中?shù)", 50_000, "")]],
    *[("aid_pipeline.text.metrics:find_mentions", u, n, "", s)
      for u, n, s in [("1个", 100_000, ""), ("近", 500_000, ""), ("第", 500_000, "1个"), ("，", 500_000, "")]],
]


def _function(target: str):
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def _seconds(fn, text: str) -> float:
    t0 = time.perf_counter()
    fn(text)
    return time.perf_counter() - t0


def bench_hostile(scale: float = 1.0, out=print) -> list[dict]:
    """Time every case at ``scale`` x its size and at a tenth of that; print and return the rows.

    ``bench_hostile(0.01)`` → ``[{'function': 'numbers.scan_numbers', 'input': "'1' x 10000", 'chars': 10000,
    'seconds': 0.001, 'growth': 1.1}, …]`` (growth: seconds per character at full size / at a tenth).
    """
    rows = []
    out(f"{'function':34} {'input':>24} {'chars':>9} {'seconds':>8} {'growth':>7}")
    for target, unit, repeats, prefix, suffix in CASES:
        fn = _function(target)
        n = max(10, int(repeats * scale))
        fn(prefix + unit * 10 + suffix)  # warm up: lexicons, compiled patterns
        big = prefix + unit * n + suffix
        small = prefix + unit * max(1, n // 10) + suffix
        s_big, s_small = _seconds(fn, big), _seconds(fn, small)
        growth = (s_big / len(big)) / (s_small / len(small)) if s_small > 0 else float("nan")
        row = {"function": target.split(".")[-1].replace(":", "."), "input": f"{unit!r} x {n}", "chars": len(big),
               "seconds": round(s_big, 3), "growth": round(growth, 2)}
        rows.append(row)
        out(f"{row['function']:34} {row['input']:>24} {row['chars']:>9} {row['seconds']:>8.3f} {row['growth']:>7.2f}")
    return rows
