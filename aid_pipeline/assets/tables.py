"""The contract tables (reports, texts, sections, metrics, quarantine, …) and the aggregates.

They are rebuilt from the stage files of every report partition currently registered, so a report
whose file left the inbox (and whose partition was removed) drops out of every table.
"""


import dagster as dg
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import charts, io, tables
from ..partitions import REPORTS_PARTITION
from ..resources import PipelineSettings
from .common import column_schema, preview_markdown
from .metrics import report_metrics
from .normalised import normalised_reports
from .raw import raw_reports
from .sections import report_sections

TABLES_CODE_VERSION = "1"
CONTRACT_TABLES = ("reports", "texts", "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines")
DESCRIPTIONS = {
    "reports": "One row per report: source, hash, encoding, metadata, counts, original script.",
    "texts": "Raw decoded text, normalised text and the offset map between them, per report.",
    "sections": "Sections of every report with heading, kind, category and offsets into the normalised text.",
    "metrics": "Every metric mention: value in base units, unit, qualifier, type, attribution and lineage offsets.",
    "quarantine": "Every input that could not be processed, with the stage, a reason code and a sentence for people.",
    "corrupt_spans": "Every mojibake run found in a raw text and what it was repaired to.",
    "dropped_lines": "Every raw line removed from an article body (page chrome, bylines, footers) and why.",
}
SORT_KEYS = {
    "reports": ["report_id"],
    "texts": ["report_id"],
    "sections": ["report_id", "ordinal"],
    "metrics": ["report_id", "start", "end"],
    "quarantine": ["source_path", "stage"],
    "corrupt_spans": ["report_id", "raw_start"],
    "dropped_lines": ["report_id", "raw_start"],
}


def registered_keys(context) -> list[str]:
    return sorted(context.instance.get_dynamic_partitions(REPORTS_PARTITION))


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
)
def contract_tables(context: dg.AssetExecutionContext, settings: PipelineSettings):
    """Concatenate the stage data of every registered report into the contract tables."""
    wh = settings.warehouse
    keys = registered_keys(context)
    # reports whose partition was removed (their file left the inbox) leave the stage data too
    io.forget_reports(wh, set(io.read_ledger(wh)["partition_key"]) - set(keys))
    raw = io.read_stage(wh, "raw_reports", keys, columns=RAW_COLUMNS)
    norm = io.read_stage(wh, "normalised_reports", keys, columns=NORM_COLUMNS)  # the big text columns stay in Arrow
    secs = io.read_stage(wh, "report_sections", keys)
    mets = io.read_stage(wh, "report_metrics", keys)
    quar = io.read_stage(wh, "quarantine", keys)
    # Rows of a report that was quarantined at a later stage must not linger from an earlier run.
    ok = set(norm["report_id"]) - set(quar["report_id"].dropna())
    secs = secs[secs["report_id"].isin(ok)]
    mets = mets[mets["report_id"].isin(ok)]
    norm = norm[norm["report_id"].isin(ok)]
    texts = texts_table(wh, keys, ok)
    built = {
        "reports": tables.build_reports(raw, norm, secs, mets),
        "sections": secs,
        "metrics": mets,
        "quarantine": quar,
        "corrupt_spans": tables.build_corrupt_spans(norm),
        "dropped_lines": tables.build_dropped_lines(norm),
    }
    for name in CONTRACT_TABLES:
        if name == "texts":
            path = io.write_table(texts, io.table_path(wh, name))
            head = texts.slice(0, 8).select(["report_id", "text"]).to_pandas()
            yield dg.MaterializeResult(asset_key=name, metadata={**table_metadata(head, name, path), "dagster/row_count": len(texts)})
            continue
        df = tables.sort_rows(built[name], SORT_KEYS[name])
        path = io.write_frame(df, io.table_path(wh, name), name)
        yield dg.MaterializeResult(asset_key=name, metadata=table_metadata(df, name, path))


# what the pandas tables need of the stage rows (the texts and offsets go to `texts` through Arrow)
RAW_COLUMNS = ["report_id", "source_path", "sha256", "encoding"]
NORM_COLUMNS = [f.name for f in io.SCHEMAS["normalised_reports"] if f.name not in ("text", "offsets", "offset_ends")]


def texts_table(wh: str, keys: list[str], ok: set[str]) -> pa.Table:
    """The ``texts`` table straight from the stage shards in Arrow, rows ordered by report_id (the same
    rows and bytes ``tables.build_texts`` would give, without turning 10,000 offset lists into Python)."""
    norm = io.read_stage_table(wh, "normalised_reports", keys, columns=["report_id", "text", "offsets", "offset_ends"])
    norm = norm.filter(pc.is_in(norm["report_id"], value_set=pa.array(sorted(ok), type=pa.string())))
    norm = norm.take(pc.sort_indices(norm, sort_keys=[("report_id", "ascending")]))
    raw = io.read_stage_table(wh, "raw_reports", keys, columns=["report_id", "raw_text"])
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


def _aggregate(name: str, description: str, build, upstream: tuple[str, ...], chart=None):
    """An aggregate asset: ``build(*upstream tables)`` written to ``<name>.parquet``; ``chart(df)`` → markdown."""

    @dg.asset(
        name=name,
        deps=list(upstream),
        group_name="aggregates",
        description=description,
        code_version=TABLES_CODE_VERSION,
        kinds={"parquet"},
        metadata=static_metadata(name),
    )
    def _asset(settings: PipelineSettings) -> dg.MaterializeResult:
        wh = settings.warehouse
        inputs = [io.read_frame(io.table_path(wh, t)) for t in upstream]
        df = build(*inputs)
        path = io.write_frame(df, io.table_path(wh, name), name)
        metadata = table_metadata(df, name, path)
        if chart is not None:
            metadata["chart"] = dg.MetadataValue.md(chart(df))
        return dg.MaterializeResult(metadata=metadata)

    return _asset


funding_by_donor_year = _aggregate(
    "funding_by_donor_year",
    "Sum of CNY by donor, recipient, year and metric type.",
    tables.funding_by_donor_year,
    ("metrics",),
    chart=charts.funding_chart_md,
)
metrics_by_category = _aggregate(
    "metrics_by_category",
    "Metric mentions, reports and value sums by section category, unit and metric type.",
    tables.metrics_by_category,
    ("metrics",),
    chart=charts.category_chart_md,
)
report_summary = _aggregate(
    "report_summary",
    "Per report: counts and totals of funding, investment, people and projects.",
    tables.report_summary,
    ("reports", "metrics"),
)
