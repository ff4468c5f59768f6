"""One writer per warehouse: a run from the CLI, or a step of a run from the UI/sensor, waits while
another process holds the warehouse's lock, and touches nothing meanwhile."""

import io as _io
import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

HOLD = "import sys\nfrom aid_pipeline.warehouse.lock import warehouse_lock\nwith warehouse_lock(sys.argv[1]):\n    print('held', flush=True)\n    sys.stdin.read()\n"


@pytest.fixture()
def holder(tmp_path):
    """Another process holding the lock of ``tmp_path/'wh'`` until ``release()``."""
    wh = tmp_path / "wh"
    wh.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", HOLD, str(wh)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "held"

    def release():
        proc.stdin.close()
        proc.wait(timeout=60)

    yield wh, release
    if proc.poll() is None:
        release()


def test_a_cli_run_waits_for_the_run_holding_the_warehouse(tmp_path, seeds_dir, holder):
    wh, release = holder
    inbox, home = tmp_path / "inbox", tmp_path / "dh"
    shutil.copytree(seeds_dir, inbox)
    exe = Path(sys.executable).parent / "aid-pipeline"
    run = subprocess.Popen([str(exe), "run", "--inbox", str(inbox), "--warehouse", str(wh)],
                           env={**os.environ, "DAGSTER_HOME": str(home)}, stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, text=True)
    line = run.stderr.readline()  # blocks until it says something on stderr, or exits
    assert "waiting for" in line and str(wh) in line, (line, run.poll())
    assert run.poll() is None and not (wh / "stages").exists()  # nothing written while the other holds it
    release()
    out, err = run.communicate(timeout=900)
    assert run.returncode == 0, out + err
    assert len(pd.read_parquet(wh / "reports.parquet")) == len(list(seeds_dir.glob("*.txt")))


def test_a_stage_step_outside_the_cli_takes_the_lock_too(tmp_path, seeds_dir, holder, monkeypatch):
    from aid_pipeline.orchestration.assets.report_stages import report_stages
    from aid_pipeline.orchestration.resources import PipelineSettings

    wh, release = holder
    inbox = tmp_path / "inbox"
    shutil.copytree(seeds_dir, inbox)
    instance = dg.DagsterInstance.ephemeral()
    said = _io.StringIO()
    monkeypatch.setattr(sys, "stderr", said)
    done = threading.Event()
    outcome = {}

    def step():  # a UI run's stage step, here in a thread
        outcome["result"] = dg.materialize([report_stages], instance=instance,
                                           resources={"settings": PipelineSettings(inbox=str(inbox), warehouse=str(wh))})
        done.set()

    thread = threading.Thread(target=step, daemon=True)
    thread.start()
    while not done.is_set() and "waiting for" not in said.getvalue():
        done.wait(0.05)
    assert not done.is_set() and not (wh / "stages").exists(), said.getvalue()
    release()
    thread.join(timeout=300)
    assert outcome["result"].success
    assert (wh / "stages" / "raw_reports").is_dir()
