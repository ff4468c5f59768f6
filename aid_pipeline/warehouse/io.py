"""Parquet I/O: atomic writes, the warehouse layout, stage shards and the ledger (the schemas are in contract/arrow.py).

Layout of a warehouse folder (default ``./warehouse``, or ``$AID_WAREHOUSE``)::

    reports.parquet texts.parquet sections.parquet metrics.parquet quarantine.parquet   (the contract)
    corrupt_spans.parquet dropped_lines.parquet edits.parquet                            (visible repairs)
    facts.parquet                        (one row per fact: the mentions of one figure consolidated)
    funding_by_donor_year.parquet metrics_by_category.parquet report_summary.parquet   (aggregates)
    cumulative_by_donor.parquet plans_by_donor.parquet                                 (aggregates on facts)
    stages/<stage>/shard-NN.parquet      (stage data: each report's rows live in one of the warehouse's shards)
    stages/layout.json                   (how many shards per stage this warehouse has: ``shard_count``)
    stages/ledger.parquet                (which report went through which stage, at which sha256 and code version)

Writes go to a temporary file in the same folder and are renamed into place, so a reader (or a
run killed half-way) only ever sees the previous complete file or the new complete file.
"""

from __future__ import annotations

import json
import os
import tempfile
import zlib
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from ..contract.arrow import (  # noqa: F401  (the names io's readers and writers use, importable from here too)
    CORRUPT_SPAN_TYPE, DROPPED_LINE_TYPE, EDIT_TYPE, SCHEMAS, STAGE_ORDER, STAGES, STAT_COLUMNS,
)

DEFAULT_WAREHOUSE = "warehouse"
# Stage data is stored in hash shards rather than one file per report: a run over 10,000 reports
# writes 4 × 16 files instead of 40,000, the tables read a few dozen files, and adding one report
# rewrites one shard (1/16 of the data) per stage. The count is the warehouse's, recorded in
# stages/layout.json by its first run (``shard_count``); a new warehouse gets this one unless its first
# run asks for another (the settings resource's ``n_shards``, default ``$AID_STAGE_SHARDS``).
DEFAULT_N_SHARDS = 16


class ObjectPath:
    """A warehouse location in an object store (``s3://bucket/prefix/…``, or any URI ``pyarrow.fs`` knows),
    with the few ``pathlib.Path`` operations the pipeline uses, done through ``pyarrow.fs``.

    ``ObjectPath('s3://bucket/wh') / 'stages' / 'ledger.parquet'`` → ``s3://bucket/wh/stages/ledger.parquet``.
    Credentials and endpoint come from the usual environment (``AWS_ACCESS_KEY_ID``, ``AWS_ENDPOINT_URL`` …).
    An object store has no folders and no rename: ``mkdir`` does nothing, and a single object written
    in one request (what ``write_table`` does) is replaced at once, readers see the old or the new one.
    """

    _filesystems: dict[str, object] = {}

    def __init__(self, uri: str) -> None:
        scheme, sep, rest = str(uri).partition("://")
        if not sep or not rest.strip("/"):
            raise ValueError(f"not an object-store URI: {uri!r}")
        self.scheme, self.key = scheme, rest.strip("/")

    # -- pathlib-like --------------------------------------------------------------------------
    def __truediv__(self, part: str) -> ObjectPath:
        return ObjectPath(f"{self.scheme}://{self.key}/{str(part).strip('/')}")

    def __str__(self) -> str:
        return f"{self.scheme}://{self.key}"

    __fspath__ = __str__

    def __repr__(self) -> str:
        return f"ObjectPath({str(self)!r})"

    def __eq__(self, other) -> bool:
        return isinstance(other, ObjectPath) and str(self) == str(other)

    def __hash__(self) -> int:
        return hash(str(self))

    def __lt__(self, other: ObjectPath) -> bool:
        return str(self) < str(other)

    @property
    def name(self) -> str:
        return self.key.rsplit("/", 1)[-1]

    @property
    def parent(self) -> ObjectPath:
        return ObjectPath(f"{self.scheme}://{self.key.rsplit('/', 1)[0]}") if "/" in self.key else self

    def resolve(self) -> ObjectPath:
        return self

    @property
    def filesystem(self):
        """The ``pyarrow.fs`` filesystem of this URI's bucket (one per scheme and bucket, reused)."""
        import pyarrow.fs as pafs

        bucket = self.key.split("/", 1)[0]
        root = f"{self.scheme}://{bucket}"
        if root not in self._filesystems:
            self._filesystems[root] = pafs.FileSystem.from_uri(root)[0]
        return self._filesystems[root]

    def _type(self):
        return self.filesystem.get_file_info(self.key).type

    def exists(self) -> bool:
        import pyarrow.fs as pafs

        return self._type() != pafs.FileType.NotFound

    def is_dir(self) -> bool:
        import pyarrow.fs as pafs

        return self._type() == pafs.FileType.Directory

    def mkdir(self, parents: bool = False, exist_ok: bool = False) -> None:
        """Nothing to do: a key prefix exists as soon as an object is written under it."""

    def glob(self, pattern: str) -> list[ObjectPath]:
        """Objects directly under this prefix whose name matches ``pattern`` (``fnmatch``)."""
        import fnmatch

        import pyarrow.fs as pafs

        infos = self.filesystem.get_file_info(pafs.FileSelector(self.key, allow_not_found=True))
        return [ObjectPath(f"{self.scheme}://{i.path}") for i in infos
                if i.type == pafs.FileType.File and fnmatch.fnmatch(i.base_name, pattern)]

    def unlink(self, missing_ok: bool = False) -> None:
        try:
            self.filesystem.delete_file(self.key)
        except FileNotFoundError:
            if not missing_ok:
                raise

    def read_text(self, encoding: str = "utf-8") -> str:
        with self.filesystem.open_input_stream(self.key) as fh:
            return fh.read().decode(encoding)

    def write_text(self, data: str, encoding: str = "utf-8") -> None:
        with self.filesystem.open_output_stream(self.key) as fh:
            fh.write(data.encode(encoding))


def is_object_store(location) -> bool:
    """``is_object_store('s3://bucket/wh')`` → ``True``; a local path → ``False``."""
    return isinstance(location, ObjectPath) or "://" in str(location)


def warehouse_path(warehouse: str | os.PathLike) -> Path | ObjectPath:
    """The warehouse root as a path object: a local ``Path``, or an ``ObjectPath`` for a URI."""
    if isinstance(warehouse, (Path, ObjectPath)):
        return warehouse
    return ObjectPath(str(warehouse)) if is_object_store(warehouse) else Path(warehouse)


def warehouse_dir(explicit: str | os.PathLike | None = None) -> Path | ObjectPath:
    """The warehouse: the explicit argument, else ``$AID_WAREHOUSE``, else ``./warehouse``; a folder or an
    object-store URI (``s3://bucket/prefix``)."""
    return warehouse_path(explicit or os.environ.get("AID_WAREHOUSE") or DEFAULT_WAREHOUSE)


def table_path(warehouse: str | os.PathLike, table: str) -> Path | ObjectPath:
    """``table_path('wh', 'metrics')`` → ``Path('wh/metrics.parquet')`` (``s3://…/metrics.parquet`` for a URI)."""
    return warehouse_path(warehouse) / f"{table}.parquet"


def shard_of(partition_key: str, n_shards: int) -> int:
    """The shard a report's rows live in: ``shard_of('000_ab', 16)`` → ``11`` (stable: crc32, not Python's hash)."""
    return zlib.crc32(partition_key.encode("utf-8")) % n_shards


def shard_path(warehouse: str | os.PathLike, stage: str, shard: int) -> Path:
    """``shard_path('wh', 'raw_reports', 3)`` → ``Path('wh/stages/raw_reports/shard-03.parquet')``."""
    if stage not in STAGES:
        raise ValueError(f"unknown stage {stage!r}")
    return warehouse_path(warehouse) / "stages" / stage / f"shard-{shard:02d}.parquet"


def manifest_path(warehouse: str | os.PathLike) -> Path | ObjectPath:
    """What the current tables were built from (written by the switch, read by ``assets.tables.read_manifest``)."""
    return warehouse_path(warehouse) / "stages" / "tables_manifest.json"


def ledger_path(warehouse: str | os.PathLike) -> Path | ObjectPath:
    return warehouse_path(warehouse) / "stages" / "ledger.parquet"


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


def rows_to_arrow(rows: list[dict], schema: pa.Schema) -> pa.Table:
    """Row dicts as a table of ``schema``, converted column by column in Arrow (no pandas frame, no
    Python pass per value): the same table ``to_arrow(pd.DataFrame(rows), schema)`` gives — a missing
    key or a NaN float is null, a date column takes ISO strings (unparseable ones are null).

    ``rows_to_arrow([{'report_id': 'a', 'n_bytes': 3}], SCHEMAS['raw_reports'])`` → 1 row, the rest null.
    """
    arrays = []
    for field in schema:
        values = [r.get(field.name) for r in rows]
        if pa.types.is_date32(field.type):
            values = pd.to_datetime(pd.Series(values, dtype=object), errors="coerce").dt.date
        arrays.append(pa.array(values, type=field.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def _nullable(values: pd.Series) -> list:
    """Python values with pandas NA/NaT turned into None (NaN floats are kept for float columns)."""
    if values.dtype.kind in "fiub":
        return values.to_numpy()
    return [None if (v is None or v is pd.NA or v is pd.NaT) else v for v in values.tolist()]


# Columns of free text: (nearly) every value is distinct, so a dictionary only costs time and space.
FREE_TEXT_COLUMNS = frozenset(
    {"raw_text", "text", "sentence", "surface", "heading", "title", "subtitle", "detail", "source_path", "raw", "repaired",
     "metric_id", "sha256", "fact_id"}
)


def dictionary_columns(schema: pa.Schema) -> list[str]:
    """The columns worth dictionary-encoding in Parquet: flat columns that repeat (ids, codes, names),
    not free text and not lists (offset lists, sentence bounds). Dictionary pages on the big unique
    columns made ``texts.parquet`` 44 MB instead of 25 MB and three times slower to read at 10,000 reports.

    ``dictionary_columns(SCHEMAS['texts'])`` → ``['report_id']``.
    """
    return [f.name for f in schema if f.name not in FREE_TEXT_COLUMNS and not pa.types.is_nested(f.type)]


TEXT_ROW_GROUP = 256  # rows per Parquet row group of a table holding raw texts


def write_table(table: pa.Table, path: str | os.PathLike) -> Path | ObjectPath:
    """Atomically write ``table`` to ``path``: a local file through a temp file in the same folder,
    fsync and rename; an object in one upload (an object store replaces it at once, no rename needed).

    The rows are written from one contiguous chunk: Parquet's writer starts its pages anew at each
    chunk, so the same rows spliced from many slices (an incremental table update) gave other bytes
    than a fresh build (201 reports: texts 153,099 vs 145,566 bytes, same rows)."""
    if any(column.num_chunks > 1 for column in table.columns):
        table = table.combine_chunks()
    # texts (raw_text, text, offsets: the bulk of a warehouse) in row groups of TEXT_ROW_GROUP reports, so a reader
    # of a few reports (a table check on the changed rows) decodes only their groups
    group = TEXT_ROW_GROUP if "raw_text" in table.schema.names else None
    if is_object_store(path):
        path = warehouse_path(str(path))
        pq.write_table(table, path.key, filesystem=path.filesystem, compression="zstd",
                       use_dictionary=dictionary_columns(table.schema), row_group_size=group)
        return path
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.fchmod(fd, 0o666 & ~current_umask())  # mkstemp makes it 0600; a table is as readable as any new file
        with os.fdopen(fd, "wb") as fh:
            pq.write_table(table, fh, compression="zstd", use_dictionary=dictionary_columns(table.schema),
                           row_group_size=group)
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


# Every temporary file the pipeline writes starts with this; only such files are ever cleaned up.
TEMP_PREFIX = ".aid-tmp."


def current_umask() -> int:
    """The process's umask (read from /proc where there is one: setting it to read it races with threads)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_frame(df: pd.DataFrame, path: str | os.PathLike, schema_name: str) -> Path:
    """Write a frame with the named explicit schema: ``write_frame(df, 'wh/metrics.parquet', 'metrics')``."""
    return write_table(to_arrow(df, SCHEMAS[schema_name]), path)


def read_frame(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """Read a Parquet file (only ``columns`` when given) into pandas (nullable ints as Int32)."""
    return pq.read_table(path, columns=columns).to_pandas(types_mapper=_types_mapper)


def read_typed_frame(path: str | os.PathLike, columns: list[str] | None = None) -> pd.DataFrame:
    """A Parquet file into pandas with its Arrow types kept: text as Arrow-backed strings, lists as
    ``pd.ArrowDtype`` (no Python object per value or per list), nullable ints as Int32/Int64.
    For vectorised checks over whole tables; ``read_frame`` gives the plain pandas types."""
    return pq.read_table(path, columns=columns).to_pandas(types_mapper=_arrow_types_mapper)


def _arrow_types_mapper(t: pa.DataType):
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return pd.StringDtype("pyarrow")
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return pd.ArrowDtype(t)
    return _types_mapper(t)


def _types_mapper(t: pa.DataType):
    if pa.types.is_integer(t):
        return pd.Int64Dtype() if t.bit_width > 32 else pd.Int32Dtype()
    return None


def _stage_shards(warehouse, stage: str) -> list[Path | ObjectPath]:
    d = warehouse_path(warehouse) / "stages" / stage
    return sorted(d.glob("shard-*.parquet"))


def read_stage_table(warehouse: str | os.PathLike, stage: str, partition_keys=None, columns=None) -> pa.Table:
    """A stage's rows as one Arrow table, only those of ``partition_keys`` when given (all shards otherwise),
    only ``columns`` when given (``partition_key`` is always read)."""
    schema = SCHEMAS[stage]
    if columns is not None:
        columns = list(dict.fromkeys([*columns, "partition_key"]))
        schema = pa.schema([schema.field(c) for c in columns])
    if partition_keys is None:
        paths = _stage_shards(warehouse, stage)
    else:
        partition_keys = list(partition_keys)
        n = shard_count(warehouse)
        paths = [shard_path(warehouse, stage, s) for s in sorted({shard_of(k, n) for k in partition_keys})]
    tables = [_read_shard(p, schema, columns) for p in paths if p.exists()]
    if not tables:
        return schema.empty_table()
    table = pa.concat_tables(tables)
    return rows_where_in(table, "partition_key", partition_keys) if partition_keys is not None else table


def rows_where_in(table: pa.Table, column: str, values) -> pa.Table:
    """The rows whose ``column`` is one of ``values`` — the table itself when that is every row (a filter
    copies every column, texts and offset lists included). ``rows_where_in(t, 'report_id', {'a'})``."""
    keep = pc.is_in(table[column], value_set=pa.array(sorted(values), type=pa.string()))
    return table if pc.all(keep).as_py() is not False else table.filter(keep)


def _read_shard(path, schema: pa.Schema, columns=None) -> pa.Table:
    """A stored shard as ``schema``: a column the schema gained since the shard was written (the contract only
    grows) is read as nulls, so a warehouse written by an older version still loads; its reports are stale
    anyway (another code version) and get the column when they are processed again."""
    have = set(pq.read_schema(path).names)
    wanted = [f.name for f in schema]
    present = [c for c in (columns if columns is not None else wanted) if c in have]
    table = pq.read_table(path, columns=present)
    if len(present) == len(wanted) and table.schema.names == wanted:
        return table.cast(schema)
    n = len(table)
    return pa.Table.from_arrays([table[f.name].cast(f.type) if f.name in have else pa.nulls(n, type=f.type)
                                 for f in schema], schema=schema)


def read_stage(warehouse: str | os.PathLike, stage: str, partition_keys=None, columns=None) -> pd.DataFrame:
    """A stage's rows of the given partition keys (all when None), as pandas; an empty typed frame if none."""
    return read_stage_table(warehouse, stage, partition_keys, columns).to_pandas(types_mapper=_types_mapper)


def update_stage(warehouse: str | os.PathLike, stage: str, replace, new_rows: pa.Table | None = None) -> int:
    """Drop every row of the ``replace`` partition keys from a stage, add ``new_rows``; returns shards rewritten.

    Each touched shard is rewritten atomically with its rows sorted by partition key (then their
    order within the report), so the same inputs always give byte-identical shards.
    """
    schema = SCHEMAS[stage]
    new_rows = schema.empty_table() if new_rows is None else new_rows.cast(schema)
    replace = set(replace) | set(new_rows["partition_key"].to_pylist())
    if not replace:
        return 0
    keys = new_rows["partition_key"].to_pylist()
    n = shard_count(warehouse)
    shard_by_key = {k: shard_of(k, n) for k in set(keys)}
    new_shards = pa.array([shard_by_key[k] for k in keys], type=pa.int32())
    touched = sorted({shard_of(k, n) for k in replace})
    for shard in touched:
        path = shard_path(warehouse, stage, shard)
        old = _read_shard(path, schema) if path.exists() else schema.empty_table()
        drop = pc.is_in(old["partition_key"], value_set=pa.array(sorted(replace), type=pa.string()))
        keep = old.filter(pc.invert(drop)) if pc.any(drop).as_py() else old
        add = new_rows.filter(pc.equal(new_shards, shard)) if len(new_rows) else schema.empty_table()
        # one contiguous chunk before the sort's take (a take across chunks is 3-5x slower for lists)
        merged = pa.concat_tables([keep, add]).combine_chunks()
        if len(merged) == 0:
            if path.exists():
                path.unlink()
            continue
        write_table(_sorted_by_key(merged), path)
    return len(touched)


def _sorted_by_key(table: pa.Table) -> pa.Table:
    """Rows ordered by partition key, keeping each report's own row order (a stable sort)."""
    idx = pa.array(range(len(table)), type=pa.int64())
    order = pc.sort_indices(table.append_column("__i", idx), sort_keys=[("partition_key", "ascending"), ("__i", "ascending")])
    return table.take(order)


def forget_reports(warehouse: str | os.PathLike, partition_keys) -> None:
    """Remove every trace of these reports from the stage data and the ledger (their files left the inbox)."""
    keys = set(partition_keys)
    if not keys:
        return
    for stage in STAGES:
        update_stage(warehouse, stage, keys)
    ledger = read_ledger(warehouse)
    write_ledger(warehouse, ledger[~ledger["partition_key"].isin(keys)])


def read_ledger(warehouse: str | os.PathLike) -> pd.DataFrame:
    """Which report went through which stage: partition_key, stage, sha256, code_version, outcome."""
    p = ledger_path(warehouse)
    if not p.exists():
        return SCHEMAS["ledger"].empty_table().to_pandas()
    return pq.read_table(p).cast(SCHEMAS["ledger"]).to_pandas()


def raw_shas(warehouse: str | os.PathLike) -> dict[str, str | None]:
    """The sha256 (or fingerprint) the raw stage last processed, per partition key: ``{'000_ab': '9f2c…'}``."""
    ledger = read_ledger(warehouse)
    raw = ledger[ledger["stage"] == "raw_reports"]
    return dict(zip(raw["partition_key"], raw["sha256"]))


def source_paths(warehouse: str | os.PathLike, partition_keys=None) -> dict[str, str]:
    """The inbox path each report was last read from: its raw row, else its quarantine row.
    ``source_paths('warehouse')`` → ``{'000_ab': 'seeds/000_ab.txt'}``."""
    out = {}
    quarantined = read_stage_table(warehouse, "quarantine", partition_keys, columns=["source_path"])
    out.update(zip(quarantined["partition_key"].to_pylist(), quarantined["source_path"].to_pylist()))
    raw = read_stage_table(warehouse, "raw_reports", partition_keys, columns=["source_path"])
    out.update(zip(raw["partition_key"].to_pylist(), raw["source_path"].to_pylist()))
    return out


def write_ledger(warehouse: str | os.PathLike, ledger: pd.DataFrame) -> Path:
    ledger = ledger.sort_values(["partition_key", "stage"], kind="stable").reset_index(drop=True)
    return write_frame(ledger, ledger_path(warehouse), "ledger")


def record_in_ledger(warehouse: str | os.PathLike, entries: dict[str, dict[str, tuple[str | None, str]]],
                     code_version: str) -> None:
    """Set the ledger entries of a run, every stage at once (one read and one write of the ledger):
    ``{stage: {partition_key: (sha256, outcome)}}`` at ``code_version``."""
    new_rows = [{"partition_key": k, "stage": stage, "sha256": sha, "code_version": code_version, "outcome": outcome}
                for stage, per_key in entries.items() for k, (sha, outcome) in per_key.items()]
    if not new_rows:
        return
    ledger = read_ledger(warehouse)
    replaced = pd.Series(list(zip(ledger["partition_key"], ledger["stage"])), dtype=object).isin(
        {(r["partition_key"], r["stage"]) for r in new_rows})
    new = pd.DataFrame(new_rows, columns=SCHEMAS["ledger"].names)
    write_ledger(warehouse, pd.concat([ledger[~replaced.to_numpy()], new], ignore_index=True))


def stage_row_count(warehouse: str | os.PathLike, stage: str) -> int:
    """How many rows a stage holds, from its shards' Parquet footers (no column is read)."""
    return sum(pq.read_metadata(p).num_rows for p in _stage_shards(warehouse, stage))


class ShardLayoutMismatch(RuntimeError):
    """This process would hash reports into another number of stage shards than the warehouse was built with."""


def shard_layout_path(warehouse: str | os.PathLike):
    return warehouse_path(warehouse) / "stages" / "layout.json"


def shard_count(warehouse: str | os.PathLike) -> int:
    """How many shards per stage ``warehouse`` keeps: its record (``stages/layout.json``), else what its stage data
    shows (a warehouse written before the record), else ``DEFAULT_N_SHARDS``. ``shard_count('wh')`` → ``16``"""
    path = shard_layout_path(warehouse)
    if path.exists():
        return int(json.loads(path.read_text(encoding="utf-8"))["n_shards"])
    return _shards_of_existing_data(warehouse, DEFAULT_N_SHARDS)


def ensure_shard_layout(warehouse: str | os.PathLike, n_shards: int | None = None, record: bool = False) -> int:
    """The number of stage shards of ``warehouse`` (``shard_count``), written to ``stages/layout.json`` once it holds
    stage data, or at once with ``record`` (a run about to write stage data). A run asking for another count
    (``n_shards``: the settings resource, default ``$AID_STAGE_SHARDS``) is refused, since it would look each report
    up in the wrong shard and build tables from part of the data; without ``n_shards`` the warehouse's count is
    used. A new warehouse takes ``n_shards`` (else 16). ``ensure_shard_layout('wh', 4)`` → ``ShardLayoutMismatch``
    on a 16-shard warehouse."""
    path = shard_layout_path(warehouse)
    if path.exists():
        recorded = int(json.loads(path.read_text(encoding="utf-8"))["n_shards"])
    else:
        recorded = _shards_of_existing_data(warehouse, n_shards or DEFAULT_N_SHARDS)
        if path.parent.exists() or record:  # recorded once there is stage data (a lock alone writes nothing)
            if not path.parent.exists() and not is_object_store(path):
                path.parent.mkdir(parents=True, exist_ok=True)
            write_json(path, {"n_shards": recorded})
    if n_shards and recorded != n_shards:
        raise ShardLayoutMismatch(
            f"the warehouse {warehouse} keeps its stage data in {recorded} shards per stage, but this run asks for "
            f"{n_shards} (AID_STAGE_SHARDS={n_shards}, or the settings resource's n_shards): run with "
            f"AID_STAGE_SHARDS={recorded} or without it (a run uses the warehouse's own count), or use a new warehouse")
    return recorded


def _shards_of_existing_data(warehouse, n: int) -> int:
    """``n`` when the warehouse has no stage data yet or its rows sit in the shards ``n`` puts them in; else the
    smallest count (≤ 256) that puts them where they are (``n`` again when none does: not ours to judge)."""
    root = warehouse_path(warehouse)
    if is_object_store(root):
        return n
    files = sorted(Path(root, "stages").glob("*/shard-*.parquet"))
    if not files:
        return n
    placed: list[tuple[str, int]] = []
    for f in files[:4]:
        try:
            keys = pq.read_table(f, columns=["partition_key"]).column("partition_key").to_pylist()
        except Exception:  # noqa: BLE001 (an unreadable shard is the recovery's business, not the layout's)
            continue
        idx = int(f.stem.split("-")[1])
        placed += [(k, idx) for k in keys[:50] if k is not None]
    if all(shard_of(k, n) == i for k, i in placed):
        return n
    for m in range(1, 257):
        if all(shard_of(k, m) == i for k, i in placed):
            return m
    return n


def write_json(path, body: dict) -> None:
    """Atomically write ``body`` as JSON to ``path`` (a temp file in the same folder, fsync, rename, fsync of the
    folder; an object store replaces an object at once): ``write_json(Path('wh/stages/layout.json'), {'n_shards': 16})``."""
    text = json.dumps(body, ensure_ascii=False, sort_keys=True)
    if is_object_store(path):
        path.write_text(text, encoding="utf-8")
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f"{TEMP_PREFIX}{path.name}.tmp"
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(text)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def fsync_dir(folder) -> None:
    """Make a rename in ``folder`` durable (best effort: some file systems refuse a folder's fsync)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def remove_stale_temp_files(warehouse: str | os.PathLike) -> int:
    """Delete the temp files a killed run left behind; returns how many. Only files this project
    writes are touched: names starting with ``TEMP_PREFIX`` (or, from earlier versions, ``.<one of
    our file names>.<random>.tmp``) directly in the warehouse, ``stages/`` or ``stages/<stage>/`` —
    never a user's own ``.*.tmp`` anywhere else in the folder. (An object store has none: objects are
    written in one upload.)"""
    if is_object_store(warehouse):
        return 0
    root = Path(warehouse)
    if not root.is_dir():
        return 0
    ours = {f"{name}.parquet" for name in SCHEMAS} | {"ledger.parquet"} | {f"shard-{i:02d}.parquet" for i in range(100)}
    folders = [root, root / "stages", *[root / "stages" / stage for stage in STAGES]]
    n = 0
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in folder.iterdir():
            name = p.name
            legacy = name.startswith(".") and name.endswith(".tmp") and name[1:].rsplit(".", 2)[0] in ours
            if (name.startswith(TEMP_PREFIX) or legacy) and p.is_file() and not p.is_symlink():
                try:
                    p.unlink()
                    n += 1
                except FileNotFoundError:
                    pass
    return n
