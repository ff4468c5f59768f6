"""raw_reports: one partition per inbox file — bytes read, hashed, encoding detected, decoded."""

import dagster as dg

from ..inbox import list_inbox
from ..resources import PipelineSettings
from ..stages import QuarantineError, read_raw
from .common import run_stage, stage_asset


@stage_asset(
    "raw_reports",
    "Raw report files: sha256, detected encoding and the decoded text, one partition per file.",
)
def raw_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    files = {f.partition_key: f for f in list_inbox(settings.inbox)}

    def work(key: str) -> list[dict]:
        file = files.get(key)
        if file is None:
            raise QuarantineError("file_missing", f"no file in the inbox {settings.inbox!r} has partition key {key!r}")
        return [read_raw(file)]

    def source_of(key: str):
        file = files.get(key)
        return (str(file.path) if file else f"{settings.inbox}/{key}", None, file.report_id if file else None)

    return run_stage(context, settings.warehouse, "raw_reports", context.partition_keys, work, source_of)
