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
