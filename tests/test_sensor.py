"""The inbox sensor with an ephemeral instance and a temp inbox: add, unchanged, change, delete."""

import os

import dagster as dg

from aid_pipeline.cli import run_pipeline
from aid_pipeline.orchestration.resources import PipelineSettings
from aid_pipeline.orchestration.sensors import inbox_sensor


def tick(instance, inbox, cursor):
    ctx = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"settings": PipelineSettings(inbox=str(inbox), warehouse=str(inbox.parent / "wh"))}
    )
    return inbox_sensor(ctx)


def test_sensor_asks_one_run_ignores_unchanged_and_handles_change_and_delete(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(30):
        (inbox / f"r{i:03d}.txt").write_text(f"报告{i}", encoding="utf-8")
    instance = dg.DagsterInstance.ephemeral()

    first = tick(instance, inbox, None)
    assert len(first.run_requests) == 1  # one run for 30 new files, not 30 runs
    assert first.run_requests[0].job_name == "process_reports"

    again = tick(instance, inbox, first.cursor)
    assert again.run_requests == []

    changed = inbox / "r010.txt"
    changed.write_text("改过的报告", encoding="utf-8")
    os.utime(changed, ns=(1, 1))
    third = tick(instance, inbox, again.cursor)
    assert len(third.run_requests) == 1
    assert third.run_requests[0].run_key != first.run_requests[0].run_key

    (inbox / "r005.txt").unlink()
    fourth = tick(instance, inbox, third.cursor)
    assert len(fourth.run_requests) == 1 and fourth.run_requests[0].job_name == "process_reports"


def test_touched_but_unchanged_file_requests_nothing_once_processed(tmp_path):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    f = inbox / "r.txt"
    f.write_text("援疆项目投资1.5亿元。", encoding="utf-8")
    instance = dg.DagsterInstance.ephemeral()
    first = tick(instance, inbox, None)
    assert len(first.run_requests) == 1
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success  # the run the tick asked for
    os.utime(f, ns=(2, 2))  # mtime moved, bytes did not
    assert tick(instance, inbox, first.cursor).run_requests == []
    f.write_text("援疆项目投资2亿元。", encoding="utf-8")
    assert len(tick(instance, inbox, first.cursor).run_requests) == 1


def test_a_first_tick_after_cli_runs_requests_only_what_is_not_fresh(tmp_path, seeds_dir):
    import shutil

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    shutil.copytree(seeds_dir, inbox)
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    assert tick(instance, inbox, None).run_requests == []  # no cursor yet: every file hashed, all fresh
    (inbox / "new.txt").write_text("援疆资金3000万元。", encoding="utf-8")
    assert len(tick(instance, inbox, None).run_requests) == 1


def test_a_burst_of_1000_files_is_one_run(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(1000):
        (inbox / f"b{i:04d}.txt").write_text("报告", encoding="utf-8")
    instance = dg.DagsterInstance.ephemeral()
    result = tick(instance, inbox, None)
    assert len(result.run_requests) == 1
