"""The one Definitions object that workspace.yaml and `dagster dev` load."""

import dagster as dg

from .assets.report_stages import report_stages
from .assets.tables import (
    contract_tables,
    cumulative_by_donor,
    facts,
    funding_by_donor_year,
    metrics_by_category,
    plans_by_donor,
    report_summary,
)
from .asset_checks import all_checks
from .jobs import process_reports, rebuild_tables
from .resources import PipelineSettings, settings_from_env
from .sensors import daily_rebuild, inbox_sensor


def build_defs(settings: PipelineSettings | None = None, cron: str | None = None) -> dg.Definitions:
    """The Definitions with the given settings and daily cron (default: from the environment, read now)."""
    return dg.Definitions(
        assets=[
            report_stages,
            contract_tables,
            facts,
            funding_by_donor_year,
            cumulative_by_donor,
            plans_by_donor,
            metrics_by_category,
            report_summary,
        ],
        asset_checks=all_checks,
        jobs=[process_reports, rebuild_tables],
        sensors=[inbox_sensor],
        schedules=[daily_rebuild(cron)],
        resources={"settings": settings or settings_from_env()},
    )


defs = build_defs()
