"""Every asset check passes on the reports nobody tuned on (the blind sets), through the whole Dagster run."""

from pathlib import Path

import dagster as dg
import pytest

from aid_pipeline.cli import run_pipeline

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize("inbox", ["holdout/reports", "holdout2/reports"])
def test_all_checks_pass_on_blind_reports(tmp_path, inbox):
    result = run_pipeline(str(DATA / inbox), str(tmp_path / "wh"), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    assert result.success
    evaluations = [e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(evaluations) >= 12
    failed = [(c.asset_key.to_user_string(), c.check_name) for c in evaluations if not c.passed]
    assert failed == []
    assert (tmp_path / "wh" / "funding_by_donor_year.parquet").exists()  # the aggregates after the blocking checks
