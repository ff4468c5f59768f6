"""normalised_reports: Simplified text without pinyin, chrome or mojibake, its offset map, and metadata."""

import dagster as dg

from ..partitions import report_partitions
from ..resources import PipelineSettings
from ..stages import normalise_report
from .common import BACKFILL, STAGE_CODE_VERSION, run_stage, upstream_rows
from .raw import raw_reports


def raw_source(warehouse: str):
    """``source_of`` for stages after raw_reports: path, sha256 and report_id from the raw stage row."""

    def source_of(key: str):
        rows = upstream_rows(warehouse, "raw_reports", key) or [{}]
        r = rows[0]
        return (r.get("source_path", key), r.get("sha256"), r.get("report_id"))

    return source_of


@dg.asset(
    partitions_def=report_partitions,
    backfill_policy=BACKFILL,
    deps=[raw_reports],
    group_name="stages",
    code_version=STAGE_CODE_VERSION,
    kinds={"python", "parquet"},
    description="Normalised Simplified-Chinese text with an offset map to the raw text, and report metadata.",
)
def normalised_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    wh = settings.warehouse

    def work(key: str):
        raw = upstream_rows(wh, "raw_reports", key)
        return None if raw is None else [normalise_report(raw[0])]

    return run_stage(context, wh, "normalised_reports", context.partition_keys, work, raw_source(wh))
