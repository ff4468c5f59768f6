"""What every per-report stage asset does around its stage function: loop, quarantine, validate, write, describe."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import dagster as dg
import pandas as pd
import pandera.errors
import pyarrow as pa

from .. import io
from ..batch import run_batch
from ..checks.schemas import MODELS, failure_report_ids
from ..version import text_code_version

log = logging.getLogger(__name__)

STAGE_CODE_VERSION = text_code_version()
# A run tagged ``aid/full=true`` reprocesses every report of its range; otherwise reports whose
# sha256 and code version match the ledger keep their stored rows (``aid-pipeline run --full``).
FULL_RUN_TAG = "aid/full"
PREVIEW_MAX_PARTITIONS = 20
PIPELINE_ORDER = ("raw_reports", "normalised_reports", "report_sections", "report_metrics")


def stage_asset(name: str, description: str, deps=()):
    """The decorator every per-report stage shares: one dynamic partition per report, all partitions
    of a run processed in ONE run (single-run backfill), grouped as ``stages``, column schema declared."""
    from ..partitions import report_partitions

    return dg.asset(
        name=name,
        metadata={"dagster/column_schema": column_schema(name)},
        partitions_def=report_partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        deps=list(deps),
        group_name="stages",
        code_version=STAGE_CODE_VERSION,
        kinds={"python", "parquet"},
        description=description,
    )


def quarantine_row(stage: str, key: str, source_path: str, reason: str, detail: str, sha256=None, report_id=None) -> dict:
    return {
        "source_path": source_path,
        "sha256": sha256,
        "reason": reason,
        "detail": detail,
        "report_id": report_id,
        "partition_key": key,
        "stage": stage,
    }


def is_full_run(context: dg.AssetExecutionContext) -> bool:
    return str(context.run.tags.get(FULL_RUN_TAG, "")).lower() in ("1", "true", "yes")


def run_stage(
    context: dg.AssetExecutionContext,
    warehouse: str,
    stage: str,
    keys: Iterable[str],
    current_sha: Callable[[list[str]], dict[str, str | None]],
    payloads: Callable[[list[str]], dict[str, object]],
    source_of: Callable[[str], tuple[str, str | None, str | None]],
) -> dg.MaterializeResult:
    """Run ``stage`` over the reports of ``keys`` that are new, changed or stale; store, validate, describe.

    ``current_sha(keys)`` gives each report's current sha256 (None: unknown); a report whose ledger
    entry for this stage has that sha256 and this code version is left as stored. ``payloads(keys)``
    gives the stage function's input per report (None: nothing upstream, the report was quarantined
    earlier). ``source_of(key)`` gives (source_path, sha256, report_id) for quarantine rows.
    Failures become quarantine rows; the other reports go on.
    """
    keys = list(keys)
    t0 = time.perf_counter()
    shas = current_sha(keys)
    done = io.read_ledger(warehouse)
    done = done[(done["stage"] == stage) & (done["code_version"] == STAGE_CODE_VERSION)]
    done_sha = dict(zip(done["partition_key"], done["sha256"]))
    if is_full_run(context):
        todo = keys
    else:
        todo = [k for k in keys if shas.get(k) is None or done_sha.get(k) != shas.get(k)]
    # One shard at a time: its upstream rows are one file, its results are written before the next
    # shard is loaded, so memory stays that of 1/N_SHARDS of the batch however big the run is.
    by_shard: dict[int, list[str]] = {}
    for k in todo:
        by_shard.setdefault(io.shard_of(k), []).append(k)
    seconds = dict.fromkeys(("loading_inputs", "stage_work", "validating", "writing"), 0.0)
    seconds["loading_inputs"] = time.perf_counter() - t0
    counts = dict.fromkeys(("rows", "processed", "quarantined", "upstream_missing"), 0)
    stat_totals = dict.fromkeys(io.STAT_COLUMNS, 0)
    all_quarantined: dict[str, dict] = {}
    cpu = 0.0
    preview_df = None
    for shard in sorted(by_shard):
        result = _run_shard(stage, warehouse, by_shard[shard], shas, payloads, source_of, seconds)
        cpu += result["cpu"]
        all_quarantined.update(result["quarantined"])
        for c in ("rows", "processed", "upstream_missing"):
            counts[c] += result[c]
        counts["quarantined"] += len(result["quarantined"])
        df = result["df"]
        for c in io.STAT_COLUMNS:
            if c in df.columns:
                stat_totals[c] += int(df[c].fillna(0).sum())
        if preview_df is None and len(df):
            preview_df = df.head(8)
        del result, df

    # A ranged run repeats this metadata on every partition's materialisation event, so the
    # markdown preview is kept for small runs only (the contract tables always carry one).
    preview = preview_markdown(preview_df if preview_df is not None else pd.DataFrame())
    if len(keys) > PREVIEW_MAX_PARTITIONS:
        preview = f"_{len(keys)} reports in this run: see the preview on the contract tables (sections, metrics, …)_"
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": counts["rows"],
            "reports_in_run": len(keys),
            "reports_processed": counts["processed"],
            "reports_unchanged": len(keys) - len(todo),
            "reports_quarantined": counts["quarantined"],
            "reports_skipped_upstream_quarantined": counts["upstream_missing"],
            **{f"seconds_{k}": round(v, 3) for k, v in seconds.items()},
            "cpu_seconds_text_work": round(cpu, 3),
            "quarantine_reasons": dg.MetadataValue.json(
                {k: f"{v['reason']}: {v['detail'][:200]}" for k, v in sorted(all_quarantined.items())[:50]}
            ),
            "preview": dg.MetadataValue.md(preview),
            **({f"total_{c[2:]}": v for c, v in stat_totals.items()} if stage == "normalised_reports" else {}),
        }
    )


def _run_shard(stage, warehouse, keys, shas, payloads, source_of, seconds) -> dict:
    """One shard's reports through the stage: load inputs, work (in the pool), validate, store, record."""
    t0 = time.perf_counter()
    inputs = payloads(keys)
    items = [(k, inputs[k]) for k in keys if inputs.get(k) is not None]
    upstream_missing = [k for k in keys if inputs.get(k) is None]
    del inputs
    t1 = time.perf_counter()

    outcomes = run_batch(stage, items)
    del items
    frames: dict[str, list[dict]] = {}
    quarantined: dict[str, dict] = {}
    cpu = 0.0
    for key, outcome in outcomes.items():
        cpu += outcome[-1]
        if outcome[0] == "rows":
            for row in outcome[1]:
                row["partition_key"] = key
            frames[key] = outcome[1]
            continue
        path, sha, rid = source_of(key)
        if outcome[0] == "quarantine":
            _, reason, detail, exc_sha, _ = outcome
            quarantined[key] = quarantine_row(stage, key, path, reason, detail, exc_sha or sha, rid)
        else:
            log.error("stage %s failed on %s: %s", stage, key, outcome[1])
            quarantined[key] = quarantine_row(stage, key, path, f"{stage}_failed", outcome[1], sha, rid)
    del outcomes
    t2 = time.perf_counter()

    all_rows = [r for rows in frames.values() for r in rows]
    # one typed Arrow table for the shard: validated as pandas, stored as Arrow
    table = io.to_arrow(pd.DataFrame(all_rows), io.SCHEMAS[stage]) if all_rows else io.SCHEMAS[stage].empty_table()
    del all_rows
    df = table.to_pandas(types_mapper=io._types_mapper)
    try:
        MODELS[stage].validate(df, lazy=True)
    except pandera.errors.SchemaErrors as err:
        bad = failure_report_ids(df, err)
        summary = err.failure_cases.head(20).to_string(max_colwidth=60)
        for key in list(frames):
            rid = frames[key][0]["report_id"] if frames[key] else None
            if rid in bad:
                path, sha, _ = source_of(key)
                quarantined[key] = quarantine_row(stage, key, path, "schema_violation", summary[:2000], sha, rid)
                del frames[key]
        keep = ~df["report_id"].isin(bad)
        df = df[keep]
        table = table.filter(pa.array(keep.to_numpy()))
    t3 = time.perf_counter()

    store_outcomes(warehouse, stage, keys, table, quarantined)
    entries = {k: (shas.get(k), "ok") for k in frames}
    entries.update({k: (shas.get(k), "quarantined") for k in quarantined})
    entries.update({k: (shas.get(k), "upstream_quarantined") for k in upstream_missing})
    io.record_in_ledger(warehouse, stage, entries, STAGE_CODE_VERSION)
    t4 = time.perf_counter()
    for name, dt in (("loading_inputs", t1 - t0), ("stage_work", t2 - t1), ("validating", t3 - t2), ("writing", t4 - t3)):
        seconds[name] += dt
    return {
        "df": df.drop(columns=[c for c in ("raw_text", "offsets", "offset_ends") if c in df.columns]),
        "cpu": cpu,
        "quarantined": quarantined,
        "rows": len(df),
        "processed": len(frames),
        "upstream_missing": len(upstream_missing),
    }


def store_outcomes(warehouse: str, stage: str, todo: list[str], table, quarantined: dict[str, dict]) -> None:
    """Replace the stage rows of ``todo`` with ``table``; keep the quarantine store and downstream stages in step.

    A report quarantined here loses its rows in this and every later stage (and their ledger
    entries), so nothing stale of it reaches the tables; a report that now passes loses the
    quarantine row this stage once gave it.
    """
    io.update_stage(warehouse, stage, todo, table)
    old_q = io.read_stage(warehouse, "quarantine", todo)
    keep_q = old_q[old_q["stage"] != stage]
    new_q = pd.concat([keep_q, pd.DataFrame(list(quarantined.values()), columns=io.SCHEMAS["quarantine"].names)])
    if len(old_q) or quarantined:
        io.update_stage(warehouse, "quarantine", set(old_q["partition_key"]) | set(quarantined),
                        io.to_arrow(new_q, io.SCHEMAS["quarantine"]))
    if quarantined:
        later = PIPELINE_ORDER[PIPELINE_ORDER.index(stage) + 1 :]
        for s in later:
            io.update_stage(warehouse, s, set(quarantined))
        ledger = io.read_ledger(warehouse)
        stale = ledger["stage"].isin(later) & ledger["partition_key"].isin(set(quarantined))
        if stale.any():
            io.write_ledger(warehouse, ledger[~stale])


def raw_shas(warehouse: str) -> Callable[[list[str]], dict[str, str | None]]:
    """``current_sha`` for stages after raw_reports: the sha256 the raw stage last recorded per report."""

    def current_sha(keys: list[str]) -> dict[str, str | None]:
        ledger = io.read_ledger(warehouse)
        raw = ledger[ledger["stage"] == "raw_reports"]
        known = dict(zip(raw["partition_key"], raw["sha256"]))
        return {k: known.get(k) for k in keys}

    return current_sha


def rows_by_key(warehouse: str, stage: str, keys: list[str]) -> dict[str, list[dict]]:
    """An upstream stage's rows of ``keys`` as dicts, grouped by partition key (keys without rows absent)."""
    out: dict[str, list[dict]] = {}
    if not keys:
        return out
    for row in io.read_stage(warehouse, stage, keys).to_dict("records"):
        out.setdefault(row["partition_key"], []).append(row)
    return out


def raw_source(warehouse: str):
    """``source_of`` for stages after raw_reports: path, sha256 and report_id from the raw stage row."""
    cache: dict[str, tuple] = {}

    def source_of(key: str):
        if key not in cache:
            t = io.read_stage_table(warehouse, "raw_reports", [key]).select(["source_path", "sha256", "report_id"])
            r = t.to_pylist()[0] if len(t) else {}
            cache[key] = (r.get("source_path", key), r.get("sha256"), r.get("report_id"))
        return cache[key]

    return source_of


def preview_markdown(df: pd.DataFrame, n: int = 8, width: int = 40) -> str:
    """The first rows as a markdown table, long cells cut to ``width`` characters."""
    if df.empty:
        return "_no rows_"
    cols = [c for c in df.columns if c not in ("raw_text", "offsets", "offset_ends", "sentence_starts", "sentence_ends")]
    head = df[cols].head(n).copy()
    for c in head.columns:
        head[c] = head[c].map(lambda v: _cell(v, width))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(row) + " |" for row in head.astype(str).values.tolist()]
    return "\n".join(lines)


def _cell(v, width: int) -> str:
    s = "" if v is None else str(v)
    s = s.replace("\n", " ⏎ ").replace("|", "\\|")
    return s if len(s) <= width else s[: width - 1] + "…"


def column_schema(table: str) -> dg.TableSchema:
    """The Arrow schema of a table as Dagster's ``dagster/column_schema`` metadata."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name=f.name, type=str(f.type)) for f in io.SCHEMAS[table]]
    )
