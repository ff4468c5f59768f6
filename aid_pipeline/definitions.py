"""The one Definitions object that workspace.yaml and `dagster dev` load."""

import dagster as dg

from .assets.metrics import report_metrics
from .assets.normalised import normalised_reports
from .assets.raw import raw_reports
from .assets.sections import report_sections
from .assets.tables import (
    contract_tables,
    cumulative_by_donor,
    facts,
    funding_by_donor_year,
    metrics_by_category,
    plans_by_donor,
    report_summary,
)
from .checks.asset_checks import all_checks
from .jobs import process_reports, rebuild_tables
from .resources import PipelineSettings, settings_from_env
from .sensors import daily_rebuild, inbox_sensor


def build_defs(settings: PipelineSettings | None = None) -> dg.Definitions:
    """The Definitions with the given inbox/warehouse settings (default: from the environment)."""
    return dg.Definitions(
        assets=[
            raw_reports,
            normalised_reports,
            report_sections,
            report_metrics,
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
        schedules=[daily_rebuild],
        resources={"settings": settings or settings_from_env()},
    )


defs = build_defs()
