"""report_metrics: every metric mention with value in base units, unit, qualifier, type and attribution."""

import dagster as dg

from ..resources import PipelineSettings
from .common import raw_shas, run_stage, stage_asset
from .normalised import normalised_reports
from .sections import report_sections


@stage_asset(
    "report_metrics",
    "Metric mentions traced to section, sentence, normalised and raw character offsets.",
    deps=[report_sections, normalised_reports],
)
def report_metrics(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse
    return run_stage(context, wh, "report_metrics", context.partition_keys, raw_shas(wh))
