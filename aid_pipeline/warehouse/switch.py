"""Switching the contract tables from one build to the next all at once, even across a kill (no Dagster import).

A build writes every new table to a staged file next to its final one
(``<warehouse>/.aid-tmp.next.<table>.parquet``) while the previous tables stay in place. Then:

1. a journal (``stages/tables_switch.json``) names the staged files and holds the new tables
   manifest — written atomically, it is the moment the new build becomes the truth;
2. each staged file is renamed over its table (``warehouse/<table>.parquet`` stays a plain file that
   any reader keeps opening as before);
3. the manifest is written and the journal keeps only the aggregates still to be rebuilt from the
   new tables; each aggregate step takes its name off the list, the last one removes the journal.

A run killed before step 1 leaves the previous tables untouched (the staged files are temp files:
deleted when the next run takes the warehouse lock: rolled back). Killed after it, the next run to
take the lock finishes the renames and the manifest and rebuilds the aggregates still listed (rolled
forward), before it does anything else. So the tables are from one build or the other, never a mix,
once the lock has been taken again (``aid_pipeline.warehouse.lock.recover``).
"""

from __future__ import annotations

import json
import os

from . import io
from .aggregates import AGGREGATES, build_aggregate

JOURNAL_NAME = "tables_switch.json"


def journal_path(wh: str):
    return io.warehouse_path(wh) / "stages" / JOURNAL_NAME


def staged_path(wh: str, name: str):
    """Where a build writes table ``name`` before the switch: ``wh/.aid-tmp.next.<name>.parquet``."""
    return io.warehouse_path(wh) / f"{io.TEMP_PREFIX}next.{name}.parquet"


def read_journal(wh: str) -> dict | None:
    path = journal_path(wh)
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def switch_tables(wh: str, names: list[str], manifest: dict, aggregates: list[str]) -> None:
    """Make the staged tables ``names`` the tables, with ``manifest`` (written by ``write_manifest``),
    and list ``aggregates`` as to be rebuilt from them, in that order (an aggregate may read one before
    it, as the facts aggregates read ``facts``): steps 1-3 above."""
    io.write_json(journal_path(wh), {"tables": sorted(names), "manifest": manifest, "aggregates_pending": list(aggregates)})
    finish_switch(wh)


def finish_switch(wh: str, rebuild_aggregates: bool = False) -> bool:
    """Roll a switch named by the journal forward: rename the staged tables still there, write the
    manifest, and (``rebuild_aggregates``) rebuild the aggregates still pending. Returns whether
    there was anything to finish."""
    journal = read_journal(wh)
    if journal is None:
        return False
    for name in journal.get("tables", []):
        staged = staged_path(wh, name)
        if staged.exists():  # not yet renamed when the run was killed
            _replace(staged, io.table_path(wh, name))
    if "manifest" in journal:
        io.write_json(io.manifest_path(wh), journal["manifest"])
        pending = journal.get("aggregates_pending", [])
        if pending:
            io.write_json(journal_path(wh), {"aggregates_pending": pending})
        else:
            journal_path(wh).unlink()
        journal = {"aggregates_pending": pending}
    if rebuild_aggregates:
        pending = journal.get("aggregates_pending", [])
        # in aggregates.AGGREGATES order: facts before the aggregates built on it
        for name in [n for n in AGGREGATES if n in pending] + [n for n in pending if n not in AGGREGATES]:
            if name in AGGREGATES:
                build_aggregate(wh, name, full=True)
            aggregate_done(wh, name)
    return True


def aggregate_done(wh: str, name: str) -> None:
    """Aggregate ``name`` was rebuilt from the current tables: off the journal's pending list."""
    journal = read_journal(wh)
    if journal is None or "tables" in journal or name not in journal.get("aggregates_pending", []):
        return
    pending = [n for n in journal["aggregates_pending"] if n != name]
    if pending:
        io.write_json(journal_path(wh), {"aggregates_pending": pending})
    else:
        journal_path(wh).unlink()


def _replace(src, dst) -> None:
    if io.is_object_store(dst):
        src.filesystem.move(src.key, dst.key)
        return
    os.replace(src, dst)
    io.fsync_dir(os.path.dirname(os.fspath(dst)) or ".")
