"""Reruns of `run_pipeline` follow the inbox: a removed file leaves every table, a fixed file leaves quarantine."""

import shutil

import dagster as dg
import pandas as pd

from aid_pipeline.cli import run_pipeline


def test_removed_and_repaired_files_are_reflected(tmp_path, seeds_dir):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    for name in ("000_ba42bb2e3b8f6f65.txt", "003_c023152330cebe12.txt"):
        shutil.copy(seeds_dir / name, inbox / name)
    (inbox / "later.txt").write_bytes(b"")  # empty for now
    instance = dg.DagsterInstance.ephemeral()

    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    assert set(pd.read_parquet(wh / "reports.parquet")["report_id"]) == {"000_ba42bb2e3b8f6f65", "003_c023152330cebe12"}
    assert pd.read_parquet(wh / "quarantine.parquet")["reason"].tolist() == ["empty"]

    (inbox / "000_ba42bb2e3b8f6f65.txt").unlink()
    (inbox / "later.txt").write_text((seeds_dir / "001_417b4fc4718067a4.txt").read_text(encoding="utf-8"), encoding="utf-8")
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success

    reports = set(pd.read_parquet(wh / "reports.parquet")["report_id"])
    assert reports == {"003_c023152330cebe12", "later"}
    for table in ("metrics", "sections", "texts"):
        assert "000_ba42bb2e3b8f6f65" not in set(pd.read_parquet(wh / f"{table}.parquet")["report_id"])
    assert pd.read_parquet(wh / "quarantine.parquet").empty


def _stage_counts(result) -> dict[str, tuple[int, int]]:
    """Per stage asset: (reports processed, reports left unchanged) from its materialisation metadata."""
    out = {}
    for event in result.all_events:
        if event.event_type_value == "ASSET_MATERIALIZATION":
            mat = event.step_materialization_data.materialization
            md = mat.metadata
            if "reports_unchanged" in md:
                out[mat.asset_key.to_user_string()] = (md["reports_processed"].value, md["reports_unchanged"].value)
    return out


def test_reruns_process_only_new_or_changed_reports_and_full_redoes_all(tmp_path, seeds_dir):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))[:3]
    for s in seeds:
        shutil.copy(s, inbox / s.name)
    instance = dg.DagsterInstance.ephemeral()
    first = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert first.success and len(first.aid_todo) == 3
    tables = {t: (wh / f"{t}.parquet").read_bytes() for t in ("reports", "texts", "sections", "metrics", "quarantine")}

    second = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert second.success and second.aid_todo == [] and len(second.aid_unchanged) == 3
    assert _stage_counts(second) == {}  # no stage ran: only the tables were rebuilt
    for t, data in tables.items():  # and they are byte-identical
        assert (wh / f"{t}.parquet").read_bytes() == data, t

    # touch without changing the bytes: still nothing to do; change the bytes: that report only
    changed = inbox / seeds[1].name
    changed.write_bytes(changed.read_bytes())
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).aid_todo == []
    text = changed.read_text(encoding="utf-8")
    cut = text.index("。", len(text) // 3) + 1  # inside the article body, not in the page chrome
    changed.write_text(text[:cut] + "今年新增投入援疆资金100万元。" + text[cut:], encoding="utf-8")
    third = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert third.success and third.aid_todo == [changed.stem]
    assert all(processed == 1 for processed, _ in _stage_counts(third).values())
    metrics = pd.read_parquet(wh / "metrics.parquet")
    added = metrics[(metrics["report_id"] == changed.stem) & (metrics["value"] == 1_000_000)]
    assert len(added) >= 1  # the new sentence's figure is in the tables

    full = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True, full=True)
    assert full.success and len(full.aid_todo) == 3
    counts = _stage_counts(full)
    assert counts and all(processed == 3 and unchanged == 0 for processed, unchanged in counts.values())
    after_full = pd.read_parquet(wh / "metrics.parquet")
    pd.testing.assert_frame_equal(after_full, metrics)  # reprocessing everything gives the same rows


def test_a_new_report_rewrites_only_its_own_shard(tmp_path, seeds_dir):
    from aid_pipeline.warehouse import io

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    for s in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(s, inbox / s.name)
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    shards = {p: p.read_bytes() for p in (wh / "stages").rglob("shard-*.parquet")}
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], inbox / "extra.txt")
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).aid_todo == ["extra"]
    after = {p: p.read_bytes() for p in (wh / "stages").rglob("shard-*.parquet")}
    touched = {p for p in set(shards) | set(after) if shards.get(p) != after.get(p)}
    own = io.shard_of("extra", io.shard_count(wh))
    assert touched and all(p.name == f"shard-{own:02d}.parquet" for p in touched), sorted(touched)


def test_each_stage_materialisation_counts_what_the_run_did(tmp_path, seeds_dir):
    """One materialisation per stage per run: processed, unchanged and quarantined reports, with the
    failing reports named and their reasons counted; the stored rows as its row count."""
    from aid_pipeline.cli import run_statistics

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    for s in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(s, inbox / s.name)
    (inbox / "empty.txt").write_bytes(b"")
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert result.success
    mats = {}
    for e in result.all_events:
        if e.event_type_value == "ASSET_MATERIALIZATION":
            m = e.step_materialization_data.materialization
            assert m.asset_key.to_user_string() not in mats  # one per asset and run
            mats[m.asset_key.to_user_string()] = m.metadata
    raw = mats["raw_reports"]
    assert raw["reports_processed"].value == 5 and raw["reports_quarantined"].value == 1
    assert raw["quarantine_reasons"].value == {"empty": 1}
    assert "| empty | empty |" in raw["quarantined_reports"].value
    assert mats["report_metrics"]["reports_skipped_upstream_quarantined"].value == 1
    assert mats["normalised_reports"]["total_traditional_converted"].value > 0
    assert mats["report_metrics"]["dagster/row_count"].value == len(pd.read_parquet(wh / "metrics.parquet"))
    assert run_statistics(result)["n_processed"] == 6

    shutil.copy(sorted(seeds_dir.glob("*.txt"))[0], inbox / "extra.txt")  # one more: the next run says so
    again = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    raw = {e.step_materialization_data.materialization.asset_key.to_user_string(): e.step_materialization_data.materialization.metadata
           for e in again.all_events if e.event_type_value == "ASSET_MATERIALIZATION"}["raw_reports"]
    assert (raw["reports_processed"].value, raw["reports_unchanged"].value, raw["reports_quarantined"].value) == (1, 6, 0)


def test_a_moved_inbox_leaves_no_table_pointing_at_the_old_paths(tmp_path, seeds_dir):
    """Same bytes, new folder: every report is read again from where it is now, and the
    every-input-accounted-for check (which compares paths) still passes."""
    old, new, wh = tmp_path / "old_inbox", tmp_path / "new_inbox", tmp_path / "wh"
    old.mkdir()
    for s in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.copy(s, old / s.name)
    (old / "empty.txt").write_bytes(b"")
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(old), str(wh), instance=instance, quiet=True).success
    unchanged = run_pipeline(str(old), str(wh), instance=instance, quiet=True)
    assert unchanged.aid_todo == []

    old.rename(new)
    moved = run_pipeline(str(new), str(wh), instance=instance, quiet=True)
    assert moved.success and len(moved.aid_todo) == 3
    failed = [e.asset_check_evaluation_data.check_name for e in moved.all_events
              if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed]
    assert failed == []
    for table in ("reports", "quarantine"):
        paths = pd.read_parquet(wh / f"{table}.parquet")["source_path"].tolist()
        assert paths and all(p.startswith(str(new)) for p in paths), (table, paths)
    again = run_pipeline(str(new), str(wh), instance=instance, quiet=True)
    assert again.aid_todo == []
