"""Stage work in worker processes: same outcomes as in-process, failures kept per report, no orphans."""

import os
import signal
import subprocess
import sys
import textwrap
import time

from aid_pipeline.runner import batch, stage_runner
from aid_pipeline.warehouse import io
from aid_pipeline.warehouse.inbox import list_inbox


def test_pool_and_in_process_store_the_same_rows(seeds_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(stage_runner, "PARALLEL_MIN_REPORTS", 1)
    files = {f.partition_key: f for f in list_inbox(seeds_dir)}
    units: dict[int, list[str]] = {}
    for k in files:
        units.setdefault(io.shard_of(k, io.DEFAULT_N_SHARDS), []).append(k)
    stored = {}
    for n_workers in (1, 2):
        wh = str(tmp_path / f"wh{n_workers}")
        work = [(ks, {k: files[k] for k in ks}) for ks in units.values()]
        results = stage_runner.run_units(wh, work, n_workers=n_workers)
        for stage in ("raw_reports", "normalised_reports", "report_sections", "report_metrics"):
            assert sorted(k for r in results for k in r[stage]["ok"]) == sorted(files), stage
        stored[n_workers] = {p.relative_to(wh): p.read_bytes() for p in (tmp_path / f"wh{n_workers}").rglob("*.parquet")}
    assert stored[1] == stored[2] and len(stored[1]) >= 4 * len(units)
    batch.shutdown_pool()


def test_a_failing_report_is_an_outcome_not_an_exception():
    outcome = batch.process_one("normalised_reports", {"report_id": "x"})  # no raw_text: a bug-like input
    assert outcome[0] == "error" and "KeyError" in outcome[1]


def test_missing_file_is_a_quarantine_outcome(tmp_path):
    from aid_pipeline.warehouse.inbox import InboxFile

    outcome = batch.process_one("raw_reports", InboxFile(tmp_path / "gone.txt", "gone", "gone"))
    assert outcome[0] == "quarantine" and outcome[1] == "file_missing"


def test_workers_leave_when_their_parent_is_killed(tmp_path):
    script = textwrap.dedent(
        """
        import os, sys, time
        from aid_pipeline.runner import batch
        pool = batch.get_pool(2)
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
