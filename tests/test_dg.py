"""Issue 16, item 14: the `dg` CLI (dagster-dg-cli) loads the project: `dg list defs` and `dg check defs`."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DG = Path(sys.executable).parent / "dg"


def dg(args: list[str], home: Path) -> subprocess.CompletedProcess:
    home.mkdir(exist_ok=True)
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n")
    env = {**os.environ, "DAGSTER_HOME": str(home), "VIRTUAL_ENV": sys.prefix, "NO_COLOR": "1"}
    return subprocess.run([str(DG), *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    if not DG.exists():
        pytest.skip("dg is not installed (dagster-dg-cli, in the dev extra)")
    return tmp_path_factory.mktemp("dg_home")


def test_dg_lists_the_projects_assets_jobs_sensor_and_schedule(home):
    from aid_pipeline.orchestration.definitions import build_defs

    out = dg(["list", "defs", "--json"], home)
    assert out.returncode == 0, out.stderr[-2000:]
    listed = json.loads(out.stdout)
    ours = build_defs().get_repository_def().asset_graph
    assert sorted(a["asset_key"] for a in listed["assets"]) == sorted(k.to_user_string() for k in ours.get_all_asset_keys())
    assert {"raw_reports", "metrics", "facts", "funding_by_donor_year"} <= {a["asset_key"] for a in listed["assets"]}
    assert {j["name"] for j in listed["jobs"]} >= {"process_reports", "rebuild_tables"}
    assert [s["name"] for s in listed["sensors"]] == ["inbox_sensor"]
    assert [s["name"] for s in listed["schedules"]] == ["daily_rebuild"]


def test_dg_check_defs_passes(home):
    out = dg(["check", "defs"], home)
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    assert "All definitions loaded successfully" in out.stdout + out.stderr
