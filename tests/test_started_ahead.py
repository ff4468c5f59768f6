"""Work started ahead: while Dagster records a stage's events, the pool already runs the next stage's
units, and the next step collects them. Same tables as a run without it, nothing computed twice."""

import shutil

import dagster as dg
import pyarrow.parquet as pq

from aid_pipeline import batch, stage_runner
from aid_pipeline.assets import common
from aid_pipeline.cli import run_pipeline

TABLES = ("reports", "texts", "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines")


def _inbox(tmp_path, seeds_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i, s in enumerate(sorted(seeds_dir.glob("*.txt"))):
        for copy in range(3):  # 15 reports over several shards
            shutil.copy(s, inbox / f"r{i}_{copy}.txt")
    (inbox / "empty.txt").write_bytes(b"")
    return inbox


def test_next_stage_units_started_ahead_are_collected_and_give_the_same_tables(tmp_path, seeds_dir, monkeypatch):
    monkeypatch.setattr(batch, "PARALLEL_MIN_REPORTS", 2)  # use the pool for this small inbox
    monkeypatch.setenv("AID_WORKERS", "2")
    inbox = _inbox(tmp_path, seeds_dir)
    started, ran = [], []
    real_start, real_process = stage_runner.start_units, stage_runner.process_unit

    def spy_start(stage, warehouse, units):
        started.append((stage, sum(len(k) for k, _ in units)))
        return real_start(stage, warehouse, units)

    monkeypatch.setattr(common, "start_units", spy_start)
    try:
        result = run_pipeline(str(inbox), str(tmp_path / "ahead"), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    finally:
        batch.shutdown_pool()
    assert result.success
    # the three stages after raw were each started ahead, for every report of the run
    assert started == [("normalised_reports", 16), ("report_sections", 16), ("report_metrics", 16)]
    assert stage_runner._started == {}

    # the same inbox with nothing started ahead (and no pool): the same tables
    monkeypatch.setattr(common, "steps_run_in_this_process", lambda context: False)
    monkeypatch.setattr(batch, "PARALLEL_MIN_REPORTS", 10_000)
    monkeypatch.setattr(stage_runner, "process_unit", lambda *a: ran.append(a[0]) or real_process(*a))
    plain = run_pipeline(str(inbox), str(tmp_path / "plain"), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    assert plain.success and ran
    for name in TABLES:
        assert pq.read_table(tmp_path / "ahead" / f"{name}.parquet").equals(pq.read_table(tmp_path / "plain" / f"{name}.parquet")), name


def test_work_started_for_a_step_that_never_comes_is_finished_before_anything_else_runs(tmp_path, seeds_dir, monkeypatch):
    """A unit started ahead that no step collects still finishes (it may be writing a shard) before the
    next units run or the pool stops; the ledger does not count it, so its stage redoes it."""
    monkeypatch.setenv("AID_WORKERS", "2")
    inbox = _inbox(tmp_path, seeds_dir)
    wh = tmp_path / "wh"
    monkeypatch.setattr(batch, "PARALLEL_MIN_REPORTS", 2)
    try:
        assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
        keys = sorted(p.stem for p in inbox.glob("r*.txt"))
        stage_runner.start_units("report_sections", str(wh), [(keys[:3], None)])
        stage_runner.forget_started()
        assert stage_runner._started == {}
    finally:
        batch.shutdown_pool()
