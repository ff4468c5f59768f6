"""What a run does to the files in the warehouse folder besides its tables: it removes only the temp
files it wrote itself, and its tables get the permissions any new file gets (the umask)."""

import os
import stat

import dagster as dg

from aid_pipeline.cli import run_pipeline


def test_a_run_leaves_the_users_own_temp_files_alone(tmp_path, inbox):
    wh = tmp_path / "wh"
    (wh / "notes").mkdir(parents=True)
    mine = [wh / ".draft.tmp", wh / "notes" / ".todo.tmp", wh / "notes" / ".reports.parquet.backup.tmp"]
    for p in mine:
        p.write_text("the user's own file", encoding="utf-8")
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    for p in mine:
        assert p.read_text(encoding="utf-8") == "the user's own file"


def test_a_temp_file_left_by_a_killed_write_is_removed(tmp_path, inbox):
    import tempfile

    from aid_pipeline.warehouse import io

    wh = tmp_path / "wh"
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    # what write_table leaves when the process is killed between creating its temp file and the rename
    fd, left = tempfile.mkstemp(prefix=f"{io.TEMP_PREFIX}metrics.parquet.", suffix=".tmp", dir=wh)
    os.close(fd)
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    assert not os.path.exists(left)


def test_tables_honour_the_umask(tmp_path, inbox):
    wh = tmp_path / "wh"
    old = os.umask(0o022)
    try:
        assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    finally:
        os.umask(old)
    for name in ("reports", "metrics", "funding_by_donor_year"):
        assert stat.S_IMODE((wh / f"{name}.parquet").stat().st_mode) == 0o644, name
    assert stat.S_IMODE((wh / "stages" / "ledger.parquet").stat().st_mode) == 0o644
