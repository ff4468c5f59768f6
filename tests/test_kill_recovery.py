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
