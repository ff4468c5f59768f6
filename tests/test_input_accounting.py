"""every_input_accounted_for: a file that lands in the inbox after the tables were built is the next run's, not a
loss; a file the run skipped is still a failure."""

import os
import shutil
import time

import dagster as dg

from aid_pipeline.orchestration.asset_checks import every_input_accounted_for
from aid_pipeline.cli import run_pipeline
from aid_pipeline.orchestration.resources import PipelineSettings


def _check(inbox, wh):
    return every_input_accounted_for(settings=PipelineSettings(inbox=str(inbox), warehouse=str(wh)))


def test_a_file_landing_after_the_tables_waits_and_a_skipped_one_fails(tmp_path, seeds_dir):
    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seeds = sorted(seeds_dir.glob("*.txt"))
    for s in seeds[:2]:
        shutil.copy(s, inbox / s.name)
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    assert _check(inbox, wh).passed

    time.sleep(0.05)
    late = inbox / seeds[2].name
    shutil.copy(seeds[2], late)  # lands while (after) the run builds its tables
    result = _check(inbox, wh)
    assert result.passed, result.metadata
    assert result.metadata["arrived_after_the_tables"].value == [str(late)]

    built = os.stat(wh / "stages" / "tables_manifest.json").st_mtime
    os.utime(late, (built - 60, built - 60))  # an old file the run should have seen and did not
    os.utime(wh / "stages" / "tables_manifest.json", (built + 60, built + 60))
    result = _check(inbox, wh)
    assert not result.passed and result.metadata["unaccounted"].value == [str(late)]
