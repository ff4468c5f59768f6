"""One shard's reports through the stages: load inputs, run the stage function, validate, store (no Dagster import).

A *unit* of work is the reports of one hash shard through all four stages, in one worker process
(``process_shard``): it reads and writes that shard's files only, so units never touch each
other's files and run in parallel worker processes. Only the ledger (one small file) is written by
the caller, after the units.

``process_unit('report_sections', 'warehouse', ['000_ab', '001_cd'])`` →
``{'ok': ['000_ab', '001_cd'], 'quarantined': {}, 'upstream_missing': [], 'rows': 14, 'cpu': 0.03, …}``
"""

from __future__ import annotations

import functools
import logging
import time

import pandas as pd
import pandera.errors
import pyarrow as pa

from ..warehouse import io
from .batch import PARALLEL_MIN_REPORTS, get_pool, process_one, workers
from ..contract.schemas import MODELS, failure_report_ids, typed_table_schema
from ..warehouse.inbox import printable_path
from ..contract.arrow import STAGE_ORDER as STAGES

log = logging.getLogger(__name__)

def quarantine_row(stage: str, key: str, source_path: str, reason: str, detail: str, sha256=None, report_id=None) -> dict:
    return {
        "source_path": printable_path(source_path),
        "sha256": sha256,
        "reason": reason,
        "detail": detail,
        "report_id": report_id,
        "partition_key": key,
        "stage": stage,
    }


# What each stage function reads of its upstream rows (``stages.section_report`` and
# ``stages.extract_report_metrics``): only these columns are loaded, not the section texts, the
# dropped lines or the mojibake spans. A function that reads another column fails loudly (KeyError),
# and the tests run every stage.
INPUT_COLUMNS: dict[tuple[str, str], list[str]] = {
    ("report_sections", "normalised_reports"): ["report_id", "text"],
    ("report_metrics", "normalised_reports"): ["report_id", "text", "offsets", "offset_ends", "publish_date", "donor", "recipients"],
    ("report_metrics", "report_sections"): ["ordinal", "kind", "category", "start", "end", "sentence_starts", "sentence_ends"],
}


def rows_by_key(warehouse: str, stage: str, keys: list[str], columns: list[str] | None = None) -> dict[str, list[dict]]:
    """An upstream stage's rows of ``keys`` as dicts (only ``columns`` when given), grouped by partition
    key (keys without rows absent)."""
    out: dict[str, list[dict]] = {}
    if not keys:
        return out
    for row in io.read_stage(warehouse, stage, keys, columns=columns).to_dict("records"):
        out.setdefault(row["partition_key"], []).append(row)
    return out


def load_inputs(stage: str, warehouse: str, keys: list[str], files: dict | None = None) -> dict[str, object]:
    """The stage function's input per report; a report with nothing upstream (quarantined earlier) is absent."""
    if stage == "raw_reports":
        return {k: files[k] for k in keys}
    if stage == "normalised_reports":
        return {k: rows[0] for k, rows in rows_by_key(warehouse, "raw_reports", keys).items()}
    if stage == "report_sections":
        norm = rows_by_key(warehouse, "normalised_reports", keys, INPUT_COLUMNS[(stage, "normalised_reports")])
        return {k: rows[0] for k, rows in norm.items()}
    if stage == "report_metrics":
        norm = rows_by_key(warehouse, "normalised_reports", keys, INPUT_COLUMNS[(stage, "normalised_reports")])
        secs = rows_by_key(warehouse, "report_sections", keys, INPUT_COLUMNS[(stage, "report_sections")])
        return {k: (norm[k][0], secs.get(k, [])) for k in keys if k in norm}
    raise ValueError(f"unknown stage {stage!r}")


def sources(stage: str, warehouse: str, keys: list[str], files: dict | None = None) -> dict[str, tuple]:
    """(source_path, sha256, report_id) per key, for quarantine rows: the inbox file, else the last raw row."""
    known = io.read_stage_table(warehouse, "raw_reports", keys, columns=["source_path", "sha256", "report_id"]).to_pylist()
    out = {r["partition_key"]: (r["source_path"], r["sha256"], r["report_id"]) for r in known}
    for k in keys:
        f = (files or {}).get(k)
        if f is not None:
            out[k] = (str(f.path), None, f.report_id)
        elif k not in out:
            out[k] = (k, None, None)
    return out


@functools.cache
def stored_rows_schema(stage: str):
    """The stage's pandera model as checked on its typed Arrow rows (built once per process)."""
    return typed_table_schema(MODELS[stage])


def process_unit(stage: str, warehouse: str, keys: list[str], files: dict | None = None) -> dict:
    """Run ``stage`` over ``keys`` (all in one shard), store the rows and quarantine rows; summarise."""
    t0 = time.perf_counter()
    inputs = load_inputs(stage, warehouse, keys, files)
    upstream_missing = [k for k in keys if k not in inputs]
    t1 = time.perf_counter()

    frames: dict[str, list[dict]] = {}
    failures: dict[str, tuple] = {}
    cpu = 0.0
    for key in keys:
        if key not in inputs:
            continue
        outcome = process_one(stage, inputs.pop(key))
        cpu += outcome[-1]
        if outcome[0] == "rows":
            for row in outcome[1]:
                row["partition_key"] = key
            frames[key] = outcome[1]
        else:
            failures[key] = outcome
    del inputs
    t2 = time.perf_counter()

    quarantined: dict[str, dict] = {}
    where = sources(stage, warehouse, keys, files) if failures else {}
    for key, outcome in failures.items():
        path, sha, rid = where[key]
        if outcome[0] == "quarantine":
            _, reason, detail, exc_sha, _ = outcome
            quarantined[key] = quarantine_row(stage, key, path, reason, detail, exc_sha or sha, rid)
        else:
            log.error("stage %s failed on %s: %s", stage, key, outcome[1])
            quarantined[key] = quarantine_row(stage, key, path, f"{stage}_failed", outcome[1], sha, rid)

    all_rows = [r for rows in frames.values() for r in rows]
    table = io.rows_to_arrow(all_rows, io.SCHEMAS[stage]) if all_rows else io.SCHEMAS[stage].empty_table()
    del all_rows
    # validated as the typed columns that will be stored (vectorised; no coercion needed or wanted)
    df = table.to_pandas(types_mapper=io._arrow_types_mapper)
    try:
        stored_rows_schema(stage).validate(df, lazy=True)
    except pandera.errors.SchemaErrors as err:
        bad = failure_report_ids(df, err)
        summary = err.failure_cases.head(20).to_string(max_colwidth=60)
        where = sources(stage, warehouse, keys, files)
        for key in list(frames):
            rid = frames[key][0]["report_id"] if frames[key] else None
            if rid in bad:
                path, sha, _ = where[key]
                quarantined[key] = quarantine_row(stage, key, path, "schema_violation", summary[:2000], sha, rid)
                del frames[key]
        keep = ~df["report_id"].isin(bad)
        df = df[keep]
        table = table.filter(pa.array(keep.to_numpy()))
    t3 = time.perf_counter()

    store_outcomes(warehouse, stage, keys, table, quarantined)
    t4 = time.perf_counter()
    light = df.drop(columns=[c for c in ("raw_text", "text", "offsets", "offset_ends", "corrupt_spans", "dropped_lines", "edits") if c in df])
    light = light.head(8).astype(object).where(light.head(8).notna(), None)
    return {
        "ok": sorted(frames),
        # the sha256 of the bytes the raw stage actually read (the file may have changed since it was hashed)
        "sha256_read": {k: frames[k][0]["sha256"] for k in frames if frames[k] and frames[k][0].get("sha256")}
        if stage == "raw_reports" else {},
        "quarantined": quarantined,
        "upstream_missing": upstream_missing,
        "rows": len(df),
        "cpu": cpu,
        "stat_totals": {c: int(df[c].fillna(0).sum()) for c in io.STAT_COLUMNS if c in df.columns},
        "preview": light,
        "seconds": {"loading_inputs": t1 - t0, "stage_work": t2 - t1, "validating": t3 - t2, "writing": t4 - t3},
    }


def store_outcomes(warehouse: str, stage: str, keys: list[str], table, quarantined: dict[str, dict]) -> None:
    """Replace the stage rows of ``keys`` with ``table``; keep the quarantine store and later stages in step.

    A report quarantined here loses its rows in every later stage (their ledger entries are dropped
    by the caller), so nothing stale of it reaches the tables; a report that now passes loses the
    quarantine row this stage once gave it.
    """
    io.update_stage(warehouse, stage, keys, table)
    old_q = io.read_stage(warehouse, "quarantine", keys)
    keep_q = old_q[old_q["stage"] != stage]
    new_q = pd.concat([keep_q, pd.DataFrame(list(quarantined.values()), columns=io.SCHEMAS["quarantine"].names)])
    if len(old_q) or quarantined:
        io.update_stage(warehouse, "quarantine", set(old_q["partition_key"]) | set(quarantined),
                        io.to_arrow(new_q, io.SCHEMAS["quarantine"]))
    if quarantined:
        for later in STAGES[STAGES.index(stage) + 1 :]:
            io.update_stage(warehouse, later, set(quarantined))


def process_shard(warehouse: str, keys: list[str], files: dict, stages=STAGES) -> dict[str, dict]:
    """One unit of work: the reports of ``keys`` (one shard) through every stage of ``stages`` in turn, in
    this process (decode → normalise → segment → extract); ``{stage: process_unit's summary}``.

    Each stage reads what the one before it stored for these reports: a report quarantined at a stage
    is ``upstream_missing`` in every later one, so nothing stale of it stays in a later stage."""
    return {stage: process_unit(stage, warehouse, keys, files if stage == "raw_reports" else None) for stage in stages}


def _process_shard_args(args: tuple) -> dict[str, dict]:
    return process_shard(*args)


def uses_pool(units: list[tuple[list[str], dict | None]], n_workers: int | None = None,
              min_reports: int | None = None) -> bool:
    """Whether ``run_units`` runs these units in the worker pool (enough reports to pay for it: ``min_reports``,
    else ``PARALLEL_MIN_REPORTS``)."""
    n = workers() if n_workers is None else n_workers
    least = PARALLEL_MIN_REPORTS if min_reports is None else min_reports
    return n > 1 and len(units) >= 2 and sum(len(keys) for keys, _ in units) >= least


def run_units(warehouse: str, units: list[tuple[list[str], dict | None]], n_workers: int | None = None,
              stages=STAGES, min_reports: int | None = None) -> list[dict[str, dict]]:
    """``process_shard`` over every unit, in the worker pool when the batch is big enough to pay for it
    (biggest units first, so the last ones to finish are small); results in the order of ``units``."""
    args = [(warehouse, keys, files, stages) for keys, files in units]
    if not uses_pool(units, n_workers, min_reports):
        return [process_shard(*a) for a in args]
    order = sorted(range(len(args)), key=lambda i: -len(args[i][1]))
    out: list[dict] = [None] * len(args)  # type: ignore[list-item]
    n = workers() if n_workers is None else n_workers
    for i, r in zip(order, get_pool(n).map(_process_shard_args, [args[i] for i in order])):
        out[i] = r
    return out
