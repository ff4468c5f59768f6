"""The Dagster UI: a real webserver on a free local port shows every stage, table and check over GraphQL."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["raw_reports", "normalised_reports", "report_sections", "report_metrics"]
CONTRACT = ["reports", "texts", "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines", "edits", "facts"]
AGGREGATES = ["funding_by_donor_year", "metrics_by_category", "report_summary", "cumulative_by_donor", "plans_by_donor"]
CHECKS = {
    # (asset, check) pairs a user looks for on the asset's Checks tab
    *((t, f"{t}_schema") for t in ["reports", "texts", "sections", "metrics", "quarantine", "facts", *AGGREGATES]),
    ("facts", "facts_parts_within_wholes"),
    ("facts", "facts_mentions_agree"),
    ("funding_by_donor_year", "funding_by_donor_year_counts_each_fact_once"),
    ("texts", "texts_are_simplified"),
    ("metrics", "metrics_trace_to_text"),
    ("reports", "every_report_has_a_section"),
    ("quarantine", "every_input_accounted_for"),
}
START_TIMEOUT_S = 90
LOAD_TIMEOUT_S = 120

ASSET_GRAPH_QUERY = """
{
  assetNodes {
    assetKey { path }
    groupName
    isPartitioned
    dependencyKeys { path }
    metadataEntries { label }
    assetChecksOrError { __typename ... on AssetChecks { checks { name } } }
  }
}
"""
LOCATION_QUERY = """
{
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError { __typename ... on PythonError { message } }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(base: str, query: str) -> dict:
    r = requests.post(f"{base}/graphql", json={"query": query}, timeout=60)
    r.raise_for_status()
    body = r.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def wait_for(predicate, timeout: float, what: str, proc: subprocess.Popen, log: Path):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"webserver exited with {proc.returncode} while waiting for {what}:\n{log.read_text()[-3000:]}")
        try:
            value = predicate()
            if value:
                return value
        except requests.RequestException as exc:
            last = exc
        time.sleep(1)
    pytest.fail(f"timed out after {timeout} s waiting for {what} ({last}):\n{log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the webserver's own process group (it and its code server), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def webserver(tmp_path_factory):
    base_dir = tmp_path_factory.mktemp("ui")
    home, inbox, warehouse = base_dir / "dagster_home", base_dir / "inbox", base_dir / "warehouse"
    home.mkdir()
    warehouse.mkdir()
    shutil.copytree(ROOT / "seeds", inbox)
    env = {**os.environ, "DAGSTER_HOME": str(home), "AID_INBOX": str(inbox), "AID_WAREHOUSE": str(warehouse)}
    # a run first, as `make run` then `make ui` would: it writes the project's instance config
    # (batched SQLite event log) and leaves a run and per-report materialisations for the UI to show
    cli = Path(sys.executable).parent / "aid-pipeline"
    done = subprocess.run([str(cli), "run", "--inbox", str(inbox), "--warehouse", str(warehouse)],
                          env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    port = free_port()
    log = base_dir / "webserver.log"
    exe = Path(sys.executable).parent / "dagster-webserver"
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            [str(exe), "-w", "workspace.yaml", "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: requests.get(f"{base}/server_info", timeout=5).ok, START_TIMEOUT_S, "/server_info", proc, log)

        def loaded():
            entries = graphql(base, LOCATION_QUERY)["workspaceOrError"]["locationEntries"]
            entry = next(e for e in entries if e["name"] == "aid_pipeline")
            if entry["loadStatus"] != "LOADED":
                return None
            return entry

        entry = wait_for(loaded, LOAD_TIMEOUT_S, "the aid_pipeline code location", proc, log)
        assert entry["locationOrLoadError"]["__typename"] == "RepositoryLocation", entry
        nodes = graphql(base, ASSET_GRAPH_QUERY)["assetNodes"]
        yield {"base": base, "port": port, "nodes": {"/".join(n["assetKey"]["path"]): n for n in nodes}, "proc": proc}
    finally:
        stop(proc)


def test_webserver_listens_on_loopback_only(webserver):
    with socket.create_connection(("127.0.0.1", webserver["port"]), timeout=5):
        pass
    info = requests.get(f"{webserver['base']}/server_info", timeout=5).json()
    assert "dagster_webserver_version" in info or "dagit_version" in info


def test_asset_graph_has_every_stage_table_and_aggregate(webserver):
    nodes = webserver["nodes"]
    missing = [a for a in STAGES + CONTRACT + AGGREGATES if a not in nodes]
    assert missing == []
    for stage in STAGES:
        assert nodes[stage]["groupName"] == "stages"
        assert not nodes[stage]["isPartitioned"], stage  # per-report state lives in the warehouse (ledger, quarantine)
    for table in CONTRACT:
        assert nodes[table]["groupName"] == "tables"
        assert not nodes[table]["isPartitioned"]
    for agg in AGGREGATES:
        assert nodes[agg]["groupName"] == "aggregates"


def test_asset_graph_edges_follow_the_pipeline(webserver):
    nodes = webserver["nodes"]
    chain = STAGES + ["metrics", "facts", "funding_by_donor_year"]
    for upstream, downstream in zip(chain, chain[1:]):
        parents = {"/".join(k["path"]) for k in nodes[downstream]["dependencyKeys"]}
        assert upstream in parents, (upstream, downstream)


def test_every_asset_check_is_shown_on_its_asset(webserver):
    nodes = webserver["nodes"]
    shown = set()
    for key, node in nodes.items():
        checks = node["assetChecksOrError"]
        assert checks["__typename"] == "AssetChecks", (key, checks)
        shown |= {(key, c["name"]) for c in checks["checks"]}
    assert CHECKS <= shown, sorted(CHECKS - shown)


def test_schema_and_column_lineage_visible_before_any_run(webserver):
    nodes = webserver["nodes"]
    for name in STAGES + CONTRACT + AGGREGATES:
        labels = {e["label"] for e in nodes[name]["metadataEntries"]}
        assert "dagster/column_schema" in labels, name
    for name in ["reports", "texts", "sections", "metrics", "facts", *AGGREGATES]:
        labels = {e["label"] for e in nodes[name]["metadataEntries"]}
        assert "dagster/column_lineage" in labels, name


def test_make_ui_binds_to_loopback():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    out = subprocess.run([make, "-n", "ui"], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    (line,) = [ln for ln in out.stdout.splitlines() if "dagster dev" in ln]
    args = line.split()
    assert args[args.index("-w") + 1] == "workspace.yaml"
    assert args[args.index("-h") + 1] == "127.0.0.1"


def test_the_cli_run_and_its_counts_show_in_the_ui(webserver):
    runs = graphql(webserver["base"], "{ runsOrError { ... on Runs { results { runId status } } } }")["runsOrError"]["results"]
    assert [r["status"] for r in runs] == ["SUCCESS"]
    query = """{ assetOrError(assetKey: {path: ["raw_reports"]}) {
        ... on Asset { assetMaterializations(limit: 50) { runId metadataEntries {
            label ... on IntMetadataEntry { intValue } } } } } }"""
    mats = graphql(webserver["base"], query)["assetOrError"]["assetMaterializations"]
    assert [m["runId"] for m in mats] == [runs[0]["runId"]]  # one materialisation for the run
    counts = {e["label"]: e.get("intValue") for e in mats[0]["metadataEntries"]}
    assert counts["reports_processed"] == len(list((ROOT / "seeds").glob("*.txt")))  # what the run did, in numbers
    assert counts["reports_quarantined"] == 0
