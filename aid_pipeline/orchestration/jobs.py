"""The job that materialises every stage, table, aggregate and check, and the one that rebuilds the tables."""

from __future__ import annotations

import dagster as dg

process_reports = dg.define_asset_job(
    "process_reports",
    selection=dg.AssetSelection.all(),
    description="Every new, changed or stale report of the inbox through the stages in ONE run, then the tables, "
                "aggregates and checks.",
)

rebuild_tables = dg.define_asset_job(
    "rebuild_tables",
    selection=dg.AssetSelection.groups("tables", "aggregates"),
    description="Rebuild the contract tables, aggregates and their checks from the stage data already written.",
)
