"""When a few reports change, the contract tables are patched and the facts updated for the keys the change
touches, not rebuilt — and every table, aggregates included, holds exactly what a rebuild would, byte for byte."""

import shutil

import dagster as dg
import pytest

from aid_pipeline.warehouse.aggregates import AGGREGATES
from aid_pipeline.orchestration.assets import tables as table_assets
from aid_pipeline.cli import run_pipeline

CONTRACT = table_assets.CONTRACT_TABLES


def _build_modes(result, tables=CONTRACT) -> set[str]:
    """How the run built ``tables``: {'full'}, {'incremental'} (from each materialisation's ``build``)."""
    modes = set()
    for e in result.all_events:
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path[-1] in tables:
            md = e.step_materialization_data.materialization.metadata
            if "build" in md:
                modes.add(md["build"].value.split(":")[0])
    return modes


def _tables(wh):
    """Every table's bytes: the contract tables and the aggregates (facts included)."""
    return {name: (wh / f"{name}.parquet").read_bytes() for name in (*CONTRACT, *AGGREGATES)}


def _from_scratch(inbox, tmp_path, tag):
    wh = tmp_path / f"scratch_{tag}"
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    return _tables(wh)


@pytest.fixture
def inbox_and_run(tmp_path, seeds_dir, monkeypatch):
    monkeypatch.setattr(table_assets, "INCREMENTAL_MAX_SHARE", 1.0)  # patch even when most reports change
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds[:4]:
        shutil.copy(s, inbox / s.name)
    (inbox / "empty.txt").write_bytes(b"")
    instance = dg.DagsterInstance.ephemeral()
    first = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert first.success and _build_modes(first) == {"full"} and _build_modes(first, ["facts"]) == {"full"}

    def again():
        result = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
        assert result.success
        return result

    return inbox, wh, seeds, again


def test_adding_a_report_patches_the_tables_to_what_a_rebuild_gives(inbox_and_run, tmp_path):
    inbox, wh, seeds, again = inbox_and_run
    shutil.copy(seeds[4], inbox / seeds[4].name)
    result = again()
    assert _build_modes(result) == {"incremental"} and _build_modes(result, ["facts"]) == {"incremental"}
    assert _tables(wh) == _from_scratch(inbox, tmp_path, "add")


def test_changing_and_removing_reports_patches_the_tables_to_what_a_rebuild_gives(inbox_and_run, tmp_path):
    inbox, wh, seeds, again = inbox_and_run
    changed = inbox / seeds[1].name
    text = changed.read_text(encoding="utf-8")
    cut = text.index("。", len(text) // 3) + 1
    changed.write_text(text[:cut] + "今年新增投入援疆资金100万元。" + text[cut:], encoding="utf-8")
    (inbox / seeds[2].name).unlink()
    (inbox / "empty.txt").write_text(seeds[0].read_text(encoding="utf-8"), encoding="utf-8")  # repaired: leaves quarantine
    result = again()
    assert _build_modes(result) == {"incremental"} and _build_modes(result, ["facts"]) == {"incremental"}
    assert _tables(wh) == _from_scratch(inbox, tmp_path, "change")


def test_added_then_changed_then_deleted_report_each_leave_the_tables_a_full_rebuild_gives(inbox_and_run, tmp_path):
    """One report at a time, as the sensor sees them: after each run every table equals a ``--full`` rebuild."""
    inbox, wh, seeds, again = inbox_and_run
    added = inbox / seeds[4].name
    steps = [
        ("add", lambda: shutil.copy(seeds[4], added)),
        ("change", lambda: added.write_text(added.read_text(encoding="utf-8").replace("。", "。今年新增投入援疆资金300万元。", 1),
                                            encoding="utf-8")),
        ("delete", lambda: (inbox / seeds[0].name).unlink()),
    ]
    for tag, step in steps:
        step()
        result = again()
        assert _build_modes(result, ["facts"]) == {"incremental"}, tag
        full_wh = tmp_path / f"full_{tag}"
        full = run_pipeline(str(inbox), str(full_wh), instance=dg.DagsterInstance.ephemeral(), quiet=True, full=True)
        assert full.success and _build_modes(full, ["facts"]) == {"full"}
        assert _tables(wh) == {n: (full_wh / f"{n}.parquet").read_bytes() for n in (*CONTRACT, *AGGREGATES)}, tag


def test_nothing_changed_leaves_the_tables_byte_identical(inbox_and_run):
    inbox, wh, seeds, again = inbox_and_run
    before = _tables(wh)
    assert _build_modes(again()) == {"incremental"}
    assert _tables(wh) == before


def test_splice_reports_gives_the_sorted_union_without_the_dropped_reports():
    import pyarrow as pa

    old = pa.table({"report_id": ["a", "b", "b", "c", "e"], "n": [1, 2, 3, 4, 5]})
    new = pa.table({"report_id": ["b", "d", "d", "f"], "n": [20, 40, 41, 60]})
    out = table_assets.splice_reports(old, new, {"b", "e"})
    assert out.to_pydict() == {"report_id": ["a", "b", "c", "d", "d", "f"], "n": [1, 20, 4, 40, 41, 60]}
    assert table_assets.splice_reports(old, new.slice(0, 0), set()).to_pydict() == old.to_pydict()


def test_a_patched_warehouse_of_a_few_hundred_reports_is_byte_identical_to_a_fresh_build(tmp_path, seeds_dir):
    """Big enough for the tables to span several Parquet pages (where splicing used to change the bytes)."""
    seeds = sorted(seeds_dir.glob("*.txt"))
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    for i in range(30):
        for s in seeds:
            shutil.copy(s, inbox / f"c{i:02d}_{s.name}")
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    shutil.copy(seeds[0], inbox / "zz_new.txt")
    changed = inbox / f"c00_{seeds[1].name}"
    changed.write_text(changed.read_text(encoding="utf-8").replace("。", "。今年新增投入援疆资金100万元。", 1), encoding="utf-8")
    result = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert result.success and _build_modes(result) == {"incremental"}
    assert _tables(wh) == _from_scratch(inbox, tmp_path, "big")
