"""report_sections: headings, section kinds (lead/body/appended/caption), aid categories and sentences."""

import dagster as dg

from ..resources import PipelineSettings
from ..stages import section_report
from .common import raw_source, run_stage, stage_asset, upstream_rows
from .normalised import normalised_reports


@stage_asset(
    "report_sections",
    "Sections of each normalised report with heading, kind, aid category and sentence offsets.",
    deps=[normalised_reports],
)
def report_sections(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse

    def work(key: str):
        norm = upstream_rows(wh, "normalised_reports", key)
        return None if norm is None else section_report(norm[0])

    return run_stage(context, wh, "report_sections", context.partition_keys, work, raw_source(wh))
