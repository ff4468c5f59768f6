"""One writer at a time per warehouse: an exclusive ``fcntl.flock`` on a lock file (no Dagster import).

Every piece of work that writes the warehouse takes it: ``aid-pipeline run`` for its whole run
(planning, stages, tables), and each stage, table and aggregate step of a run launched from
the UI, the sensor or the schedule (those steps run in their own processes). A second run waits
until the first lets go (it says so on stderr) instead of interleaving its read-modify-writes of the
stage shards, the ledger and the tables with the first's, which lost reports. The lock is re-entrant
within a process (``aid-pipeline run`` holds it while its steps take it again) and the kernel drops
it when the process dies, so a killed run never leaves it held.

Where the lock file is: ``<warehouse>/.aid_pipeline.lock`` for a local warehouse. An object store
has no locks, so for ``s3://…`` the lock is a local file under ``$DAGSTER_HOME/locks/`` named after
the URI: it serialises the runs of one machine (one Dagster instance); runs on several machines
writing one bucket must be serialised by the shared instance's run queue (``max_concurrent_runs: 1``,
as ``deploy/k8s/dagster.yaml`` configures).

``with warehouse_lock('warehouse'): ...`` → the caller is the only writer until the block ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

LOCK_NAME = ".aid_pipeline.lock"

_held: dict[str, list] = {}  # lock path → [open file, depth]
_guard = threading.RLock()


def lock_path(warehouse: str | os.PathLike) -> Path:
    """``lock_path('wh')`` → ``Path('wh/.aid_pipeline.lock')``; ``lock_path('s3://b/wh')`` →
    ``$DAGSTER_HOME/locks/warehouse-<hash>.lock``."""
    text = str(warehouse)
    if "://" in text:
        home = Path(os.environ.get("DAGSTER_HOME") or ".dagster")
        return home / "locks" / f"warehouse-{hashlib.sha256(text.encode()).hexdigest()[:16]}.lock"
    return Path(warehouse) / LOCK_NAME


def recover(warehouse: str, aggregates: bool = True) -> None:
    """What a process does on taking the lock: clear up after a run that was killed while writing — a
    switch of the tables it left half-done is finished (and, with ``aggregates``, the aggregates it
    left to rebuild are rebuilt), then its temp files are deleted (staged tables never switched
    included: that build is dropped)."""
    from . import io, switch

    io.ensure_shard_layout(warehouse)  # refuse a run that would hash reports into other shards (stages/layout.json)
    switch.finish_switch(warehouse, rebuild_aggregates=aggregates)
    io.remove_stale_temp_files(warehouse)


def holds_lock(warehouse: str | os.PathLike) -> bool:
    """Whether this process holds ``warehouse``'s lock."""
    with _guard:
        return str(lock_path(warehouse).resolve()) in _held


@contextlib.contextmanager
def warehouse_lock(warehouse: str | os.PathLike, blocking: bool = True, recover_aggregates: bool = True) -> Iterator[bool]:
    """Hold the warehouse's lock for the block (waiting for another run to finish, with a note on
    stderr); yields True. With ``blocking=False`` yields False at once when another process holds it.
    Taking it runs ``recover`` (an aggregate step passes ``recover_aggregates=False``: it is about to
    rebuild its own aggregate, the others follow in their steps)."""
    path = lock_path(warehouse)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = str(path.resolve())
    with _guard:
        reentered = key in _held
        if reentered:
            _held[key][1] += 1
    if reentered:
        try:
            yield True
        finally:
            with _guard:
                _held[key][1] -= 1
        return
    fh = open(path, "a+")  # noqa: SIM115 (held across the yield)
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        if not blocking:
            fh.close()
            yield False
            return
        fh.seek(0)
        holder = fh.read().strip() or "another process"
        print(f"aid-pipeline: waiting for {holder} to finish with the warehouse {warehouse} (lock {path})",
              file=sys.stderr, flush=True)
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
    fh.seek(0)
    fh.truncate()
    fh.write(f"pid {os.getpid()} ({' '.join(os.path.basename(a) for a in sys.argv[:2])})\n")
    fh.flush()
    with _guard:
        _held[key] = [fh, 1]
    try:
        recover(str(warehouse), aggregates=recover_aggregates)
        yield True
    finally:
        with _guard:
            _held[key][1] -= 1
            last = _held[key][1] == 0
            if last:
                del _held[key]
        if last:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
            fh.close()
