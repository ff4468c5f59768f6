"""The project's instance (batched SQLite event log) records what the stock one would: one
materialisation per report and stage, in the run's log and in the cross-run index."""

import shutil
from collections import Counter

import dagster as dg

from aid_pipeline.cli import ensure_dagster_home, run_pipeline
from aid_pipeline.dagster_storage import BatchingSqliteEventLogStorage

STAGES = ("raw_reports", "normalised_reports", "report_sections", "report_metrics")


def test_batched_event_log_holds_one_materialisation_per_report_and_stage(tmp_path, seeds_dir, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "home"))
    for name in ("DAGSTER_EVENT_BATCH_SIZE", "DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS"):
        monkeypatch.delenv(name, raising=False)  # restored after the test: ensure_dagster_home sets them
    ensure_dagster_home()  # writes the instance config and the batching switches
    batch_sizes = []
    real = BatchingSqliteEventLogStorage.store_event_batch

    def spy(self, events):
        batch_sizes.append(len(events))
        return real(self, events)

    monkeypatch.setattr(BatchingSqliteEventLogStorage, "store_event_batch", spy)
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds[:3]:
        shutil.copy(s, inbox / s.name)
    with dg.DagsterInstance.get() as instance:
        assert isinstance(instance.event_log_storage, BatchingSqliteEventLogStorage)
        first = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
        shutil.copy(seeds[3], inbox / seeds[3].name)
        second = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
        assert first.success and second.success
        keys = sorted(p.stem for p in inbox.glob("*.txt"))
        for stage in STAGES:
            asset = dg.AssetKey(stage)
            assert sorted(instance.get_materialized_partitions(asset)) == keys, stage
            records = instance.fetch_materializations(asset, limit=100).records
            assert Counter(r.partition_key for r in records) == Counter(keys), stage  # 3 + 1, none twice
            latest = instance.get_latest_materialization_event(asset)
            assert latest is not None and latest.run_id == second.run_id
        assert max(batch_sizes) >= 3  # the per-partition events of a ranged run went in one batch
        for result, n in ((first, 3), (second, 1)):  # the run's own log: one per partition and stage
            logs = instance.all_logs(result.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
            per_stage = Counter(e.dagster_event.asset_key.to_user_string() for e in logs)
            assert all(per_stage[s] == n for s in STAGES), per_stage
