"""`aid-pipeline run` as a user calls it: a subprocess with its own DAGSTER_HOME, printing a summary."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def test_cli_run_prints_summary_and_writes_tables(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in sorted(os.listdir(ROOT / "seeds"))[:2]:
        shutil.copy(ROOT / "seeds" / name, inbox / name)
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dh")}
    cli = Path(sys.executable).parent / "aid-pipeline"
    proc = subprocess.run(
        [str(cli), "run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "wh")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "reports processed: 2" in proc.stdout
    assert "quarantined:       0" in proc.stdout
    assert len(pd.read_parquet(tmp_path / "wh" / "reports.parquet")) == 2
    # the run is recorded in the project-local Dagster instance, so the UI shows it
    assert (tmp_path / "dh" / "history").exists() or any((tmp_path / "dh").iterdir())


def test_cli_run_with_missing_inbox_says_so(tmp_path):
    cli = Path(sys.executable).parent / "aid-pipeline"
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path / "dh")}
    proc = subprocess.run([str(cli), "run", "--inbox", str(tmp_path / "nope")], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2
    assert "does not exist" in proc.stderr
