"""A run killed half-way leaves the previous tables intact and readable; the next run completes the work."""

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd

TABLES = ["reports", "texts", "sections", "metrics", "quarantine", "facts", "funding_by_donor_year", "report_summary"]


def cli(inbox: Path, wh: Path, home: Path) -> subprocess.Popen:
    exe = Path(sys.executable).parent / "aid-pipeline"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.Popen([str(exe), "run", "--inbox", str(inbox), "--warehouse", str(wh)], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_kill_mid_run_then_recover(tmp_path, seeds_dir):
    inbox, wh, home = tmp_path / "inbox", tmp_path / "wh", tmp_path / "dh"
    inbox.mkdir()
    home.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds:
        shutil.copy(s, inbox / s.name)
    first = cli(inbox, wh, home)
    assert first.wait(timeout=600) == 0, first.stdout.read()
    before = {t: (wh / f"{t}.parquet").read_bytes() for t in TABLES}

    for i in range(20):  # a bigger batch, so the run is still busy when it is killed
        for s in seeds:
            shutil.copy(s, inbox / f"copy{i:02d}_{s.name}")
    raw_dir = wh / "stages" / "raw_reports"
    mtimes = {p: p.stat().st_mtime_ns for p in raw_dir.glob("shard-*.parquet")}
    second = cli(inbox, wh, home)
    deadline = time.time() + 300
    while time.time() < deadline and second.poll() is None:  # kill it once the raw stage has stored its batch
        if any(mtimes.get(p) != p.stat().st_mtime_ns for p in raw_dir.glob("shard-*.parquet")):
            break
        time.sleep(0.02)
    assert second.poll() is None, "the run finished before it could be killed"
    second.send_signal(signal.SIGKILL)
    second.wait(timeout=60)

    for t in TABLES:  # the previous tables: same bytes, readable, no temp files left as tables
        assert (wh / f"{t}.parquet").read_bytes() == before[t], t
        pd.read_parquet(wh / f"{t}.parquet")

    third = cli(inbox, wh, home)
    out, _ = third.communicate(timeout=900)
    assert third.returncode == 0, out
    reports = pd.read_parquet(wh / "reports.parquet")
    assert len(reports) == len(seeds) * 21
    metrics = pd.read_parquet(wh / "metrics.parquet")
    per_report = metrics.groupby("report_id").size()
    for s in seeds:  # every copy has exactly the metrics of its original
        rid = s.name.split(".")[0]
        copies = per_report[per_report.index.str.endswith(rid)]
        assert len(copies) == 21 and copies.nunique() == 1


def _run_status(home: Path):
    import dagster as dg

    with dg.DagsterInstance.from_config(str(home)) as instance:
        return {r.run_id: r.status.value for r in instance.get_runs()}


def test_kill_during_the_table_switch_leaves_tables_of_one_build_and_unblocks_the_queue(tmp_path, seeds_dir):
    """Killed while it writes the tables: the tables are all from the previous build or all from the
    new one (once the warehouse lock is taken again, as the next run does first), never a mix; and
    the killed run, left STARTED in Dagster, is marked failed by the next run."""
    inbox, wh, home = tmp_path / "inbox", tmp_path / "wh", tmp_path / "dh"
    inbox.mkdir()
    home.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds:
        shutil.copy(s, inbox / s.name)
    first = cli(inbox, wh, home)
    assert first.wait(timeout=600) == 0, first.stdout.read()
    before = {t: (wh / f"{t}.parquet").read_bytes() for t in TABLES}
    runs_before = set(_run_status(home))

    for i in range(20):
        for s in seeds:
            shutil.copy(s, inbox / f"copy{i:02d}_{s.name}")
    mtimes = {t: (wh / f"{t}.parquet").stat().st_mtime_ns for t in TABLES}
    second = cli(inbox, wh, home)
    deadline = time.time() + 600
    while time.time() < deadline and second.poll() is None:  # kill it as soon as one table has changed
        if any((wh / f"{t}.parquet").stat().st_mtime_ns != mtimes[t] for t in TABLES):
            break
        time.sleep(0.002)
    assert second.poll() is None, "the run finished before it could be killed"
    second.send_signal(signal.SIGKILL)
    second.wait(timeout=60)
    killed = [r for r, status in _run_status(home).items() if r not in runs_before]
    assert len(killed) == 1 and _run_status(home)[killed[0]] == "STARTED"

    try:
        from aid_pipeline.warehouse.lock import warehouse_lock
    except ImportError:  # (before the lock existed there was nothing to take)
        import contextlib
        warehouse_lock = lambda wh: contextlib.nullcontext()  # noqa: E731
    with warehouse_lock(wh):  # what the next run does first
        pass
    tables = {t: pd.read_parquet(wh / f"{t}.parquet") for t in TABLES}
    ids = set(tables["reports"].report_id)
    assert set(tables["texts"].report_id) == ids
    assert set(tables["sections"].report_id) == ids and set(tables["metrics"].report_id) == ids
    old = all((wh / f"{t}.parquet").read_bytes() == before[t] for t in TABLES)
    assert old or len(ids) == len(seeds) * 21
    summary = pd.read_parquet(wh / "report_summary.parquet")
    assert set(summary.report_id) == ids  # the aggregates follow the tables they are built from

    third = cli(inbox, wh, home)
    out, _ = third.communicate(timeout=900)
    assert third.returncode == 0, out
    assert _run_status(home)[killed[0]] == "FAILURE"
    assert len(pd.read_parquet(wh / "reports.parquet")) == len(seeds) * 21
