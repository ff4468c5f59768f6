"""raw_reports: one partition per inbox file — bytes read, hashed, encoding detected, decoded."""

import dagster as dg

from ..batch import MissingFile
from ..inbox import list_inbox
from ..stages import file_sha256
from ..resources import PipelineSettings
from .common import raw_source, run_stage, stage_asset


@stage_asset(
    "raw_reports",
    "Raw report files: sha256, detected encoding and the decoded text, one partition per file.",
)
def raw_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    files = {f.partition_key: f for f in list_inbox(settings.inbox)}

    def current_sha(keys):
        # None (gone, unreadable, too large: never read) means "process it", and the stage says what is wrong
        return {k: file_sha256(files[k].path) if k in files else None for k in keys}

    def payloads(keys):
        # a key whose file is gone still gets a payload, so read_raw quarantines it as file_missing
        return {k: files.get(k) or MissingFile(settings.inbox, k) for k in keys}

    last_known = raw_source(settings.warehouse)  # a file gone since its last run: name it as it was

    def source_of(key: str):
        file = files.get(key)
        if file is not None:
            return (str(file.path), None, file.report_id)
        path, sha, rid = last_known(key)
        return (path if path != key else f"{settings.inbox}/{key}", sha, rid)

    return run_stage(context, settings.warehouse, "raw_reports", context.partition_keys, current_sha, payloads, source_of)
