"""report_metrics: every metric mention with value in base units, unit, qualifier, type and attribution."""

import dagster as dg

from ..resources import PipelineSettings
from ..stages import extract_report_metrics
from .common import raw_source, run_stage, stage_asset, upstream_rows
from .normalised import normalised_reports
from .sections import report_sections


@stage_asset(
    "report_metrics",
    "Metric mentions traced to section, sentence, normalised and raw character offsets.",
    deps=[report_sections, normalised_reports],
)
def report_metrics(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse

    def work(key: str):
        norm = upstream_rows(wh, "normalised_reports", key)
        secs = upstream_rows(wh, "report_sections", key)
        if norm is None or secs is None:
            return None
        return extract_report_metrics(norm[0], secs)

    return run_stage(context, wh, "report_metrics", context.partition_keys, work, raw_source(wh))
