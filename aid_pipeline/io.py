"""Parquet I/O: explicit Arrow schemas for every table, atomic writes, the warehouse layout.

Layout of a warehouse folder (default ``./warehouse``, or ``$AID_WAREHOUSE``)::

    reports.parquet texts.parquet sections.parquet metrics.parquet quarantine.parquet   (the contract)
    corrupt_spans.parquet dropped_lines.parquet                                          (visible repairs)
    funding_by_donor_year.parquet metrics_by_category.parquet report_summary.parquet   (aggregates)
    stages/<stage>/<partition_key>.parquet                                               (per-report stage data)

Writes go to a temporary file in the same folder and are renamed into place, so a reader (or a
run killed half-way) only ever sees the previous complete file or the new complete file.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

DEFAULT_WAREHOUSE = "warehouse"
STAGES = ("raw_reports", "normalised_reports", "report_sections", "report_metrics", "quarantine")

_str = pa.string()
_i32 = pa.int32()
_i64 = pa.int64()
_f64 = pa.float64()

CORRUPT_SPAN_TYPE = pa.struct(
    [("raw_start", _i32), ("raw_end", _i32), ("raw", _str), ("repaired", _str), ("recovered", pa.bool_())]
)
DROPPED_LINE_TYPE = pa.struct([("text", _str), ("raw_start", _i32), ("raw_end", _i32), ("reason", _str)])

STAT_COLUMNS = (
    "n_traditional_converted",
    "n_pinyin_removed",
    "n_punct_collapsed",
    "n_html_removed",
    "n_mojibake_repaired",
    "n_mojibake_unrecovered",
    "n_boilerplate_lines",
    "n_spaces_removed",
)

SCHEMAS: dict[str, pa.Schema] = {
    # ---- per-report stage data -------------------------------------------------------------
    "raw_reports": pa.schema(
        [
            ("report_id", _str),
            ("partition_key", _str),
            ("source_path", _str),
            ("sha256", _str),
            ("n_bytes", _i64),
            ("encoding", _str),
            ("raw_text", _str),
        ]
    ),
    "normalised_reports": pa.schema(
        [
            ("report_id", _str),
            ("text", _str),
            ("offsets", pa.list_(_i32)),
            ("offset_ends", pa.list_(_i32)),
            ("script", _str),
            ("n_chars_raw", _i32),
            ("n_chars", _i32),
            ("title", _str),
            ("subtitle", _str),
            ("publish_date", pa.date32()),
            ("publish_time", _str),
            ("source", _str),
            ("reporter", _str),
            ("donor", _str),
            ("recipients", pa.list_(_str)),
            ("n_corrupt_spans", _i32),
            ("corrupt_spans", pa.list_(CORRUPT_SPAN_TYPE)),
            ("dropped_lines", pa.list_(DROPPED_LINE_TYPE)),
            *[(c, _i32) for c in STAT_COLUMNS],
        ]
    ),
    "report_sections": pa.schema(
        [
            ("report_id", _str),
            ("section_id", _str),
            ("ordinal", _i32),
            ("heading", _str),
            ("kind", _str),
            ("category", _str),
            ("text", _str),
            ("start", _i32),
            ("end", _i32),
            ("heading_start", _i32),
            ("heading_end", _i32),
            ("n_sentences", _i32),
            ("sentence_starts", pa.list_(_i32)),
            ("sentence_ends", pa.list_(_i32)),
        ]
    ),
    "report_metrics": pa.schema(
        [
            ("report_id", _str),
            ("metric_id", _str),
            ("section_id", _str),
            ("section_kind", _str),
            ("sentence", _str),
            ("surface", _str),
            ("start", _i32),
            ("end", _i32),
            ("raw_start", _i32),
            ("raw_end", _i32),
            ("value", _f64),
            ("value_high", _f64),
            ("unit", _str),
            ("qualifier", _str),
            ("metric_type", _str),
            ("category", _str),
            ("donor", _str),
            ("recipient", _str),
            ("year", _i32),
        ]
    ),
    "quarantine": pa.schema(
        [
            ("source_path", _str),
            ("sha256", _str),
            ("reason", _str),
            ("detail", _str),
            ("report_id", _str),
            ("partition_key", _str),
            ("stage", _str),
        ]
    ),
    # ---- contract tables ---------------------------------------------------------------------
    "reports": pa.schema(
        [
            ("report_id", _str),
            ("source_path", _str),
            ("sha256", _str),
            ("encoding", _str),
            ("n_chars_raw", _i32),
            ("n_chars", _i32),
            ("title", _str),
            ("subtitle", _str),
            ("publish_date", pa.date32()),
            ("source", _str),
            ("donor", _str),
            ("recipients", pa.list_(_str)),
            ("n_sections", _i32),
            ("n_metrics", _i32),
            ("n_corrupt_spans", _i32),
            ("script", _str),
            ("publish_time", _str),
            ("reporter", _str),
            ("partition_key", _str),
            *[(c, _i32) for c in STAT_COLUMNS],
        ]
    ),
    "texts": pa.schema(
        [
            ("report_id", _str),
            ("raw_text", _str),
            ("text", _str),
            ("offsets", pa.list_(_i32)),
            ("offset_ends", pa.list_(_i32)),
        ]
    ),
    "corrupt_spans": pa.schema(
        [
            ("report_id", _str),
            ("raw_start", _i32),
            ("raw_end", _i32),
            ("raw", _str),
            ("repaired", _str),
            ("recovered", pa.bool_()),
        ]
    ),
    "dropped_lines": pa.schema(
        [("report_id", _str), ("text", _str), ("raw_start", _i32), ("raw_end", _i32), ("reason", _str)]
    ),
    "funding_by_donor_year": pa.schema(
        [
            ("donor", _str),
            ("recipient", _str),
            ("year", _i32),
            ("metric_type", _str),
            ("value_cny", _f64),
            ("n_mentions", _i64),
            ("n_reports", _i64),
        ]
    ),
    "metrics_by_category": pa.schema(
        [
            ("category", _str),
            ("unit", _str),
            ("metric_type", _str),
            ("n_mentions", _i64),
            ("n_reports", _i64),
            ("value_sum", _f64),
        ]
    ),
    "report_summary": pa.schema(
        [
            ("report_id", _str),
            ("title", _str),
            ("publish_date", pa.date32()),
            ("donor", _str),
            ("n_sections", _i32),
            ("n_metrics", _i32),
            ("funding_cny", _f64),
            ("investment_cny", _f64),
            ("people", _f64),
            ("projects", _f64),
            ("n_corrupt_spans", _i32),
        ]
    ),
}
SCHEMAS["sections"] = SCHEMAS["report_sections"]
SCHEMAS["metrics"] = SCHEMAS["report_metrics"]


def warehouse_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The warehouse folder: the explicit argument, else ``$AID_WAREHOUSE``, else ``./warehouse``."""
    return Path(explicit or os.environ.get("AID_WAREHOUSE") or DEFAULT_WAREHOUSE)


def table_path(warehouse: str | os.PathLike, table: str) -> Path:
    """``table_path('wh', 'metrics')`` → ``Path('wh/metrics.parquet')``."""
    return Path(warehouse) / f"{table}.parquet"


def stage_path(warehouse: str | os.PathLike, stage: str, partition_key: str) -> Path:
    """``stage_path('wh', 'raw_reports', 'k')`` → ``Path('wh/stages/raw_reports/k.parquet')``."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return Path(warehouse) / "stages" / stage / f"{partition_key}.parquet"


def to_arrow(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    """The frame's columns in schema order and types (missing columns → nulls)."""
    n = len(df)
    arrays = []
    for field in schema:
        if field.name in df.columns:
            values = df[field.name]
            if pa.types.is_date32(field.type):
                values = pd.to_datetime(values, errors="coerce").dt.date
            arrays.append(pa.array(_nullable(values), type=field.type, from_pandas=True))
        else:
            arrays.append(pa.nulls(n, type=field.type))
    return pa.Table.from_arrays(arrays, schema=schema)


def _nullable(values: pd.Series) -> list:
    """Python values with pandas NA/NaT turned into None (NaN floats are kept for float columns)."""
    if values.dtype.kind in "fiub":
        return values.to_numpy()
    return [None if (v is None or v is pd.NA or v is pd.NaT) else v for v in values.tolist()]


def write_table(table: pa.Table, path: str | os.PathLike) -> Path:
    """Atomically write ``table`` to ``path`` (temp file in the same folder, fsync, rename)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh, compression="zstd")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    return path


def write_frame(df: pd.DataFrame, path: str | os.PathLike, schema_name: str) -> Path:
    """Write a frame with the named explicit schema: ``write_frame(df, 'wh/metrics.parquet', 'metrics')``."""
    return write_table(to_arrow(df, SCHEMAS[schema_name]), path)


def read_frame(path: str | os.PathLike) -> pd.DataFrame:
    """Read a Parquet file into pandas (list columns as Python lists, nullable ints as Int32)."""
    return pq.read_table(path).to_pandas(types_mapper=_types_mapper)


def _types_mapper(t: pa.DataType):
    if pa.types.is_integer(t):
        return pd.Int64Dtype() if t.bit_width > 32 else pd.Int32Dtype()
    return None


def read_stage(warehouse: str | os.PathLike, stage: str, partition_keys) -> pd.DataFrame:
    """Concatenate the stage files of the given keys that exist (an empty frame with the schema if none)."""
    tables = []
    for key in partition_keys:
        p = stage_path(warehouse, stage, key)
        if p.exists():
            tables.append(pq.read_table(p))
    schema = SCHEMAS[stage]
    if not tables:
        return schema.empty_table().to_pandas(types_mapper=_types_mapper)
    return pa.concat_tables(tables).to_pandas(types_mapper=_types_mapper)


def write_stage(df: pd.DataFrame, warehouse: str | os.PathLike, stage: str, partition_key: str) -> Path:
    """Write one report's rows of a stage atomically."""
    return write_frame(df, stage_path(warehouse, stage, partition_key), stage)


def remove_stage_files(warehouse: str | os.PathLike, partition_key: str, stages=STAGES) -> int:
    """Delete a report's stage files (e.g. when its file left the inbox); returns how many were removed."""
    n = 0
    for stage in stages:
        p = stage_path(warehouse, stage, partition_key)
        if p.exists():
            p.unlink()
            n += 1
    return n


def stage_keys(warehouse: str | os.PathLike, stage: str) -> list[str]:
    """Partition keys that have a file in a stage folder, sorted."""
    d = Path(warehouse) / "stages" / stage
    if not d.is_dir():
        return []
    return sorted(p.name[: -len(".parquet")] for p in d.glob("*.parquet") if not p.name.startswith("."))


def remove_stale_temp_files(warehouse: str | os.PathLike) -> int:
    """Delete ``.<name>.*.tmp`` files a killed run left behind (never read as tables); returns how many."""
    root = Path(warehouse)
    if not root.is_dir():
        return 0
    n = 0
    for p in root.rglob(".*.tmp"):
        try:
            p.unlink()
            n += 1
        except FileNotFoundError:
            pass
    return n
