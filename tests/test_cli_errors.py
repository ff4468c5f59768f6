"""`aid-pipeline` as a user meets it when something is off: each mistake gets a clear message and a
non-zero exit, never a traceback, a silent loss or a misleading summary."""

import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

EXE = Path(sys.executable).parent / "aid-pipeline"


def aid(*args, home: Path, cwd: Path):
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    return subprocess.run([str(EXE), *map(str, args)], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


def _read_only(path: Path):
    """Make a folder read-only, for root too (chattr +i); returns how to undo it."""
    if os.geteuid() != 0:
        path.chmod(0o555)
        return lambda: path.chmod(0o755)
    if subprocess.run(["chattr", "+i", str(path)], capture_output=True).returncode != 0:
        pytest.skip("running as root without chattr: cannot make a folder read-only")
    return lambda: subprocess.run(["chattr", "-i", str(path)], check=True)


def test_a_read_only_dagster_home_is_named(tmp_path, inbox):
    home = tmp_path / "dh"
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    subprocess.run([sys.executable, "-c", "from aid_pipeline.cli import ensure_dagster_home; ensure_dagster_home()"],
                   env=env, check=True, cwd=tmp_path)
    undo = _read_only(home)
    try:
        proc = aid("run", "--inbox", inbox, "--warehouse", tmp_path / "wh", home=home, cwd=tmp_path)
    finally:
        undo()
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert str(home) in proc.stderr and "not writable" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("where", ["same", "inside"])
def test_an_inbox_that_is_the_warehouse_or_in_it_is_refused(tmp_path, inbox, where):
    wh = inbox if where == "same" else inbox.parent
    proc = aid("run", "--inbox", inbox, "--warehouse", wh, home=tmp_path / "dh", cwd=tmp_path)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "read its own" in proc.stderr or "inside the inbox" in proc.stderr
    assert not (wh / "reports.parquet").exists()


def test_an_empty_inbox_does_not_silently_empty_the_tables(tmp_path, inbox):
    wh, home = tmp_path / "wh", tmp_path / "dh"
    assert aid("run", "--inbox", inbox, "--warehouse", wh, home=home, cwd=tmp_path).returncode == 0
    for p in inbox.iterdir():
        p.unlink()
    proc = aid("run", "--inbox", inbox, "--warehouse", wh, home=home, cwd=tmp_path)
    assert proc.returncode == 2 and "--allow-empty-inbox" in proc.stderr, proc.stdout + proc.stderr
    assert len(pd.read_parquet(wh / "reports.parquet")) == 2
    proc = aid("run", "--inbox", inbox, "--warehouse", wh, "--allow-empty-inbox", home=home, cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert len(pd.read_parquet(wh / "reports.parquet")) == 0


def test_the_summary_of_a_run_that_skipped_everything_says_so(tmp_path, inbox):
    wh, home = tmp_path / "wh", tmp_path / "dh"
    assert aid("run", "--inbox", inbox, "--warehouse", wh, home=home, cwd=tmp_path).returncode == 0
    proc = aid("run", "--inbox", inbox, "--warehouse", wh, home=home, cwd=tmp_path)
    assert proc.returncode == 0
    assert "reports processed: 0 in this run, 2 unchanged" in proc.stdout
    assert "reports processed: 2" not in proc.stdout
    assert "reports in tables: 2" in proc.stdout


def test_checks_that_never_ran_are_not_reported_as_passed():
    from aid_pipeline.cli import checks_line

    assert "none" not in checks_line(0, [], success=False) and "NOT RUN" in checks_line(0, [], success=False)
    assert checks_line(12, [], success=True).startswith("checks failed:     none")


def test_eval_against_a_missing_gold_folder_fails_with_a_message(tmp_path):
    proc = aid("eval", "--gold", tmp_path / "nonexistent", home=tmp_path / "dh", cwd=tmp_path)
    assert proc.returncode != 0 and "nonexistent" in proc.stderr and "does not exist" in proc.stderr


def test_eval_against_gold_for_other_documents_fails_with_a_message(tmp_path, inbox):
    gold = tmp_path / "gold"
    gold.mkdir()
    (gold / "metrics_x.jsonl").write_text('{"doc": "999_not_here.txt", "surface": "3亿元", "value": 300000000, '
                                          '"unit": "CNY"}\n', encoding="utf-8")
    proc = aid("eval", "--gold", gold, "--inbox", inbox, "--warehouse", tmp_path / "wh", home=tmp_path / "dh", cwd=tmp_path)
    assert proc.returncode != 0 and "999_not_here" in proc.stderr, proc.stdout + proc.stderr


def test_a_run_with_another_shard_count_is_refused_and_the_tables_keep_every_report(tmp_path, inbox):
    """AID_STAGE_SHARDS changed between runs (and the tables manifest lost) must not build tables from part of
    the stage data: the run is refused, naming the warehouse's count, and nothing is lost."""
    home, wh = tmp_path / "dh", tmp_path / "wh"
    first = aid("run", "--inbox", inbox, "--warehouse", wh, home=home, cwd=tmp_path)
    assert first.returncode == 0, first.stdout + first.stderr
    n_reports = len(pd.read_parquet(wh / "reports.parquet"))
    (wh / "stages" / "tables_manifest.json").unlink(missing_ok=True)
    env = {**os.environ, "DAGSTER_HOME": str(home), "AID_STAGE_SHARDS": "4"}
    proc = subprocess.run([str(EXE), "run", "--inbox", str(inbox), "--warehouse", str(wh), "--full"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "AID_STAGE_SHARDS=16" in proc.stderr and "Traceback" not in proc.stderr
    assert len(pd.read_parquet(wh / "reports.parquet")) == n_reports == 2


def test_a_warehouse_written_before_the_layout_record_is_checked_against_its_shards(tmp_path, inbox):
    from aid_pipeline.warehouse import io

    home, wh = tmp_path / "dh", tmp_path / "wh"
    assert aid("run", "--inbox", inbox, "--warehouse", wh, home=home, cwd=tmp_path).returncode == 0
    io.shard_layout_path(wh).unlink(missing_ok=True)  # as an older version left it
    assert io.ensure_shard_layout(wh, 16) == 16
    io.shard_layout_path(wh).unlink()
    with pytest.raises(io.ShardLayoutMismatch, match="16 shards"):
        io.ensure_shard_layout(wh, 4)
