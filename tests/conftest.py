"""Shared fixtures: one in-process run of the whole graph over the seeds plus bad files."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def pipeline_run(tmp_path_factory):
    """Materialise every asset over the five seeds and three bad files into a temp warehouse."""
    from aid_pipeline.cli import run_pipeline

    base = tmp_path_factory.mktemp("e2e")
    inbox = base / "inbox"
    shutil.copytree(SEEDS, inbox)
    (inbox / "empty report.txt").write_bytes(b"")
    (inbox / "binary.txt").write_bytes(bytes(range(256)) * 8)
    (inbox / "undecodable.txt").write_bytes(b"\x81\x30\xff\xfe\xa0" * 50)
    warehouse = base / "warehouse"
    instance = dg.DagsterInstance.ephemeral()
    result = run_pipeline(str(inbox), str(warehouse), instance=instance, quiet=True)
    return {"result": result, "inbox": inbox, "warehouse": warehouse, "instance": instance}
