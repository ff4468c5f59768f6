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
