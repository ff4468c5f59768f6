"""The contract tables (reports, texts, sections, metrics, quarantine, …) and the aggregates.

They are rebuilt from the stage files of every report partition currently registered, so a report
whose file left the inbox (and whose partition was removed) drops out of every table.
"""


import bisect
import json
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from .. import charts
from ...warehouse import io, switch, tables
from ...warehouse.aggregates import AGGREGATES, build_aggregate
from ...warehouse.lock import warehouse_lock
from ..resources import PipelineSettings
from ...contract.version import text_code_version
from .common import column_schema, is_full_run, preview_markdown
from .report_stages import normalised_reports, raw_reports, registered_keys, report_metrics, report_sections

CONTRACT_TABLES = ("reports", "texts", "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines", "edits")
DESCRIPTIONS = {
    "reports": "One row per report: source, hash, encoding, metadata, counts, original script.",
    "texts": "Raw decoded text, normalised text and the offset map between them, per report.",
    "sections": "Sections of every report with heading, kind, category and offsets into the normalised text.",
    "metrics": "Every metric mention: value in base units, unit, qualifier, type, attribution (most specific donor, "
               "its province), period, the whole it is part of, scope (aid/context) and lineage offsets.",
    "quarantine": "Every input that could not be processed, with the stage, a reason code and a sentence for people.",
    "corrupt_spans": "Every mojibake run found in a raw text and what it was repaired to.",
    "dropped_lines": "Every raw line removed from an article body (page chrome, bylines, footers) and why.",
    "edits": "Every change a normalisation step made to a raw text, in order and in raw offsets: which steps touched "
             "any character.",
}
SORT_KEYS = {
    "reports": ["report_id"],
    "texts": ["report_id"],
    "sections": ["report_id", "ordinal"],
    "metrics": ["report_id", "start", "end"],
    "quarantine": ["source_path", "stage"],
    "corrupt_spans": ["report_id", "raw_start"],
    "dropped_lines": ["report_id", "raw_start"],
    "edits": ["report_id", "ordinal"],
}


def column_lineage(name: str) -> dg.TableColumnLineage | None:
    """``dagster/column_lineage`` of a table from ``tables.COLUMN_SOURCES`` (None when it has none)."""
    sources = tables.COLUMN_SOURCES.get(name)
    if not sources:
        return None
    return dg.TableColumnLineage(
        deps_by_column={
            col: [dg.TableColumnDep(asset_key=dg.AssetKey(asset), column_name=src) for asset, src in deps]
            for col, deps in sources.items()
        }
    )


def static_metadata(name: str) -> dict:
    """Metadata known before any run: column schema and, where a column comes from upstream ones, lineage."""
    md = {"dagster/column_schema": column_schema(name)}
    lineage = column_lineage(name)
    if lineage is not None:
        md["dagster/column_lineage"] = lineage
    return md


def table_metadata(df: pd.DataFrame, name: str, path) -> dict:
    return {
        "dagster/row_count": len(df),
        "path": dg.MetadataValue.path(str(path)),
        "preview": dg.MetadataValue.md(preview_markdown(df)),
        **static_metadata(name),
    }


_PACKAGE = Path(__file__).resolve().parents[2]
# what builds the tables and aggregates from the stage rows (this module, the table rules, facts, switch, charts)
TABLE_CODE_FILES = tuple(_PACKAGE / f for f in ("orchestration/assets/tables.py", "warehouse/tables.py", "warehouse/aggregates.py", "warehouse/facts.py",
                                              "warehouse/switch.py", "orchestration/charts.py"))


def tables_code_version() -> str:
    """The stage code version plus a digest of what builds the tables: a change rebuilds them in full, and it is the
    table and aggregate assets' ``code_version`` (the UI marks them stale when it changes)."""
    import hashlib

    digest = hashlib.sha256(text_code_version().encode())
    for path in TABLE_CODE_FILES:
        digest.update(path.read_bytes())
    for name in CONTRACT_TABLES:
        digest.update(str(io.SCHEMAS[name]).encode())
    return digest.hexdigest()[:16]


TABLES_CODE_VERSION = tables_code_version()


@dg.multi_asset(
    specs=[
        dg.AssetSpec(
            name,
            deps=[raw_reports, normalised_reports, report_sections, report_metrics],
            group_name="tables",
            description=DESCRIPTIONS[name],
            code_version=TABLES_CODE_VERSION,
            kinds={"parquet"},
            metadata=static_metadata(name),
        )
        for name in CONTRACT_TABLES
    ],
    can_subset=False,
    # one run with the stage partitions' range (`dagster asset materialize --select '*' --partition-range A...B`)
    backfill_policy=dg.BackfillPolicy.single_run(),
)
def contract_tables(context: dg.AssetExecutionContext, settings: PipelineSettings):
    """The contract tables over every registered report: rebuilt in full, or — when only a few reports
    changed since the last build with the same code — the previous tables with those reports' rows
    replaced (the same bytes a full rebuild gives; ``tests/test_incremental_tables.py``)."""
    with warehouse_lock(settings.warehouse):  # one writer per warehouse (re-entered inside `aid-pipeline run`)
        yield from _contract_tables(context, settings)


def _contract_tables(context: dg.AssetExecutionContext, settings: PipelineSettings):
    from ...runner.batch import shutdown_pool

    shutdown_pool()  # the stage work is done: the workers' memory goes back before the big tables are built
    wh = settings.warehouse
    keys = registered_keys(context)
    # reports whose partition was removed (their file left the inbox) leave the stage data too
    io.forget_reports(wh, set(io.read_ledger(wh)["partition_key"]) - set(keys))
    state = current_state(wh, keys)
    before = read_manifest(wh)
    changed, gone = _changes(before, state)
    full = (before is None or is_full_run(context)
            or len(changed) + len(gone) > INCREMENTAL_MAX_SHARE * max(len(keys), 1))
    note = f"{'full' if full else 'incremental'}: {len(changed)} reports new or changed, {len(gone)} removed"
    if full:  # each table written as soon as it is built, so at most two big tables are held at a time
        from ..asset_checks import forget_checked

        forget_checked(wh)  # and every table check looks at every row again
        tables_out = build_contract(wh, keys)
    else:
        affected = ({before[k][0] for k in changed + gone if k in before} | {state[k][0] for k in changed}) - {None}
        fresh = dict(build_contract(wh, changed)) if changed else {}
        tables_out = ((name, _patched(wh, name, fresh, affected, set(changed + gone))) for name in CONTRACT_TABLES)

    def described(name: str, table: pa.Table, path) -> dg.MaterializeResult:
        head = table.slice(0, 8).drop_columns([c for c in ("raw_text", "offsets", "offset_ends") if c in table.column_names])
        return dg.MaterializeResult(
            asset_key=name,
            metadata={
                **table_metadata(head.to_pandas(types_mapper=io._types_mapper), name, path),
                "dagster/row_count": len(table),
                "build": note,
            },
        )

    # Parquet is written on a second thread (Arrow releases the GIL) while the next table is built.
    # Every table is staged first, then all are switched at once (aid_pipeline/warehouse/switch.py): a kill
    # never leaves tables from two builds.
    results = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="aid-table-writer") as writer:
        pending = None
        for name, table in tables_out:
            written = writer.submit(io.write_table, table, switch.staged_path(wh, name))
            if pending is not None:
                pending[2].result()
                results.append(described(pending[0], pending[1], io.table_path(wh, pending[0])))
            pending = (name, table, written)
            del table
        if pending is not None:
            pending[2].result()
            results.append(described(pending[0], pending[1], io.table_path(wh, pending[0])))
    switch.switch_tables(wh, list(CONTRACT_TABLES), manifest_body(state), aggregates=list(AGGREGATES))
    yield from results


# above this share of reports new, changed or removed, the tables are rebuilt from scratch
INCREMENTAL_MAX_SHARE = 0.25




manifest_path = io.manifest_path


def current_state(wh: str, keys: list[str]) -> dict[str, tuple[str | None, str | None, str | None]]:
    """Per registered key: (report_id, sha256, path it was read from) of the rows stored for it: the
    sha256 of its raw row (the bytes read), else what the ledger says of a report quarantined unread.
    A key with no row stored at all is ``(None, None, None)``, which is never taken as unchanged: the
    manifest only ever vouches for rows that are there."""
    sha = io.raw_shas(wh)
    paths = io.source_paths(wh, keys)
    rows = io.read_stage_table(wh, "raw_reports", keys, columns=["report_id", "sha256"]).to_pylist()
    rid = {r["partition_key"]: r["report_id"] for r in rows}
    read = {r["partition_key"]: r["sha256"] for r in rows}
    return {k: (rid.get(k), read.get(k, sha.get(k)), paths.get(k)) if k in paths else (None, None, None) for k in keys}


def read_manifest(wh: str) -> dict[str, tuple] | None:
    """What the current tables were built from, or None when they must be rebuilt (missing, other code)."""
    path = manifest_path(wh)
    if not path.exists() or not all(io.table_path(wh, n).exists() for n in CONTRACT_TABLES):
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("code_version") != TABLES_CODE_VERSION:
        return None
    return {k: tuple(v) for k, v in data["reports"].items()}


def manifest_body(state: dict) -> dict:
    """The manifest of tables built from ``state`` (written by the switch, ``aid_pipeline/warehouse/switch.py``)."""
    return {"code_version": TABLES_CODE_VERSION, "reports": {k: list(v) for k, v in sorted(state.items())}}


def _changes(before: dict | None, state: dict) -> tuple[list[str], list[str]]:
    if before is None:
        return sorted(state), []
    changed = sorted(k for k, v in state.items() if before.get(k) != v or v[1] is None)
    gone = sorted(k for k in before if k not in state)
    return changed, gone


def _patched(wh: str, name: str, fresh: dict, affected: set[str], keys_changed: set[str]) -> pa.Table:
    """The previous ``name`` table with the changed reports' rows replaced by ``fresh``'s."""
    old = pq.read_table(io.table_path(wh, name)).cast(io.SCHEMAS[name])
    new = fresh.get(name, io.SCHEMAS[name].empty_table())
    if SORT_KEYS[name][0] == "report_id":  # splice the changed reports' blocks in, no full copy
        return splice_reports(old, new, affected)
    drop = pa.array(sorted(keys_changed), type=pa.string())  # quarantine: small, keyed by partition
    keep = old.filter(pc.invert(pc.is_in(old["partition_key"], value_set=drop)))
    return _sorted(pa.concat_tables([keep, new]), SORT_KEYS[name])


def splice_reports(old: pa.Table, new: pa.Table, drop_ids: set[str]) -> pa.Table:
    """``old`` (sorted by report_id first) without the rows of ``drop_ids``, with ``new``'s report blocks
    inserted where they sort: the same rows and order as sorting the union, built from zero-copy slices.

    ``splice_reports(t(['a','b','c']), t(['b','d']), {'b'})`` → rows ``a, b(new), c, d``.
    """
    ids = old.column("report_id").to_pylist()
    events: list[tuple[int, int, object]] = []
    for rid in sorted(drop_ids):
        a, b = bisect.bisect_left(ids, rid), bisect.bisect_right(ids, rid)
        if a < b:
            events.append((a, 1, b))
    new_ids = new.column("report_id").to_pylist()
    start = 0
    for i in range(1, len(new_ids) + 1):
        if i == len(new_ids) or new_ids[i] != new_ids[start]:
            events.append((bisect.bisect_left(ids, new_ids[start]), 0, new.slice(start, i - start)))
            start = i
    events.sort(key=lambda e: (e[0], e[1]))
    pieces, pos = [], 0
    for at, kind, x in events:
        if at > pos:
            pieces.append(old.slice(pos, at - pos))
            pos = at
        if kind == 0:
            pieces.append(x)
        else:
            pos = max(pos, x)
    pieces.append(old.slice(pos))
    return pa.concat_tables(pieces)


def _sorted(table: pa.Table, keys: list[str]) -> pa.Table:
    """Stable sort by ``keys``: the order ``tables.sort_rows`` gives the same rows in pandas."""
    if len(table) == 0:
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))


def build_contract(wh: str, keys: list[str]):
    """The contract tables over the stage data of ``keys``: yields (name, typed sorted Arrow table), the
    biggest first, dropping what each needed before the next is built."""
    raw = io.read_stage(wh, "raw_reports", keys, columns=RAW_COLUMNS)
    norm = io.read_stage(wh, "normalised_reports", keys, columns=NORM_COLUMNS)  # the big text columns stay in Arrow
    quar = io.read_stage(wh, "quarantine", keys)
    # Rows of a report that was quarantined at a later stage must not linger from an earlier run.
    ok = set(norm["report_id"]) - set(quar["report_id"].dropna())
    norm = norm[norm["report_id"].isin(ok)]

    def typed(name: str, df: pd.DataFrame) -> pa.Table:
        return io.to_arrow(tables.sort_rows(df, SORT_KEYS[name]), io.SCHEMAS[name])

    yield "texts", texts_table(wh, keys, ok)
    yield "quarantine", typed("quarantine", quar)
    yield "corrupt_spans", typed("corrupt_spans", tables.build_corrupt_spans(norm))
    yield "dropped_lines", typed("dropped_lines", tables.build_dropped_lines(norm))
    yield "edits", typed("edits", tables.build_edits(norm))
    secs = stage_rows_table(wh, "report_sections", keys, ok, "sections")
    n_sections = secs.select(["report_id"]).to_pandas()
    yield "sections", secs
    del secs
    mets = stage_rows_table(wh, "report_metrics", keys, ok, "metrics")
    n_metrics = mets.select(["report_id"]).to_pandas()
    yield "metrics", mets
    del mets
    yield "reports", typed("reports", tables.build_reports(raw, norm, n_sections, n_metrics))


def stage_rows_table(wh: str, stage: str, keys: list[str], ok: set[str], name: str) -> pa.Table:
    """A contract table that is a stage's rows as they are (sections, metrics), in Arrow from end to end:
    the rows of the ``ok`` reports, the table's columns and types, sorted by its keys (stable: the
    order and bytes the pandas ``sort_rows`` + ``to_arrow`` route gives, without a Python object per value)."""
    schema = io.SCHEMAS[name]
    rows = io.rows_where_in(io.read_stage_table(wh, stage, keys), "report_id", ok)
    columns = [rows[f.name].cast(f.type) if f.name in rows.column_names else pa.nulls(len(rows), f.type) for f in schema]
    return _sorted(pa.Table.from_arrays(columns, schema=schema).combine_chunks(), SORT_KEYS[name])


# what the pandas tables need of the stage rows (the texts and offsets go to `texts` through Arrow)
RAW_COLUMNS = ["report_id", "source_path", "sha256", "encoding"]
NORM_COLUMNS = [f.name for f in io.SCHEMAS["normalised_reports"] if f.name not in ("text", "offsets", "offset_ends")]


def texts_table(wh: str, keys: list[str], ok: set[str]) -> pa.Table:
    """The ``texts`` table straight from the stage shards in Arrow, rows ordered by report_id: each ok
    report's raw text, normalised text and offset map, without turning 10,000 offset lists into Python."""
    norm = io.read_stage_table(wh, "normalised_reports", keys, columns=["report_id", "text", "offsets", "offset_ends"])
    norm = io.rows_where_in(norm, "report_id", ok)
    # one contiguous chunk before the take: a take across the 16 shards' chunks is 3-5x slower for lists
    norm = norm.combine_chunks()
    norm = norm.take(pc.sort_indices(norm, sort_keys=[("report_id", "ascending")]))
    raw = io.read_stage_table(wh, "raw_reports", keys, columns=["report_id", "raw_text"]).combine_chunks()
    row_of = {rid: i for i, rid in enumerate(raw["report_id"].to_pylist())}
    take = pa.array([row_of.get(rid) for rid in norm["report_id"].to_pylist()], type=pa.int64())
    columns = {
        "report_id": norm["report_id"],
        "raw_text": raw["raw_text"].take(take),
        "text": norm["text"],
        "offsets": norm["offsets"],
        "offset_ends": norm["offset_ends"],
    }
    return pa.table([columns[f.name] for f in io.SCHEMAS["texts"]], schema=io.SCHEMAS["texts"])


def _aggregate(name: str, description: str, chart=None, group: str = "aggregates", extra_metadata=None):
    """An asset for table ``name`` of ``aggregates.AGGREGATES`` (its builder, upstream tables and columns read),
    written under the warehouse lock; ``chart(df)`` → markdown; ``extra_metadata(df)`` → more metadata."""
    _, upstream, _ = AGGREGATES[name]

    @dg.asset(
        name=name,
        deps=list(upstream),
        group_name=group,
        description=description,
        code_version=TABLES_CODE_VERSION,
        kinds={"parquet"},
        metadata=static_metadata(name),
        backfill_policy=dg.BackfillPolicy.single_run(),
    )
    def _asset(context: dg.AssetExecutionContext, settings: PipelineSettings) -> dg.MaterializeResult:
        wh = settings.warehouse
        with warehouse_lock(wh, recover_aggregates=False):
            df, note = build_aggregate(wh, name, full=is_full_run(context))
            path = io.table_path(wh, name)
            switch.aggregate_done(wh, name)  # rebuilt from the tables of the last switch
        metadata = {**table_metadata(df, name, path), "build": note}
        if chart is not None:
            metadata["chart"] = dg.MetadataValue.md(chart(df))
        if extra_metadata is not None:
            metadata.update(extra_metadata(df))
        return dg.MaterializeResult(metadata=metadata)

    return _asset


metrics_by_category = _aggregate(
    "metrics_by_category",
    "Metric mentions, reports and value sums by section category, unit and metric type.",
    chart=charts.category_chart_md,
)


# ---- facts (issue 12) and the aggregates built on them ----------------------------------------------

FACTS_DESCRIPTION = (
    "One row per fact: the mentions of one figure (same donor, recipient, metric_type, unit, period and scope; "
    "value within the rounding its surfaces state) consolidated, with their metric_ids, the whole it is part of, "
    "and the facts it conflicts with (another value of the same key in another report, in a similar sentence)."
)


def _facts_metadata(df) -> dict:
    return {
        "n_mentions": int(df["n_mentions"].sum()) if len(df) else 0,
        "n_conflicting_facts": int(sum(len(c) > 0 for c in df["conflict"])) if len(df) else 0,
    }


facts = _aggregate("facts", FACTS_DESCRIPTION, chart=charts.facts_chart_md, group="tables",
                   extra_metadata=_facts_metadata)

funding_by_donor_year = _aggregate(
    "funding_by_donor_year",
    "Aid money (CNY) of one year by donor, recipient, year and metric type, from facts: wholes before parts, "
    "each fact once; fact_ids/metric_ids say what each sum adds.",
    chart=charts.funding_chart_md,
)
cumulative_by_donor = _aggregate(
    "cumulative_by_donor",
    "The latest cumulative or to-date figure per donor, recipient, metric type, unit and start year, "
    "with the report and publish date it comes from.",
)
plans_by_donor = _aggregate(
    "plans_by_donor",
    "Planned, targeted and expected figures per donor, recipient, target year, metric type and unit "
    "(never in the actuals).",
)
report_summary = _aggregate(
    "report_summary",
    "Per report: counts and totals by metric type (funding, investment, people sent, projects, trainees, "
    "beneficiaries, jobs) over the facts it states, each once, wholes before parts.",
)
