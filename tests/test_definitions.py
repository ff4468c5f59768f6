"""The Definitions load, validate with Dagster's own CLI, and connect every stage."""

import os
import subprocess
import sys
from pathlib import Path

import dagster as dg

from aid_pipeline.definitions import defs

ROOT = Path(__file__).resolve().parent.parent
STAGES = ["raw_reports", "normalised_reports", "report_sections", "report_metrics"]
TABLES = ["reports", "texts", "sections", "metrics", "quarantine", "facts", "funding_by_donor_year", "metrics_by_category", "report_summary", "cumulative_by_donor", "plans_by_donor"]


def test_dagster_definitions_validate(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    dagster = Path(sys.executable).parent / "dagster"
    proc = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_every_stage_and_table_is_an_asset():
    keys = {k.to_user_string() for k in defs.resolve_asset_graph().get_all_asset_keys()}
    assert set(STAGES + TABLES) <= keys


def test_lineage_connects_raw_to_metrics_to_tables():
    graph = defs.resolve_asset_graph()
    chain = STAGES + ["metrics", "facts", "funding_by_donor_year"]
    for upstream, downstream in zip(chain, chain[1:]):
        parents = {p.to_user_string() for p in graph.get(dg.AssetKey(downstream)).parent_keys}
        assert upstream in parents, (upstream, downstream, parents)


def test_stages_are_partitioned_per_report_and_batched_in_one_run():
    graph = defs.resolve_asset_graph()
    for name in STAGES:
        node = graph.get(dg.AssetKey(name))
        assert isinstance(node.partitions_def, dg.DynamicPartitionsDefinition)
        assert node.backfill_policy == dg.BackfillPolicy.single_run()


def test_checks_cover_the_tables():
    checked = {k.asset_key.to_user_string() for k in defs.resolve_asset_graph().asset_check_keys}
    assert {"reports", "texts", "sections", "metrics", "quarantine", "facts", "funding_by_donor_year"} <= checked


def test_sensor_and_schedule_defined():
    assert defs.resolve_sensor_def("inbox_sensor") is not None
    assert defs.resolve_schedule_def("daily_rebuild") is not None


def test_every_asset_declares_its_column_schema():
    graph = defs.resolve_asset_graph()
    for name in STAGES + TABLES:
        schema = graph.get(dg.AssetKey(name)).metadata["dagster/column_schema"]
        assert len(schema.columns) >= 4, name


def test_every_asset_runs_a_partition_range_in_one_run_so_the_dagster_cli_can_materialise_all():
    """`dagster asset materialize --select '*' --partition-range A...B` needs a single-run backfill
    policy on every selected asset, the unpartitioned tables and aggregates included."""
    import dagster as dg

    from aid_pipeline.definitions import build_defs

    graph = build_defs().get_repository_def().asset_graph
    for key in graph.materializable_asset_keys:
        policy = graph.get(key).backfill_policy
        assert policy == dg.BackfillPolicy.single_run(), key
