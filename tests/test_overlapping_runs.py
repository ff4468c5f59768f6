"""What overlapping runs on one warehouse did before the warehouse lock (tests/test_lock.py) can be
repaired: rows lost while the ledger says done are processed again."""

import shutil

import pandas as pd


def test_a_report_whose_stage_rows_were_lost_is_processed_again(tmp_path, seeds_dir):
    """What an overlapping run did: rewrote a shard without another run's new rows, after that run
    had recorded them in the ledger. The next run (and a --full one) must put the report back."""
    import dagster as dg

    from aid_pipeline.warehouse import io
    from aid_pipeline.cli import run_pipeline

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    shutil.copytree(seeds_dir, inbox)
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    everyone = set(pd.read_parquet(wh / "reports.parquet").report_id)
    lost = sorted(everyone)[1]
    for stage in ("raw_reports", "normalised_reports", "report_sections", "report_metrics"):
        io.update_stage(wh, stage, {lost})  # the rows are gone, the ledger still says done
    result = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert result.success
    assert set(pd.read_parquet(wh / "reports.parquet").report_id) == everyone
    assert lost in set(pd.read_parquet(wh / "metrics.parquet").report_id)
