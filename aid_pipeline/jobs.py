"""The job that materialises every stage, table, aggregate and check, and how to run it over many reports."""

from __future__ import annotations

import dagster as dg
from dagster._core.storage.tags import ASSET_PARTITION_RANGE_END_TAG, ASSET_PARTITION_RANGE_START_TAG


process_reports = dg.define_asset_job(
    "process_reports",
    selection=dg.AssetSelection.all(),
    description="Every stage for a range of report partitions in ONE run, then the tables, aggregates and checks.",
)

rebuild_tables = dg.define_asset_job(
    "rebuild_tables",
    selection=dg.AssetSelection.groups("tables", "aggregates"),
    description="Rebuild the contract tables, aggregates and their checks from the stage data already written.",
)


def range_tags(first_key: str, last_key: str) -> dict[str, str]:
    """Tags that make one run cover partitions ``first_key..last_key`` (single-run backfill of a range)."""
    return {ASSET_PARTITION_RANGE_START_TAG: first_key, ASSET_PARTITION_RANGE_END_TAG: last_key}
