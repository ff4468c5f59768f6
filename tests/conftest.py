"""Shared fixtures: one in-process run of the whole graph over the seeds plus bad files."""

import shutil
from pathlib import Path

import dagster as dg
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="session", autouse=True)
def no_tail_process_left_behind(tmp_path_factory):
    """After the whole suite, no `tail -F` that a run started for its step logs may be alive (issue 16
    item 14: `make test` once left 48). Dagster's own watcher ends an orphaned one within a second or
    so; one still there after 20 s was left behind for good."""
    yield
    import os
    import time

    from test_compute_logs import processes_mentioning

    roots = [str(tmp_path_factory.getbasetemp())]
    if os.environ.get("DAGSTER_HOME"):
        roots.append(os.path.join(os.environ["DAGSTER_HOME"], "storage"))

    def tails():
        return [p for r in roots for p in processes_mentioning(r) if os.path.basename(p[0]) == "tail"]

    deadline = time.monotonic() + 20
    while tails() and time.monotonic() < deadline:
        time.sleep(0.5)
    assert tails() == [], "tail processes left behind by the suite's runs"


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture()
def inbox(tmp_path, seeds_dir):
    """A fresh inbox holding the first two seeds (a test file may define its own ``inbox``)."""
    path = tmp_path / "inbox"
    path.mkdir()
    for s in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.copy(s, path / s.name)
    return path


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
