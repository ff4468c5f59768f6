"""The inbox sensor with an ephemeral instance and a temp inbox: add, unchanged, change, delete."""

import os

import dagster as dg

from aid_pipeline.partitions import REPORTS_PARTITION
from aid_pipeline.resources import PipelineSettings
from aid_pipeline.sensors import inbox_sensor


def tick(instance, inbox, cursor):
    ctx = dg.build_sensor_context(
        instance=instance, cursor=cursor, resources={"settings": PipelineSettings(inbox=str(inbox), warehouse=str(inbox.parent / "wh"))}
    )
    result = inbox_sensor(ctx)
    for req in result.dynamic_partitions_requests:  # the daemon would apply these
        if isinstance(req, dg.AddDynamicPartitionsRequest):
            instance.add_dynamic_partitions(req.partitions_def_name, list(req.partition_keys))
        else:
            for key in req.partition_keys:
                instance.delete_dynamic_partition(req.partitions_def_name, key)
    return result


def test_sensor_adds_batches_ignores_unchanged_and_handles_change_and_delete(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(30):
        (inbox / f"r{i:03d}.txt").write_text(f"报告{i}", encoding="utf-8")
    instance = dg.DagsterInstance.ephemeral()

    first = tick(instance, inbox, None)
    assert len(first.run_requests) == 1  # one batched run for 30 new files, not 30 runs
    tags = first.run_requests[0].tags
    assert tags["dagster/asset_partition_range_start"] == "r000"
    assert tags["dagster/asset_partition_range_end"] == "r029"
    assert len(instance.get_dynamic_partitions(REPORTS_PARTITION)) == 30

    again = tick(instance, inbox, first.cursor)
    assert again.run_requests == []

    changed = inbox / "r010.txt"
    changed.write_text("改过的报告", encoding="utf-8")
    os.utime(changed, ns=(1, 1))
    third = tick(instance, inbox, again.cursor)
    assert len(third.run_requests) == 1
    assert third.run_requests[0].tags["dagster/asset_partition_range_start"] == "r010"

    (inbox / "r005.txt").unlink()
    fourth = tick(instance, inbox, third.cursor)
    assert "r005" not in instance.get_dynamic_partitions(REPORTS_PARTITION)
    assert len(fourth.run_requests) == 1 and fourth.run_requests[0].job_name == "rebuild_tables"


def test_touched_but_unchanged_file_requests_nothing_once_processed(tmp_path):
    from aid_pipeline import io
    from aid_pipeline.stages import file_sha256

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    f = inbox / "r.txt"
    f.write_text("报告", encoding="utf-8")
    instance = dg.DagsterInstance.ephemeral()
    first = tick(instance, inbox, None)
    assert len(first.run_requests) == 1
    io.record_in_ledger(wh, "raw_reports", {"r": (file_sha256(f), "ok")}, "any")  # what the run would record
    os.utime(f, ns=(2, 2))  # mtime moved, bytes did not
    assert tick(instance, inbox, first.cursor).run_requests == []
    f.write_text("报告改了", encoding="utf-8")
    assert len(tick(instance, inbox, first.cursor).run_requests) == 1


def test_a_burst_of_1000_files_is_one_run_and_big_bursts_are_batched(tmp_path, monkeypatch):
    from aid_pipeline import sensors

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for i in range(1000):
        (inbox / f"b{i:04d}.txt").write_text("报告", encoding="utf-8")
    instance = dg.DagsterInstance.ephemeral()
    result = tick(instance, inbox, None)
    assert len(result.run_requests) == 1
    assert len(instance.get_dynamic_partitions(REPORTS_PARTITION)) == 1000

    order = [f"k{i:04d}" for i in range(10)]
    assert sensors.batch_ranges(order, set(order), max_batch=4) == [("k0000", "k0003"), ("k0004", "k0007"), ("k0008", "k0009")]
    assert sensors.batch_ranges(order, {"k0002", "k0007"}, max_batch=100) == [("k0002", "k0007")]
    assert sensors.batch_ranges(order, set(), max_batch=4) == []
