"""What every per-report stage asset does around its stage function: loop, quarantine, validate, write, describe."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable

import dagster as dg
import pandas as pd

from .. import io
from ..column_docs import column_description
from ..lock import warehouse_lock
from ..stage_runner import PIPELINE_ORDER, run_units, start_units, uses_pool
from ..version import text_code_version

log = logging.getLogger(__name__)

STAGE_CODE_VERSION = text_code_version()
# A run tagged ``aid/full=true`` reprocesses every report of its range; otherwise reports whose
# sha256 and code version match the ledger keep their stored rows (``aid-pipeline run --full``).
FULL_RUN_TAG = "aid/full"
PREVIEW_MAX_PARTITIONS = 20
# Set by ``aid-pipeline run`` (in-process execution): a stage may start the next stage's work ahead.
STEPS_IN_ONE_PROCESS_TAG = "aid/steps_in_one_process"


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


def is_full_run(context: dg.AssetExecutionContext) -> bool:
    return str(context.run.tags.get(FULL_RUN_TAG, "")).lower() in ("1", "true", "yes")


def run_stage(
    context: dg.AssetExecutionContext,
    warehouse: str,
    stage: str,
    keys: Iterable[str],
    current_sha: Callable[[list[str]], dict[str, str | None]],
    files: dict | None = None,
    redo: set[str] = frozenset(),
) -> dg.MaterializeResult:
    """Run ``stage`` over the reports of ``keys`` that are new, changed or stale; store, record, describe.

    ``current_sha(keys)`` gives each report's current sha256 (None: unknown); a report whose ledger
    entry for this stage has that sha256 and this code version keeps its stored rows (unless the
    run is tagged ``aid/full``); ``redo`` keys are processed anyway, and so are their later stages.
    The work goes shard by shard (``stage_runner.process_unit``), in
    worker processes for big batches; failures become quarantine rows and the rest goes on.
    """
    with warehouse_lock(warehouse):  # one writer per warehouse (re-entered inside `aid-pipeline run`)
        return _run_stage_locked(context, warehouse, stage, keys, current_sha, files, redo)


def _run_stage_locked(context, warehouse, stage, keys, current_sha, files, redo) -> dg.MaterializeResult:
    keys = list(keys)
    t0 = time.perf_counter()
    shas = current_sha(keys)
    todo, units = plan_units(warehouse, stage, keys, shas, is_full_run(context), redo, files)
    t1 = time.perf_counter()
    results = run_units(stage, warehouse, units)
    t2 = time.perf_counter()

    entries: dict[str, tuple[str | None, str]] = {}
    quarantined: dict[str, dict] = {}
    for r in results:
        # what was read, not what was hashed before: a file rewritten in between is then seen as changed next time
        entries.update({k: (r.get("sha256_read", {}).get(k) or shas.get(k), "ok") for k in r["ok"]})
        entries.update({k: (shas.get(k), "quarantined") for k in r["quarantined"]})
        entries.update({k: (shas.get(k), "upstream_quarantined") for k in r["upstream_missing"]})
        quarantined.update(r["quarantined"])
    io.record_in_ledger(warehouse, stage, entries, STAGE_CODE_VERSION)
    if quarantined or redo:  # their rows left (or must be redone by) the later stages: so must the ledger entries saying they are done
        ledger = io.read_ledger(warehouse)
        later = PIPELINE_ORDER[PIPELINE_ORDER.index(stage) + 1 :]
        stale = ledger["stage"].isin(later) & ledger["partition_key"].isin(set(quarantined) | set(redo))
        if stale.any():
            io.write_ledger(warehouse, ledger[~stale])
    t3 = time.perf_counter()
    # While Dagster records this stage's per-partition events (about 1.5 s per 10,000 reports, in this
    # process), the workers start on the next stage, if this run goes on to it: the same units its
    # step would plan now, collected there (stage_runner.start_units).
    after = PIPELINE_ORDER[PIPELINE_ORDER.index(stage) + 1 :]
    if after and uses_pool(units) and steps_run_in_this_process(context) and runs_later_in_this_run(context, after[0]):
        _, next_units = plan_units(warehouse, after[0], keys, last_raw_shas(warehouse, keys), is_full_run(context))
        if next_units:
            start_units(after[0], warehouse, next_units)

    seconds = {"planning": t1 - t0, "units_wall": t2 - t1, "ledger": t3 - t2}
    for r in results:  # summed over units (in parallel when there is a pool: more than the wall time)
        for name, v in r["seconds"].items():
            seconds[f"units_{name}"] = seconds.get(f"units_{name}", 0.0) + v
    previews = [r["preview"] for r in results if len(r["preview"])]
    stat_totals: dict[str, int] = {}
    for r in results:
        for c, v in r["stat_totals"].items():
            stat_totals[c] = stat_totals.get(c, 0) + v
    details = {
        "reports_in_run": len(keys),
        "reports_skipped_upstream_quarantined": sum(len(r["upstream_missing"]) for r in results),
        "seconds": {k: round(v, 3) for k, v in seconds.items()},
        "totals": {c[2:]: v for c, v in stat_totals.items()},
        "quarantine_reasons": {k: f"{v['reason']}: {v['detail'][:200]}" for k, v in sorted(quarantined.items())[:50]},
    }
    # Dagster repeats a ranged step's metadata on every partition's materialisation event (40,000
    # events at 10,000 reports), where run totals would also read as that one report's numbers.
    # So a big range records them once, as an observation of the asset; each partition's event
    # carries only what is true of it. Small runs (a sensor's few new files) keep them inline.
    metadata = {
        "dagster/row_count": sum(r["rows"] for r in results),
        "reports_processed": sum(len(r["ok"]) for r in results),
        "reports_unchanged": len(keys) - len(todo),
        "reports_quarantined": len(quarantined),
        "cpu_seconds_text_work": round(sum(r["cpu"] for r in results), 3),
        "seconds_units_wall": round(seconds["units_wall"], 3),
        "details": dg.MetadataValue.json(details),
    }
    if stage == "normalised_reports":  # what the clean-up did, in numbers a reader looks for
        for c in ("traditional_converted", "pinyin_removed", "mojibake_repaired", "boilerplate_lines"):
            metadata[f"total_{c}"] = stat_totals.get(f"n_{c}", 0)
    # each partition's event: that report's rows as stored now (0 when quarantined; kept rows when unchanged)
    add_partition_metadata(context, {k: {"dagster/row_count": n} for k, n in rows_per_partition(warehouse, stage, keys).items()})
    if len(keys) <= PREVIEW_MAX_PARTITIONS:
        if len(keys) > 1:  # repeated on every partition's event, where it would read as that report's row count
            metadata["rows_in_run"] = metadata.pop("dagster/row_count")
        metadata["preview"] = dg.MetadataValue.md(preview_markdown(pd.concat(previews).head(8) if previews else pd.DataFrame()))
        return dg.MaterializeResult(metadata=metadata)
    metadata["partitions_in_run"] = len(keys)
    context.log_event(dg.AssetObservation(asset_key=context.asset_key, metadata=metadata))
    return dg.MaterializeResult(metadata={RUN_TOTALS_KEY: dg.MetadataValue.text("in this run's observation of the asset")})


# on a partition's materialisation in a big ranged run: where the run's totals are
RUN_TOTALS_KEY = "run_totals"


def rows_per_partition(warehouse: str, stage: str, keys: list[str]) -> dict[str, int]:
    """How many rows ``stage`` holds for each of ``keys`` (0 for a report without rows):
    ``rows_per_partition(wh, 'report_metrics', ['a', 'b'])`` → ``{'a': 12, 'b': 0}``."""
    stored = io.read_stage_table(warehouse, stage, keys, columns=["partition_key"])["partition_key"]
    counts = {c["values"]: c["counts"] for c in stored.value_counts().to_pylist()} if len(stored) else {}
    return {k: int(counts.get(k, 0)) for k in keys}


def add_partition_metadata(context: dg.AssetExecutionContext, per_partition: dict[str, dict]) -> None:
    """Put ``per_partition[key]`` on the materialisation event of each partition ``key`` of the step.

    ``context.add_asset_metadata(md, partition_key=k)`` does this, but checks each call against the
    run's whole partition range read from the instance and copies everything added so far: quadratic
    (10,000 reports: 10,000 range reads). So the metadata goes into the step's accumulator in one
    update; should Dagster's internals differ, the public call is used for small ranges and nothing
    for big ones (the run totals are still in the asset's observation).
    """
    from dagster._core.execution.context.metadata_logging import AssetMetadataHandle, OutputMetadataAccumulator

    step = getattr(getattr(context, "op_execution_context", None), "_step_execution_context", None)
    acc = getattr(step, "_metadata_accumulator", None)
    if not isinstance(acc, OutputMetadataAccumulator):
        if len(per_partition) <= PREVIEW_MAX_PARTITIONS:
            for key, md in per_partition.items():
                context.add_asset_metadata(md, partition_key=key)
        return
    merged = dict(acc.per_output_metadata)
    for key, md in per_partition.items():
        handle = AssetMetadataHandle(asset_key=context.asset_key, partition_key=key)
        merged[handle] = {**merged.get(handle, {}), **md}
    step._metadata_accumulator = OutputMetadataAccumulator(per_output_metadata=merged)


def plan_units(warehouse: str, stage: str, keys: list[str], shas: dict[str, str | None], full: bool,
               redo: set[str] = frozenset(), files: dict | None = None) -> tuple[list[str], list[tuple]]:
    """The reports of ``keys`` that ``stage`` must process and the work units (one per shard) they make.

    A report is done when its ledger entry for this stage has its current sha256 and this code
    version; ``full`` or ``redo`` process it anyway. ``plan_units(wh, 'report_sections', ['a', 'b'],
    {'a': 'x1', 'b': 'y2'}, False)`` → ``(['b'], [(['b'], None)])`` when only ``a`` is done.
    """
    done = io.read_ledger(warehouse)
    done = done[(done["stage"] == stage) & (done["code_version"] == STAGE_CODE_VERSION)]
    done_sha = dict(zip(done["partition_key"], done["sha256"]))
    if full:
        todo = list(keys)
    else:
        todo = [k for k in keys if k in redo or shas.get(k) is None or done_sha.get(k) != shas.get(k)]
    by_shard: dict[int, list[str]] = {}
    for k in todo:
        by_shard.setdefault(io.shard_of(k), []).append(k)
    units = [(ks, {k: files[k] for k in ks} if files is not None else None) for _, ks in sorted(by_shard.items())]
    return todo, units


def last_raw_shas(warehouse: str, keys: list[str]) -> dict[str, str | None]:
    """The sha256 the raw stage last processed, per report of ``keys`` (what every later stage compares
    with; None for a report it has not seen)."""
    known = io.raw_shas(warehouse)
    return {k: known.get(k) for k in keys}


def steps_run_in_this_process(context: dg.AssetExecutionContext) -> bool:
    """Whether the run says its steps run one after another in one process (``aid-pipeline run``
    executes in process and tags its runs so): only then can a step collect work an earlier step
    started. Runs from the UI, the sensor or the schedule (multi-process executor), Dask or Kubernetes
    run each step in its own process, so nothing is started ahead there (two processes would rewrite
    the same shard)."""
    return str(context.run.tags.get(STEPS_IN_ONE_PROCESS_TAG, "")).lower() == "true"


def runs_later_in_this_run(context: dg.AssetExecutionContext, asset: str) -> bool:
    """Whether ``asset`` is materialised by the running run (its selection, or else its job's assets)."""
    key = dg.AssetKey(asset)
    selection = context.run.asset_selection
    if selection:  # (an in-process run of a whole job has an empty one)
        return key in selection
    steps = context.run.step_keys_to_execute
    if steps is not None:
        return asset in steps
    return key in context.job_def.asset_layer.executable_asset_keys


def raw_shas(warehouse: str) -> Callable[[list[str]], dict[str, str | None]]:
    """``current_sha`` for stages after raw_reports: the sha256 the raw stage last recorded per report."""

    def current_sha(keys: list[str]) -> dict[str, str | None]:
        return last_raw_shas(warehouse, keys)

    return current_sha


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
    """The Arrow schema of a table as Dagster's ``dagster/column_schema`` metadata, each column with its
    description (``aid_pipeline.column_docs``)."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name=f.name, type=str(f.type), description=column_description(table, f.name))
                 for f in io.SCHEMAS[table]]
    )
