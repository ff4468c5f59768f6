"""The table checks look at the rows the runs since their last pass changed, plus the rules over whole tables: a bad
row a run writes is still caught, by name, and an id repeated between an old row and a new one too."""

import json
import shutil

import dagster as dg
import pandas as pd

from aid_pipeline.cli import run_pipeline
from aid_pipeline.orchestration.asset_checks import checked_record_path, mark_checked, schema_checks
from aid_pipeline.orchestration.resources import PipelineSettings
from aid_pipeline.warehouse import io, tables


def _evaluations(result) -> dict:
    return {e.asset_check_evaluation_data.check_name: e.asset_check_evaluation_data
            for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"}


def test_a_bad_row_written_by_a_run_is_caught_in_the_changed_rows(tmp_path, seeds_dir, monkeypatch):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds[:3]:
        shutil.copy(s, inbox / s.name)
    instance = dg.DagsterInstance.ephemeral()
    first = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert first.success
    checks = _evaluations(first)
    assert checks["reports_schema"].passed and checks["metrics_schema"].passed
    assert checks["reports_schema"].metadata["checked"].value == "every row"  # nothing checked before: every row
    assert checks["reports_schema"].metadata["rows"].value == 3

    # the next run adds a report, and the table code writes a bad row for it (a report of no characters)
    new = seeds[3].stem
    build = tables.build_reports

    def broken(*args, **kwargs):
        out = build(*args, **kwargs)
        out.loc[out["report_id"] == new, "n_chars"] = 0
        return out

    monkeypatch.setattr(tables, "build_reports", broken)
    shutil.copy(seeds[3], inbox / seeds[3].name)
    second = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    checks = _evaluations(second)
    failed = checks["reports_schema"]
    assert not failed.passed
    assert failed.metadata["failing_reports"].value == [new]
    assert "n_chars" in failed.metadata["failure_cases"].value
    # only the new report's row was read: the three checked before are not validated again
    assert failed.metadata["checked"].value == "the rows of 1 reports changed since the last pass"
    assert checks["metrics_schema"].passed and checks["metrics_schema"].metadata["rows"].value > 0

    # the failure left no record of a pass: with the table code mended, the next check looks at the bad row again
    monkeypatch.setattr(tables, "build_reports", build)
    (inbox / seeds[3].name).write_bytes(seeds[3].read_bytes() + "\n".encode())  # changed: its rows are rebuilt
    third = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert third.success and _evaluations(third)["reports_schema"].passed


def _metric(rid: str, mid: str) -> dict:
    return {"report_id": rid, "metric_id": mid, "section_id": f"{rid}:s000", "sentence": "投入5亿元。", "surface": "5亿元",
            "start": 2, "end": 5, "raw_start": 2, "raw_end": 5, "value": 5e8, "value_high": None, "unit": "CNY",
            "qualifier": "exact", "metric_type": "funding", "category": "industry", "donor": "山东", "recipient": None,
            "year": 2023, "period": "year", "period_start": 2023, "period_end": 2023, "part_of": None, "scope": "aid",
            "donor_province": "山东"}


def test_an_id_repeated_between_an_old_and_a_new_row_is_caught_by_the_whole_table_pass(tmp_path):
    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    (check,) = [c for c in schema_checks if any(k.name == "metrics_schema" for k in c.check_keys)]
    manifest = {"code_version": "v", "reports": {"a": ["a", "sha-a", "in/a.txt"]}}
    io.write_json(io.warehouse_path(tmp_path) / "stages" / "tables_manifest.json", manifest)
    io.write_frame(pd.DataFrame([_metric("a", "a:m0000")]), io.table_path(tmp_path, "metrics"), "metrics")
    assert check(settings=settings).passed
    assert checked_record_path(str(tmp_path), "metrics_schema").exists()

    # report b arrives; its one row reuses a's metric_id (each row is fine on its own)
    manifest = {"code_version": "v", "reports": {**manifest["reports"], "b": ["b", "sha-b", "in/b.txt"]}}
    io.write_json(io.warehouse_path(tmp_path) / "stages" / "tables_manifest.json", manifest)
    rows = [_metric("a", "a:m0000"), _metric("b", "a:m0000")]
    io.write_frame(pd.DataFrame(rows), io.table_path(tmp_path, "metrics"), "metrics")
    result = check(settings=settings)
    assert not result.passed
    assert result.metadata["checked"].value == "the rows of 1 reports changed since the last pass"
    assert "field_uniqueness" in result.metadata["failures_by_check"].value
    assert "a:m0000" in result.metadata["failure_cases"].value


def test_other_check_code_or_a_missing_record_checks_every_row(tmp_path):
    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    (check,) = [c for c in schema_checks if any(k.name == "metrics_schema" for k in c.check_keys)]
    manifest = {"code_version": "v", "reports": {"a": ["a", "sha-a", "in/a.txt"]}}
    io.write_json(io.warehouse_path(tmp_path) / "stages" / "tables_manifest.json", manifest)
    bad = {**_metric("a", "a:m0000"), "value": -1.0}  # broken after the check passed, with no run in between
    io.write_frame(pd.DataFrame([bad]), io.table_path(tmp_path, "metrics"), "metrics")
    mark_checked(str(tmp_path), "metrics_schema", manifest)
    assert check(settings=settings).passed  # nothing changed since the last pass: no row to look at
    record = checked_record_path(str(tmp_path), "metrics_schema")
    body = json.loads(record.read_text(encoding="utf-8"))
    record.write_text(json.dumps({**body, "checks_code_version": "older"}), encoding="utf-8")
    result = check(settings=settings)
    assert not result.passed and result.metadata["checked"].value == "every row"
