"""report_sections: headings, section kinds (lead/body/appended/caption), aid categories and sentences."""

import dagster as dg

from ..resources import PipelineSettings
from .common import raw_shas, run_stage, stage_asset
from .normalised import normalised_reports


@stage_asset(
    "report_sections",
    "Sections of each normalised report with heading, kind, aid category and sentence offsets.",
    deps=[normalised_reports],
)
def report_sections(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse
    return run_stage(context, wh, "report_sections", context.partition_keys, raw_shas(wh))
