"""The checks on the stage assets: every report the warehouse holds went through each stage, and only those that passed have rows."""

import shutil

import dagster as dg

from aid_pipeline.cli import run_pipeline

from aid_pipeline.runner.plan import STAGES


def _stage_evaluations(result) -> dict[str, object]:
    out = {}
    for e in result.all_events:
        if e.event_type_value == "ASSET_CHECK_EVALUATION":
            c = e.asset_check_evaluation_data
            if c.check_name.endswith("_complete_and_valid"):
                out[c.asset_key.to_user_string()] = c
    return out


def test_stage_checks_cover_every_report_of_the_warehouse(tmp_path, seeds_dir):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds[:3]:
        shutil.copy(s, inbox / s.name)
    (inbox / "empty.txt").write_bytes(b"")  # quarantined at raw_reports: still accounted for
    instance = dg.DagsterInstance.ephemeral()

    first = _stage_evaluations(run_pipeline(str(inbox), str(wh), instance=instance, quiet=True))
    assert set(first) == set(STAGES)
    for stage, c in first.items():
        assert c.passed, (stage, c.metadata)
        assert c.metadata["reports_checked"].value == 4
        assert c.metadata["reports_missing"].value == []
    assert first["raw_reports"].metadata["outcomes"].value == {"ok": 3, "quarantined": 1}
    assert first["report_metrics"].metadata["outcomes"].value == {"ok": 3, "upstream_quarantined": 1}

    shutil.copy(seeds[3], inbox / seeds[3].name)  # one new report: the next run's checks cover it and the four before
    second = _stage_evaluations(run_pipeline(str(inbox), str(wh), instance=instance, quiet=True))
    assert {s: c.metadata["reports_checked"].value for s, c in second.items()} == {s: 5 for s in STAGES}
    assert all(c.passed for c in second.values())


def test_a_report_without_metrics_passes_the_metrics_stage_check(tmp_path):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    (inbox / "no_figures.txt").write_text("援疆工作座谈会召开\n\n会议强调，要持续深化交往交流交融。", encoding="utf-8")
    result = run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    checks = _stage_evaluations(result)
    assert checks["report_metrics"].passed, checks["report_metrics"].metadata
    assert checks["report_metrics"].metadata["outcomes"].value == {"ok": 1}
