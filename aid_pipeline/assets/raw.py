"""raw_reports: one partition per inbox file — bytes read, hashed, encoding detected, decoded."""

import dagster as dg

from ..batch import MissingFile
from ..inbox import list_inbox, sha256_of
from ..resources import PipelineSettings
from .common import run_stage, stage_asset


@stage_asset(
    "raw_reports",
    "Raw report files: sha256, detected encoding and the decoded text, one partition per file.",
)
def raw_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    files = {f.partition_key: f for f in list_inbox(settings.inbox)}

    def current_sha(keys):
        out = {}
        for key in keys:
            file = files.get(key)
            try:
                out[key] = sha256_of(file.path.read_bytes()) if file is not None else None
            except OSError:  # gone or unreadable: the stage itself says which, as a quarantine row
                out[key] = None
        return out

    def payloads(keys):
        # a key whose file is gone still gets a payload, so read_raw quarantines it as file_missing
        return {k: files.get(k) or MissingFile(settings.inbox, k) for k in keys}

    def source_of(key: str):
        file = files.get(key)
        return (str(file.path) if file else f"{settings.inbox}/{key}", None, file.report_id if file else None)

    return run_stage(context, settings.warehouse, "raw_reports", context.partition_keys, current_sha, payloads, source_of)
