"""normalised_reports: Simplified text without pinyin, chrome or mojibake, its offset map, and metadata."""

import dagster as dg

from ..resources import PipelineSettings
from .common import raw_shas, run_stage, stage_asset
from .raw import raw_reports


@stage_asset(
    "normalised_reports",
    "Normalised Simplified-Chinese text with an offset map to the raw text, and report metadata.",
    deps=[raw_reports],
)
def normalised_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse
    return run_stage(context, wh, "normalised_reports", context.partition_keys, raw_shas(wh))
