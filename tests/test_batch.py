"""Stage work in worker processes: same outcomes as in-process, failures kept per report, no orphans."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from aid_pipeline import batch
from aid_pipeline.inbox import list_inbox
from aid_pipeline.stages import read_raw


def test_pool_and_in_process_give_the_same_outcomes(seeds_dir, monkeypatch):
    monkeypatch.setattr(batch, "PARALLEL_MIN_REPORTS", 1)
    raws = [read_raw(f) for f in list_inbox(seeds_dir)]
    items = [(r["partition_key"], r) for r in raws] + [("broken", {"report_id": "x"})]  # no raw_text: a bug-like input
    serial = batch.run_batch("normalised_reports", items, n_workers=1)
    parallel = batch.run_batch("normalised_reports", items, n_workers=2)
    strip = lambda out: {k: v[:-1] for k, v in out.items()}  # noqa: E731  (cpu seconds differ)
    assert strip(parallel) == strip(serial)
    assert serial["broken"][0] == "error" and "KeyError" in serial["broken"][1]
    assert all(serial[r["partition_key"]][0] == "rows" for r in raws)


def test_missing_file_is_a_quarantine_outcome():
    out = batch.run_batch("raw_reports", [("gone", batch.MissingFile("inbox", "gone"))], n_workers=1)
    assert out["gone"][0] == "quarantine" and out["gone"][1] == "file_missing"


def test_workers_leave_when_their_parent_is_killed(tmp_path):
    script = textwrap.dedent(
        """
        import os, sys, time
        from aid_pipeline import batch
        pool = batch._get_pool(2)
        pids = [f.result() for f in [pool.submit(os.getpid) for _ in range(8)]]
        print(" ".join(str(p) for p in sorted(set(pids))), flush=True)
        time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    pids = [int(p) for p in proc.stdout.readline().split()]
    assert pids
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=10)
    deadline = time.time() + 20
    alive = pids
    while alive and time.time() < deadline:
        time.sleep(0.2)
        alive = [p for p in pids if _alive(p)]
    assert alive == [], "pool workers outlived their killed parent"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is gone for our purposes
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split()[2] != "Z"
    except FileNotFoundError:
        return False
