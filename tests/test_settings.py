"""Settings are read when a run is launched, not when a module is imported: the Dagster resource ``PipelineSettings``
(and the daily schedule's cron) take their defaults from the environment when the Definitions are built or
``aid-pipeline run`` starts; a warehouse keeps the shard count it was built with and refuses a run asking another."""

import ast
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from aid_pipeline.cli import run_pipeline
from aid_pipeline.orchestration.definitions import build_defs
from aid_pipeline.orchestration.resources import settings_from_env
from aid_pipeline.warehouse import io

ROOT = Path(__file__).resolve().parent.parent


def environment_read_at_import(path: Path) -> list[int]:
    """Lines of ``path`` that read ``os.environ`` / ``os.getenv`` outside any function (so at import time)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    in_function = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            in_function.update(id(n) for n in ast.walk(node))
    lines = []
    for node in ast.walk(tree):
        if id(node) in in_function:
            continue
        if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv") and getattr(node.value, "id", "") == "os":
            lines.append(node.lineno)
    return sorted(lines)


def test_no_module_reads_the_environment_when_imported():
    # text/__init__.py's AID_PIPELINE_PURE picks compiled or Python text modules while importing them: import-time by
    # nature, and the text core is not a place for settings
    offenders = {}
    for path in sorted((ROOT / "aid_pipeline").rglob("*.py")):
        if path.relative_to(ROOT).as_posix() == "aid_pipeline/text/__init__.py":
            continue
        lines = environment_read_at_import(path)
        if lines:
            offenders[path.relative_to(ROOT).as_posix()] = lines
    assert offenders == {}


def test_the_import_time_check_catches_a_module_level_read(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nN = int(os.environ.get('N', '16'))\n\ndef f():\n    return os.getenv('M')\n")
    assert environment_read_at_import(bad) == [2]


def test_settings_and_cron_come_from_the_environment_at_launch(monkeypatch):
    monkeypatch.setenv("AID_WORKERS", "3")
    monkeypatch.setenv("AID_STAGE_SHARDS", "8")
    monkeypatch.setenv("AID_PARALLEL_MIN_REPORTS", "5")
    monkeypatch.setenv("AID_SCHEDULE_CRON", "15 4 * * *")
    monkeypatch.setenv("AID_INBOX", "/data/in")
    s = settings_from_env(warehouse="/data/wh")  # an argument (a CLI flag) wins over the environment
    assert (s.inbox, s.warehouse, s.workers, s.n_shards, s.parallel_min_reports) == ("/data/in", "/data/wh", 3, 8, 5)
    defs = build_defs()  # the modules were imported long before these variables were set
    assert defs.resolve_schedule_def("daily_rebuild").cron_schedule == "15 4 * * *"
    assert defs.resources["settings"].workers == 3
    monkeypatch.delenv("AID_WORKERS")
    assert settings_from_env().workers == 0  # 0: every usable core


def test_a_run_config_sets_a_field_for_one_run(tmp_path):
    """The launchpad way: ``resources.settings.config`` in the run config sets the fields for one run (Dagster then
    takes the fields it does not name from the class defaults, not from the resource the Definitions hold)."""
    seen = {}

    from aid_pipeline.orchestration.resources import PipelineSettings

    @dg.asset
    def probe_settings(settings: PipelineSettings):
        seen["workers"] = settings.workers
        seen["warehouse"] = settings.warehouse

    result = dg.materialize([probe_settings], resources={"settings": PipelineSettings()},
                            run_config={"resources": {"settings": {"config": {"workers": 2, "warehouse": str(tmp_path)}}}})
    assert result.success and seen == {"workers": 2, "warehouse": str(tmp_path)}


@pytest.fixture()
def two_reports(tmp_path, seeds_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for s in sorted(seeds_dir.glob("*.txt"))[:2]:
        shutil.copy(s, inbox / s.name)
    return inbox


def test_a_new_warehouse_keeps_the_shard_count_of_its_first_run(tmp_path, two_reports, monkeypatch):
    wh = tmp_path / "wh"
    instance = dg.DagsterInstance.ephemeral()
    monkeypatch.setenv("AID_STAGE_SHARDS", "4")
    assert run_pipeline(str(two_reports), str(wh), instance=instance, quiet=True).success
    assert io.shard_count(wh) == 4
    shards = {int(p.stem.split("-")[1]) for p in (wh / "stages").rglob("shard-*.parquet")}
    assert shards and max(shards) < 4

    # without the variable a run uses the warehouse's own count: a third report lands in one of its 4 shards
    monkeypatch.delenv("AID_STAGE_SHARDS")
    extra = sorted((Path(__file__).resolve().parent.parent / "seeds").glob("*.txt"))[2]
    shutil.copy(extra, two_reports / extra.name)
    assert run_pipeline(str(two_reports), str(wh), instance=instance, quiet=True).success
    assert max(int(p.stem.split("-")[1]) for p in (wh / "stages").rglob("shard-*.parquet")) < 4
    assert len(pd.read_parquet(wh / "reports.parquet")) == 3

    # asking for the default 16 on this 4-shard warehouse is refused, naming the count to use; nothing changes
    monkeypatch.setenv("AID_STAGE_SHARDS", "16")
    with pytest.raises(io.ShardLayoutMismatch, match="keeps its stage data in 4 shards.*AID_STAGE_SHARDS=4"):
        run_pipeline(str(two_reports), str(wh), instance=instance, quiet=True, full=True)
    assert io.shard_count(wh) == 4 and len(pd.read_parquet(wh / "reports.parquet")) == 3
