"""One report through one stage function, and the worker pool the stage runner uses (no Dagster import).

Each report's outcome is one of::

    ("rows", [row, ...], cpu_seconds)                     the stage's rows for the report
    ("quarantine", reason, detail, sha256, cpu_seconds)   a QuarantineError: the input cannot go on
    ("error", "TypeError: ...", cpu_seconds)              a bug or an input nobody foresaw

so one bad report never stops the batch. The pool (``stage_runner.run_units`` uses it) is created
once per process; each worker takes whole shards through every stage, importing the text tables once.
"""

from __future__ import annotations

import atexit
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from . import stages
from .stages import QuarantineError

# Below this many reports the pool's start-up and pickling cost more than a second core saves (the settings
# resource's parallel_min_reports, default $AID_PARALLEL_MIN_REPORTS, overrides it per run).
PARALLEL_MIN_REPORTS = 64


def workers(explicit: int | None = None) -> int:
    """Worker processes for text work: ``explicit`` (the settings resource's ``workers``, default ``$AID_WORKERS``,
    read at launch), else the number of usable cores. ``workers(2)`` → ``2``"""
    if explicit:
        return max(1, int(explicit))
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def _raw(file):
    return [stages.read_raw(file)]


def _normalise(raw_row):
    return [stages.normalise_report(raw_row)]


def _sections(norm_row):
    return stages.section_report(norm_row)


def _metrics(payload):
    norm_row, section_rows = payload
    return stages.extract_report_metrics(norm_row, section_rows)


STAGE_FUNCTIONS: dict[str, Callable] = {
    "raw_reports": _raw,
    "normalised_reports": _normalise,
    "report_sections": _sections,
    "report_metrics": _metrics,
}


def process_one(stage: str, payload) -> tuple:
    """One report through one stage: ``process_one('report_sections', norm_row)`` → ``('rows', [...], 0.004)``."""
    t0 = time.process_time()
    try:
        rows = STAGE_FUNCTIONS[stage](payload)
    except QuarantineError as exc:
        return ("quarantine", exc.reason, exc.detail, exc.sha256, time.process_time() - t0)
    except Exception as exc:  # keep it in view as a quarantine row; the rest of the batch goes on
        return ("error", f"{type(exc).__name__}: {exc}", time.process_time() - t0)
    return ("rows", rows, time.process_time() - t0)


def _exit_with_parent(parent_pid: int) -> None:
    """Worker initializer: leave as soon as the parent is gone (killed with SIGKILL, say), never linger."""

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != parent_pid:
                os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


_pool: ProcessPoolExecutor | None = None
_pool_size = 0


def get_pool(n: int) -> ProcessPoolExecutor:
    global _pool, _pool_size
    if _pool is None or _pool_size != n:
        if _pool is not None:
            _pool.shutdown(cancel_futures=True)
        # spawn, not fork: the caller may be a threaded Dagster process, and fork copies held locks
        _pool = ProcessPoolExecutor(
            max_workers=n,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_exit_with_parent,
            initargs=(os.getpid(),),
        )
        _pool_size = n
    return _pool


@atexit.register
def shutdown_pool() -> None:
    """Stop the worker processes (the next batch starts new ones): called when a run's stage work is
    done, so the memory they hold is given back before the tables and checks are built."""
    global _pool
    if _pool is not None:
        _pool.shutdown(cancel_futures=True)
        _pool = None
