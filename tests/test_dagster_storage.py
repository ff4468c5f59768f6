"""The project's instance (batched SQLite event log) records what the stock one would: one
materialisation per report and stage, in the run's log and in the cross-run index."""

import shutil
from collections import Counter

import dagster as dg
from dagster._serdes import deserialize_value, serialize_value

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
        # every stored event reads back as the event Dagster emitted (the serialiser's templates included)
        def per_partition(events):
            return sorted(
                (e.asset_key.to_user_string(), e.partition, repr(e.event_specific_data.materialization))
                for e in events if e.partition
            )

        # as Dagster's own serialisation round trip gives them (it sorts the keys of JSON metadata)
        emitted = [deserialize_value(serialize_value(e), dg.DagsterEvent)
                   for e in first.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
        stored = instance.all_logs(first.run_id, of_type=dg.DagsterEventType.ASSET_MATERIALIZATION)
        assert per_partition(e.dagster_event for e in stored) == per_partition(emitted)
        assert len(per_partition(emitted)) == 3 * len(STAGES)
        serializer = instance.event_log_storage._aid_serializer
        assert serializer.templated > 0 and not serializer.disabled


def test_event_serializer_gives_the_json_serialize_value_gives(tmp_path, seeds_dir):
    """Events that differ only in partition and timestamp share a template; the text is always
    what Dagster's own ``serialize_value`` writes, for awkward partition keys too."""
    from aid_pipeline.dagster_storage import EventSerializer

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], inbox / "a.txt")
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(str(inbox), str(tmp_path / "wh"), instance=instance, quiet=True)
    logs = instance.all_logs(result.run_id)
    mat = next(e for e in logs if e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION"
               and e.dagster_event.partition)
    others = [e for e in logs if e is not mat][:20]

    def variant(event, partition, timestamp):
        de = event.dagster_event
        data = de.event_specific_data
        m = data.materialization._replace(partition=partition)
        return event._replace(timestamp=timestamp, dagster_event=de._replace(event_specific_data=data._replace(materialization=m)))

    keys = ["a", "援疆_报告_2023-62d53e1a", 'quote"and\\back', "emoji😀", "tab\tnew\nline", "1.5e-300", " "]
    events = [variant(mat, k, 1795475942.978227 + i / 7) for i, k in enumerate(keys)]
    changed = mat.dagster_event.event_specific_data.materialization._replace(metadata={"rows": dg.IntMetadataValue(3)})
    de = mat.dagster_event
    events.append(mat._replace(dagster_event=de._replace(event_specific_data=de.event_specific_data._replace(materialization=changed))))
    serializer = EventSerializer()
    for event in [*events, *others, *events]:
        text = serializer(event)
        assert text == serialize_value(event)
        assert deserialize_value(text, type(event)) == event
    assert not serializer.disabled and serializer.templated >= len(keys)


def test_batched_rows_and_tag_rows_are_the_stock_ones(tmp_path, seeds_dir):
    """A batch of materialisations (several assets, partitions and tag sets) leaves exactly the
    event_logs and asset_event_tags rows the stock storage writes storing the events one by one."""
    import sqlite3

    from dagster._core.storage.event_log.sqlite.sqlite_event_log import SqliteEventLogStorage

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], inbox / "a.txt")
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(str(inbox), str(tmp_path / "wh"), instance=instance, quiet=True)
    mats = [e for e in instance.all_logs(result.run_id)
            if e.dagster_event and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION" and e.dagster_event.partition]
    assert {m.dagster_event.asset_key.to_user_string() for m in mats} >= set(STAGES)

    def variant(event, partition, timestamp, tags=None):
        de = event.dagster_event
        data = de.event_specific_data
        m = data.materialization._replace(partition=partition, **({"tags": tags} if tags is not None else {}))
        return event._replace(timestamp=timestamp, dagster_event=de._replace(event_specific_data=data._replace(materialization=m)))

    events = []
    for i, mat in enumerate(mats):
        tags = mat.dagster_event.event_specific_data.materialization.tags or {}
        for j, key in enumerate(["p1", "p2", "援疆-3"]):
            events.append(variant(mat, key, 1795475942.5 + i + j / 10))
        # other tag sets: another data version, an indexed multi-dimensional partition tag, none
        events.append(variant(mat, "p4", 1795475943.25 + i, {**tags, "dagster/data_version": "other"}))
        events.append(variant(mat, "p5", 1795475943.5 + i, {**tags, "dagster/partition/date": "2024-01-01", "x": "y"}))
        events.append(variant(mat, "p6", 1795475943.75 + i, {}))

    batched = BatchingSqliteEventLogStorage(str(tmp_path / "batched"))
    batched.store_event_batch(events)
    stock = SqliteEventLogStorage(str(tmp_path / "stock"))
    for event in events:
        stock.store_event(event)

    def rows(base, sql):
        with sqlite3.connect(base / "index.db") as conn:
            return conn.execute(sql).fetchall()

    for sql in ("SELECT id, run_id, event, dagster_event_type, timestamp, step_key, asset_key, partition FROM event_logs ORDER BY id",
                "SELECT event_id, asset_key, key, value, event_timestamp FROM asset_event_tags ORDER BY id"):
        got, want = rows(tmp_path / "batched", sql), rows(tmp_path / "stock", sql)
        assert got == want and len(want) >= len(events)


def test_partition_events_that_differ_in_their_row_count_share_one_template(tmp_path, seeds_dir, monkeypatch):
    """Each partition's materialisation carries its own `dagster/row_count` (issue 16 item 14): the events
    of a ranged run still serialise through one template, to exactly what serialize_value writes."""
    from aid_pipeline import dagster_storage
    from aid_pipeline.dagster_storage import EventSerializer

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], inbox / "a.txt")
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(str(inbox), str(tmp_path / "wh"), instance=instance, quiet=True)
    mat = next(e for e in instance.all_logs(result.run_id) if e.dagster_event
               and e.dagster_event.event_type_value == "ASSET_MATERIALIZATION" and e.dagster_event.partition
               and e.dagster_event.asset_key.to_user_string() == "report_metrics")
    assert isinstance(mat.dagster_event.event_specific_data.materialization.metadata["dagster/row_count"], dg.IntMetadataValue)

    def variant(partition, rows, timestamp):
        de = mat.dagster_event
        data = de.event_specific_data
        m = data.materialization
        m = m._replace(partition=partition, metadata={**m.metadata, "dagster/row_count": dg.IntMetadataValue(rows)})
        return mat._replace(timestamp=timestamp, dagster_event=de._replace(event_specific_data=data._replace(materialization=m)))

    events = [variant(f"r{i}", rows, 1795475942.5 + i) for i, rows in enumerate([0, 1, 12, 7, 123456, 10**12, 1, 0])]
    calls = []
    real = dagster_storage.serialize_value
    monkeypatch.setattr(dagster_storage, "serialize_value", lambda v: calls.append(1) or real(v))
    serializer = EventSerializer()
    texts = [serializer(e) for e in events]
    assert texts == [real(e) for e in events]
    assert [deserialize_value(t, type(e)) for t, e in zip(texts, events)] == events
    # one template (1 call) checked on its first events (VERIFY_FIRST calls), then no serialize_value per event
    assert len(calls) == 1 + EventSerializer.VERIFY_FIRST and serializer.templated == len(events)
