"""report_sections: headings, section kinds (lead/body/appended/caption), aid categories and sentences."""

import dagster as dg

from ..partitions import report_partitions
from ..resources import PipelineSettings
from ..stages import section_report
from .common import BACKFILL, STAGE_CODE_VERSION, run_stage, upstream_rows
from .normalised import normalised_reports, raw_source


@dg.asset(
    partitions_def=report_partitions,
    backfill_policy=BACKFILL,
    deps=[normalised_reports],
    group_name="stages",
    code_version=STAGE_CODE_VERSION,
    kinds={"python", "parquet"},
    description="Sections of each normalised report with heading, kind, aid category and sentence offsets.",
)
def report_sections(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse

    def work(key: str):
        norm = upstream_rows(wh, "normalised_reports", key)
        return None if norm is None else section_report(norm[0])

    return run_stage(context, wh, "report_sections", context.partition_keys, work, raw_source(wh))
