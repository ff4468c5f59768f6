"""What every per-report stage asset does around its stage function: loop, quarantine, validate, write, describe."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import dagster as dg
import pandas as pd
import pandera.errors

from .. import io
from ..checks.schemas import MODELS, failure_report_ids
from ..stages import QuarantineError

log = logging.getLogger(__name__)

STAGE_CODE_VERSION = "1"


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


def run_stage(
    context: dg.AssetExecutionContext,
    warehouse: str,
    stage: str,
    keys: Iterable[str],
    work: Callable[[str], list[dict]],
    source_of: Callable[[str], tuple[str, str | None, str | None]],
) -> dg.MaterializeResult:
    """Run ``work(key)`` for every partition key; failures become quarantine rows, rows are validated then written.

    ``work`` returns the stage rows of one report ([] when the report has no upstream rows, i.e. it was
    quarantined earlier); ``source_of(key)`` gives (source_path, sha256, report_id) for quarantine rows.
    """
    keys = list(keys)
    frames: dict[str, list[dict]] = {}
    quarantined: dict[str, dict] = {}
    skipped = 0
    t_start = time.perf_counter()
    for key in keys:
        try:
            rows = work(key)
        except QuarantineError as exc:
            path, sha, rid = source_of(key)
            quarantined[key] = quarantine_row(stage, key, path, exc.reason, exc.detail, exc.sha256 or sha, rid)
            continue
        except Exception as exc:  # a bug or an input we did not foresee: keep it in view, go on with the rest
            log.exception("stage %s failed on %s", stage, key)
            path, sha, rid = source_of(key)
            quarantined[key] = quarantine_row(
                stage, key, path, f"{stage}_failed", f"{type(exc).__name__}: {exc}", sha, rid
            )
            continue
        if rows is None:
            skipped += 1
            continue
        frames[key] = rows

    t_work = time.perf_counter()
    all_rows = [r for rows in frames.values() for r in rows]
    # one typed Arrow table for the batch: validated as pandas, then sliced per report for writing
    table = io.to_arrow(pd.DataFrame(all_rows), io.SCHEMAS[stage]) if all_rows else io.SCHEMAS[stage].empty_table()
    offsets, at = {}, 0
    for key, rows in frames.items():
        offsets[key] = (at, len(rows))
        at += len(rows)
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
        df = df[~df["report_id"].isin(bad)]

    t_valid = time.perf_counter()
    for key in frames:
        io.write_table(table.slice(*offsets[key]), io.stage_path(warehouse, stage, key))
        q = io.stage_path(warehouse, "quarantine", key)
        if q.exists() and _quarantined_at(q) == stage:
            q.unlink()
    for key, row in quarantined.items():
        io.remove_stage_files(warehouse, key, stages=_this_and_downstream(stage))
        io.write_stage(pd.DataFrame([row]), warehouse, "quarantine", key)

    t_end = time.perf_counter()
    return dg.MaterializeResult(
        metadata={
            "dagster/row_count": len(df),
            "seconds_reading_and_stage_work": round(t_work - t_start, 3),
            "seconds_validating": round(t_valid - t_work, 3),
            "seconds_writing": round(t_end - t_valid, 3),
            "reports_processed": len(frames),
            "reports_quarantined": len(quarantined),
            "reports_skipped_upstream_quarantined": skipped,
            "quarantine_reasons": dg.MetadataValue.json(
                {k: f"{v['reason']}: {v['detail'][:200]}" for k, v in sorted(quarantined.items())[:50]}
            ),
            "preview": dg.MetadataValue.md(preview_markdown(df)),
            "dagster/column_schema": column_schema(stage),
            **{f"total_{c[2:]}": int(df[c].fillna(0).sum()) for c in io.STAT_COLUMNS if c in df.columns},
        }
    )


def _quarantined_at(path) -> str | None:
    try:
        return str(io.read_frame(path)["stage"].iloc[0])
    except Exception:
        return None


PIPELINE_ORDER = ("raw_reports", "normalised_reports", "report_sections", "report_metrics")


def _this_and_downstream(stage: str) -> tuple[str, ...]:
    return PIPELINE_ORDER[PIPELINE_ORDER.index(stage) :]


def upstream_rows(warehouse: str, stage: str, key: str) -> list[dict] | None:
    """A report's rows of an upstream stage as dicts, or None when it has none (quarantined upstream)."""
    path = io.stage_path(warehouse, stage, key)
    if not path.exists():
        return None
    return io.read_frame(path).to_dict("records")


def raw_source(warehouse: str):
    """``source_of`` for stages after raw_reports: path, sha256 and report_id from the raw stage row."""

    def source_of(key: str):
        rows = upstream_rows(warehouse, "raw_reports", key) or [{}]
        r = rows[0]
        return (r.get("source_path", key), r.get("sha256"), r.get("report_id"))

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
