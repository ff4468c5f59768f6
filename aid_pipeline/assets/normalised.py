"""normalised_reports: Simplified text without pinyin, chrome or mojibake, its offset map, and metadata."""

import dagster as dg

from ..resources import PipelineSettings
from ..stages import normalise_report
from .common import raw_source, run_stage, stage_asset, upstream_rows
from .raw import raw_reports


@stage_asset(
    "normalised_reports",
    "Normalised Simplified-Chinese text with an offset map to the raw text, and report metadata.",
    deps=[raw_reports],
)
def normalised_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse

    def work(key: str):
        raw = upstream_rows(wh, "raw_reports", key)
        return None if raw is None else [normalise_report(raw[0])]

    return run_stage(context, wh, "normalised_reports", context.partition_keys, work, raw_source(wh))
