"""The pure text work per stage, in one process (= per core): ``bench_text('/tmp/inbox', backend='pyo3')``.

Stages as the pipeline runs them (``aid_pipeline.runner.stages``): decode = ``read_raw`` (read, hash,
detect encoding, decode), normalise = ``normalise_report`` (t2s, pinyin, chrome, offsets, metadata),
segment = ``section_report``, extract = ``extract_report_metrics``. Throughput is raw decoded
characters per second of that stage; overall = all characters / the four stages' summed time.
"""

from __future__ import annotations

import time

from ..warehouse.inbox import list_inbox
from ..runner.stages import QuarantineError, extract_report_metrics, normalise_report, read_raw, section_report
from ..text import convert

STAGES = ("decode", "normalise", "segment", "extract")


def bench_text(inbox: str, backend: str | None = None, max_chars: int | None = None) -> dict:
    """Seconds and chars/s per stage over the inbox's reports (the first ones up to ``max_chars``).

    ``bench_text(d, 'table')`` → ``{'backend': 'table', 'n_reports': 100, 'n_chars': 396000,
    'seconds': {'decode': …}, 'chars_per_s': {'decode': …, 'overall': …}}``.
    """
    previous = convert.get_backend()
    active = convert.set_backend(backend) if backend else previous
    try:
        files = list_inbox(inbox)
        if files:  # warm up: backend tables, lexicons, compiled patterns
            _one(files[0], {s: 0.0 for s in STAGES})
        seconds = {s: 0.0 for s in STAGES}
        n_chars = n_reports = n_quarantined = 0
        for f in files:
            got = _one(f, seconds)
            n_reports += 1
            n_chars += got
            n_quarantined += got == 0
            if max_chars and n_chars >= max_chars:
                break
    finally:
        convert.set_backend(previous)
    total = sum(seconds.values())
    rates = {s: (n_chars / t if t else None) for s, t in seconds.items()}
    rates["overall"] = n_chars / total if total else None
    return {
        "backend": backend or active.name,
        "n_reports": n_reports,
        "n_quarantined": n_quarantined,
        "n_chars": n_chars,
        "seconds": {**{s: round(t, 4) for s, t in seconds.items()}, "overall": round(total, 4)},
        "chars_per_s": rates,
    }


def _one(f, seconds: dict) -> int:
    """Run the four stages on one file, adding each stage's time; returns its raw characters (0 if quarantined)."""
    t0 = time.perf_counter()
    try:
        raw = read_raw(f)
    except QuarantineError:
        seconds["decode"] += time.perf_counter() - t0
        return 0
    t1 = time.perf_counter()
    seconds["decode"] += t1 - t0
    try:
        norm = normalise_report(raw)
    except QuarantineError:
        seconds["normalise"] += time.perf_counter() - t1
        return 0
    t2 = time.perf_counter()
    sections = section_report(norm)
    t3 = time.perf_counter()
    extract_report_metrics(norm, sections)
    t4 = time.perf_counter()
    seconds["normalise"] += t2 - t1
    seconds["segment"] += t3 - t2
    seconds["extract"] += t4 - t3
    return len(raw["raw_text"])
