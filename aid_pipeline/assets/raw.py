"""raw_reports: one partition per inbox file — bytes read, hashed, encoding detected, decoded."""

import dagster as dg

from .. import io
from ..batch import MissingFile
from ..inbox import list_inbox, printable_path
from ..resources import PipelineSettings
from ..stages import inbox_fingerprint
from .common import run_stage, stage_asset


@stage_asset(
    "raw_reports",
    "Raw report files: sha256, detected encoding and the decoded text, one partition per file.",
)
def raw_reports(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
    found = {f.partition_key: f for f in list_inbox(settings.inbox)}
    keys = list(context.partition_keys)
    # a key whose file is gone still gets an input, so the stage quarantines it as file_missing
    files = {k: found.get(k) or MissingFile(settings.inbox, k) for k in keys}

    def current_sha(ks):
        # None (gone, unreadable, too large: never read) means "process it"; the stage says what is wrong
        return {k: inbox_fingerprint(found[k]) if k in found else None for k in ks}

    # a file that is where it was is unchanged when its bytes are; one read from another path (the
    # inbox was moved or renamed) is processed again, so no table keeps pointing at the old path
    last_read_from = io.source_paths(settings.warehouse, keys)
    moved = {k for k in keys if k in found and k in last_read_from and last_read_from[k] != printable_path(found[k].path)}
    # neither a raw row nor a quarantine row stored, whatever the ledger says (rows lost to an
    # overlapping writer before the warehouse lock existed): processed again, as new
    unstored = {k for k in keys if k in found and k not in last_read_from}
    return run_stage(context, settings.warehouse, "raw_reports", keys, current_sha, files, redo=moved | unstored)
