"""The four stage assets as ONE multi-asset: every new, changed or stale report of the inbox through
decode → normalise → segment → extract, one hash shard per unit of work, in worker processes.

Not partitioned: Dagster sees one materialisation per stage per run (whose metadata counts what
the run did: processed, unchanged, quarantined with reasons, a preview of the failing reports);
what each report went through is kept per report in the warehouse (the ledger, ``reports`` and
``quarantine``), and ``aid_pipeline.runner.plan`` decides which reports are fresh.
"""

import time

import dagster as dg
import pandas as pd

from ...warehouse import io
from ...warehouse.inbox import list_inbox
from ...warehouse.lock import warehouse_lock
from ...runner.plan import STAGES, plan, registered_reports, shard_units
from ..resources import PipelineSettings
from ...launch import ALLOW_EMPTY_INBOX_TAG  # set by `aid-pipeline run --allow-empty-inbox`
from ...runner.stage_runner import run_units
from .common import STAGE_CODE_VERSION, column_schema, is_full_run, preview_markdown

QUARANTINE_PREVIEW = 50

DESCRIPTIONS = {
    "raw_reports": "Raw report files: sha256, detected encoding and the decoded text, one row per file.",
    "normalised_reports": "Normalised text (simplified script, pinyin and chrome removed, mojibake repaired), "
                          "metadata and the offset map back to the raw text, one row per report.",
    "report_sections": "Sections of every report: heading, kind, category, sentence bounds, offsets.",
    "report_metrics": "Metric mentions traced to section, sentence, normalised and raw character offsets.",
}

# the stage asset keys, for the assets that read the stage data (the tables): deps=[raw_reports, …]
raw_reports, normalised_reports, report_sections, report_metrics = (dg.AssetKey(s) for s in STAGES)


def registered_keys(context) -> list[str]:
    """The reports the tables are built from: those the warehouse holds (``plan.registered_reports``)."""
    return registered_reports(context.resources.settings.warehouse)


@dg.multi_asset(
    name="report_stages",
    specs=[
        dg.AssetSpec(
            stage,
            deps=list(STAGES[:i]),
            group_name="stages",
            description=DESCRIPTIONS[stage],
            code_version=STAGE_CODE_VERSION,
            kinds={"python", "parquet"},
            metadata={"dagster/column_schema": column_schema(stage)},
        )
        for i, stage in enumerate(STAGES)
    ],
    can_subset=False,
)
def report_stages(context: dg.AssetExecutionContext, settings: PipelineSettings):
    """Every report of the inbox that is new, changed or stale (all with the ``aid/full`` tag) through
    the four stages; reports whose file left the inbox leave the stage data and the ledger."""
    with warehouse_lock(settings.warehouse):  # one writer per warehouse (re-entered inside `aid-pipeline run`)
        outcome = run_stages(settings.inbox, settings.warehouse, full=is_full_run(context),
                             allow_empty_inbox=str(context.run.tags.get(ALLOW_EMPTY_INBOX_TAG, "")).lower() == "true",
                             settings=settings)
    for stage in STAGES:
        yield dg.MaterializeResult(asset_key=stage, metadata=outcome[stage])


class EmptyInboxRefused(dg.Failure):
    """The inbox holds nothing while the warehouse holds reports: they are not all removed."""


def run_stages(inbox: str, warehouse: str, full: bool = False, allow_empty_inbox: bool = False,
               settings: PipelineSettings | None = None) -> dict[str, dict]:
    """Plan, run the units, record the ledger; the metadata of each stage's materialisation (shards, workers and
    the pool's threshold from ``settings``)."""
    settings = settings or PipelineSettings(inbox=inbox, warehouse=warehouse)
    t0 = time.perf_counter()
    files = list_inbox(inbox)
    p = plan(warehouse, files, STAGES, STAGE_CODE_VERSION, full)
    if not files and p.gone and not allow_empty_inbox:
        raise EmptyInboxRefused(
            f"the inbox {inbox!r} is empty, but the warehouse holds {len(p.gone)} reports: nothing is removed (an "
            "unmounted or wrongly emptied inbox would empty every table); to remove them all, run "
            "`aid-pipeline run --allow-empty-inbox`")
    # the warehouse's shard count (recorded before the first shard is written); another asked-for count is refused
    n_shards = io.ensure_shard_layout(warehouse, settings.n_shards or None, record=bool(p.todo))
    io.forget_reports(warehouse, p.gone)
    t1 = time.perf_counter()
    results = run_units(warehouse, shard_units(p.todo, p.files, n_shards), n_workers=settings.workers or None,
                        min_reports=settings.parallel_min_reports)
    t2 = time.perf_counter()

    # one sha256 per report for every stage's ledger entry: what the raw stage read (the file may have
    # changed since it was hashed: then it is seen as changed next time), else the planned fingerprint
    read = {k: v for r in results for k, v in r["raw_reports"]["sha256_read"].items()}
    sha = {k: read.get(k) or p.shas.get(k) for k in p.todo}
    entries: dict[str, dict[str, tuple[str | None, str]]] = {}
    for stage in STAGES:
        mine = entries[stage] = {}
        for r in results:
            s = r[stage]
            mine.update({k: (sha[k], "ok") for k in s["ok"]})
            mine.update({k: (sha[k], "quarantined") for k in s["quarantined"]})
            mine.update({k: (sha[k], "upstream_quarantined") for k in s["upstream_missing"]})
    io.record_in_ledger(warehouse, entries, STAGE_CODE_VERSION)
    t3 = time.perf_counter()

    seconds = {"planning": t1 - t0, "units_wall": t2 - t1, "ledger": t3 - t2}
    out = {}
    for stage in STAGES:
        mine = [r[stage] for r in results]
        q = {k: v for s in mine for k, v in s["quarantined"].items()}
        stat_totals: dict[str, int] = {}
        for s in mine:
            for c, v in s["stat_totals"].items():
                stat_totals[c] = stat_totals.get(c, 0) + v
        previews = [s["preview"] for s in mine if len(s["preview"])]
        stage_seconds = {}
        for s in mine:  # summed over units (in parallel when there is a pool: more than the wall time)
            for name, v in s["seconds"].items():
                stage_seconds[name] = stage_seconds.get(name, 0.0) + v
        md = {
            "dagster/row_count": io.stage_row_count(warehouse, stage),
            "reports_in_warehouse": len(p.files),
            "reports_processed": sum(len(s["ok"]) for s in mine),
            "reports_unchanged": len(p.unchanged),
            "reports_quarantined": len(q),
            "reports_skipped_upstream_quarantined": sum(len(s["upstream_missing"]) for s in mine),
            "rows_written_in_run": sum(s["rows"] for s in mine),
            "cpu_seconds_text_work": round(sum(s["cpu"] for s in mine), 3),
            "quarantine_reasons": dg.MetadataValue.json(dict(sorted(pd.Series(
                [v["reason"] for v in q.values()], dtype=object).value_counts().items()))),
            "quarantined_reports": dg.MetadataValue.md(quarantine_markdown(q)),
            "preview": dg.MetadataValue.md(preview_markdown(pd.concat(previews).head(8) if previews else pd.DataFrame())),
            "seconds": dg.MetadataValue.json({k: round(v, 3) for k, v in stage_seconds.items()}),
        }
        if stage == "raw_reports":  # the run as a whole: its plan and its units (all four stages)
            md["reports_removed"] = len(p.gone)
            md["seconds_units_wall"] = round(seconds["units_wall"], 3)
            md["run_seconds"] = dg.MetadataValue.json({k: round(v, 3) for k, v in seconds.items()})
        if stage == "normalised_reports":  # what the clean-up did, in numbers a reader looks for
            for c in ("traditional_converted", "pinyin_removed", "mojibake_repaired", "boilerplate_lines"):
                md[f"total_{c}"] = stat_totals.get(f"n_{c}", 0)
        out[stage] = md
    return out


def quarantine_markdown(quarantined: dict[str, dict], n: int = QUARANTINE_PREVIEW) -> str:
    """The reports a stage quarantined in this run, one line each (the first ``n``):
    ``| bad | file_missing | the file disappeared… |``"""
    if not quarantined:
        return "_none_"
    lines = ["| report | reason | detail |", "|---|---|---|"]
    for key, row in sorted(quarantined.items())[:n]:
        detail = str(row["detail"]).replace("\n", " ").replace("|", "\\|")[:200]
        lines.append(f"| {key} | {row['reason']} | {detail} |")
    if len(quarantined) > n:
        lines.append(f"| … | {len(quarantined) - n} more | in the quarantine table |")
    return "\n".join(lines)
