"""pandera DataFrameModels, one per table (``MODELS``, by stage and table name); every check is vectorised
(no Python row loops).

The pipeline validates a frame with ``typed_table_schema(MODELS[name]).validate(df, lazy=True)``: it returns
the frame or raises ``pandera.errors.SchemaErrors`` with every failure case, which ``stage_runner`` turns into
``schema_violation`` quarantine rows (``failure_report_ids`` names the reports) and the asset checks into
metadata. That schema does not coerce: the types read from our Parquet files are the types checked.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from .lineage import PINYIN_ANNOTATION
from ..text.normalise import NORMALISATION_STEPS
from .vocab import CATEGORIES, METRIC_TYPES, MONEY_TYPES, PERIODS, QUALIFIERS, SCOPES, SCRIPTS, SECTION_KINDS, UNITS

BASES = ("wholes", "parts", "wholes+parts")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
# the same pattern with its \uXXXX escapes written as the characters, which both Python's re and
# Arrow's RE2 (used on Arrow-backed text columns) read the same way
PINYIN_ANNOTATION_CHARS = re.sub(r"\\u([0-9a-fA-F]{4})", lambda m: chr(int(m.group(1), 16)), PINYIN_ANNOTATION)


class _TableModel(pa.DataFrameModel):
    """Shared config: extra columns allowed (the contract is a floor). ``coerce`` here applies only to a direct
    ``Model.validate(df)`` (tests); the pipeline's ``typed_table_schema`` switches it off for every column."""

    class Config:
        strict = False
        coerce = True


class RawReports(_TableModel):
    report_id: Series[str] = pa.Field(unique=True, str_length={"min_value": 1})
    partition_key: Series[str] = pa.Field(unique=True)
    source_path: Series[str]
    sha256: Series[str] = pa.Field(str_matches=SHA256.pattern)
    n_bytes: Series[pd.Int64Dtype] = pa.Field(gt=0)
    encoding: Series[str] = pa.Field(isin=["utf-8", "utf-8-sig", "utf-16-le", "utf-16-be", "gb18030", "gbk", "big5"])
    raw_text: Series[str]


class NormalisedReports(_TableModel):
    report_id: Series[str] = pa.Field(unique=True)
    text: Series[str] = pa.Field(str_length={"min_value": 1})
    script: Series[str] = pa.Field(isin=list(SCRIPTS))
    n_chars: Series[pd.Int32Dtype] = pa.Field(gt=0)
    n_chars_raw: Series[pd.Int32Dtype] = pa.Field(gt=0)
    n_corrupt_spans: Series[pd.Int32Dtype] = pa.Field(ge=0)
    title: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(nullable=True)
    donor: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="len(offsets) == len(text) == n_chars")
    def offsets_cover_text(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["offsets"].map(len) == df["text"].str.len()) & (df["offset_ends"].map(len) == df["n_chars"])

    @pa.dataframe_check(error="no pinyin annotation left in the normalised text")
    def no_pinyin(cls, df: pd.DataFrame) -> Series[bool]:
        return ~df["text"].str.contains(PINYIN_ANNOTATION_CHARS, regex=True)


class Sections(_TableModel):
    report_id: Series[str]
    section_id: Series[str] = pa.Field(unique=True)
    ordinal: Series[pd.Int32Dtype] = pa.Field(ge=0)
    heading: Series[str] = pa.Field(nullable=True)
    kind: Series[str] = pa.Field(isin=list(SECTION_KINDS))
    category: Series[str] = pa.Field(isin=list(CATEGORIES))
    text: Series[str]
    start: Series[pd.Int32Dtype] = pa.Field(ge=0)
    end: Series[pd.Int32Dtype] = pa.Field(ge=0)

    @pa.dataframe_check(error="start <= end and text == end - start characters")
    def span_matches_text(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["start"] <= df["end"]) & (df["text"].str.len() == (df["end"] - df["start"]))


class Metrics(_TableModel):
    report_id: Series[str]
    metric_id: Series[str] = pa.Field(unique=True)
    section_id: Series[str]
    sentence: Series[str]
    surface: Series[str] = pa.Field(str_length={"min_value": 1})
    start: Series[pd.Int32Dtype] = pa.Field(ge=0)
    end: Series[pd.Int32Dtype] = pa.Field(ge=1)
    raw_start: Series[pd.Int32Dtype] = pa.Field(ge=0)
    raw_end: Series[pd.Int32Dtype] = pa.Field(ge=1)
    value: Series[float] = pa.Field(ge=0)
    value_high: Series[float] = pa.Field(nullable=True, ge=0)
    unit: Series[str] = pa.Field(isin=list(UNITS))
    qualifier: Series[str] = pa.Field(isin=list(QUALIFIERS))
    metric_type: Series[str] = pa.Field(isin=list(METRIC_TYPES))
    category: Series[str] = pa.Field(isin=list(CATEGORIES))
    donor: Series[str] = pa.Field(nullable=True)
    recipient: Series[str] = pa.Field(nullable=True)
    year: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    period: Series[str] = pa.Field(isin=list(PERIODS))
    period_start: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    period_end: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    part_of: Series[str] = pa.Field(nullable=True)
    scope: Series[str] = pa.Field(isin=list(SCOPES))
    donor_province: Series[str] = pa.Field(nullable=True)

    @pa.dataframe_check(error="period_start <= period_end where both are known")
    def period_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["period_start"].notna() & df["period_end"].notna()
        return ~both | (df["period_start"].fillna(0) <= df["period_end"].fillna(0))

    @pa.dataframe_check(error="part_of names another metric of the same report, no smaller than the part")
    def part_of_is_a_whole(cls, df: pd.DataFrame) -> Series[bool]:
        has = df["part_of"].notna().to_numpy(dtype=bool)
        if not has.any():
            return pd.Series(True, index=df.index)
        whole = df.drop_duplicates("metric_id").set_index(df.drop_duplicates("metric_id")["metric_id"].astype(object))
        parts = df["part_of"].astype(object).where(has, None)
        w_report = parts.map(whole["report_id"].astype(object)).astype(object).to_numpy()
        w_value = pd.to_numeric(parts.map(whole["value"].astype(float)), errors="coerce").fillna(-1.0).to_numpy()
        ok = ((w_report == df["report_id"].astype(object).to_numpy())
              & (w_value * 1.001 >= df["value"].astype(float).to_numpy())
              & (parts.to_numpy() != df["metric_id"].astype(object).to_numpy()))
        return pd.Series(~has | ok, index=df.index)

    @pa.dataframe_check(error="a context figure (scope context) has no donor")
    def context_has_no_donor(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["scope"] != "context") | df["donor"].isna()

    @pa.dataframe_check(error="start < end, raw_start < raw_end, surface has end - start characters")
    def spans_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        return (
            (df["start"] < df["end"])
            & (df["raw_start"] < df["raw_end"])
            & (df["surface"].str.len() == (df["end"] - df["start"]))
        )

    @pa.dataframe_check(error="an amount of money (unit CNY) has a money metric_type")
    def money_has_money_type(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["unit"] != "CNY") | df["metric_type"].isin(MONEY_TYPES)

    @pa.dataframe_check(error="a range has value <= value_high and qualifier 'range'")
    def ranges_consistent(cls, df: pd.DataFrame) -> Series[bool]:
        has_high = df["value_high"].notna()
        return ~has_high | ((df["value"] <= df["value_high"]) & (df["qualifier"] == "range"))


class Quarantine(_TableModel):
    source_path: Series[str]
    sha256: Series[str] = pa.Field(nullable=True)
    reason: Series[str] = pa.Field(str_length={"min_value": 1})
    detail: Series[str] = pa.Field(str_length={"min_value": 1})


class Edits(_TableModel):
    report_id: Series[str]
    ordinal: Series[pd.Int32Dtype] = pa.Field(ge=0)
    step: Series[str] = pa.Field(isin=[s.name for s in NORMALISATION_STEPS])
    raw_start: Series[pd.Int32Dtype] = pa.Field(ge=0)
    raw_end: Series[pd.Int32Dtype] = pa.Field(ge=0)
    before: Series[str]
    after: Series[str]

    @pa.dataframe_check(error="an edit's raw span runs forwards (raw_start <= raw_end)")
    def spans_forward(cls, df: pd.DataFrame) -> Series[bool]:
        return df["raw_start"] <= df["raw_end"]


class Reports(_TableModel):
    report_id: Series[str] = pa.Field(unique=True)
    source_path: Series[str]
    sha256: Series[str] = pa.Field(str_matches=SHA256.pattern)
    encoding: Series[str]
    n_chars_raw: Series[pd.Int32Dtype] = pa.Field(gt=0)
    n_chars: Series[pd.Int32Dtype] = pa.Field(gt=0)
    title: Series[str] = pa.Field(nullable=True)
    subtitle: Series[str] = pa.Field(nullable=True)
    source: Series[str] = pa.Field(nullable=True)
    donor: Series[str] = pa.Field(nullable=True)
    donor_province: Series[str] = pa.Field(nullable=True)
    n_sections: Series[pd.Int32Dtype] = pa.Field(ge=1)
    n_metrics: Series[pd.Int32Dtype] = pa.Field(ge=0)
    n_corrupt_spans: Series[pd.Int32Dtype] = pa.Field(ge=0)
    script: Series[str] = pa.Field(isin=list(SCRIPTS))


class Texts(_TableModel):
    report_id: Series[str] = pa.Field(unique=True)
    raw_text: Series[str]
    text: Series[str]

    @pa.dataframe_check(error="one offset per normalised character, each inside the raw text")
    def offsets_in_range(cls, df: pd.DataFrame) -> Series[bool]:
        n_text = df["text"].str.len()
        n_raw = df["raw_text"].str.len()
        lens_ok = list_lengths(df["offsets"]) == n_text
        return lens_ok & (list_maxima(df["offset_ends"]) <= n_raw)


def _list_array(s: pd.Series):
    """The Arrow list array behind a column read as ``pd.ArrowDtype`` (None for other columns)."""
    if not isinstance(s.dtype, pd.ArrowDtype):
        return None
    import pyarrow as arrow

    arr = s.array.__arrow_array__()
    return arr.combine_chunks() if isinstance(arr, arrow.ChunkedArray) else arr


def list_lengths(s: pd.Series) -> pd.Series:
    """Length of each list (0 for null): ``[[1, 2], [], [5]]`` → ``[2, 0, 1]``; vectorised on Arrow columns."""
    arr = _list_array(s)
    if arr is None:
        return s.map(lambda a: 0 if a is None else len(a))
    import pyarrow.compute as pc

    return pd.Series(pc.list_value_length(arr).fill_null(0).to_numpy(zero_copy_only=False), index=s.index)


def list_maxima(s: pd.Series) -> pd.Series:
    """Largest value of each list (0 when empty): ``[[1, 7], [], [5]]`` → ``[7, 0, 5]``; vectorised on Arrow columns."""
    arr = _list_array(s)
    if arr is None:  # numpy arrays per row: one C call each, not a Python loop per value
        return s.map(lambda a: int(np.max(a)) if a is not None and len(a) else 0)
    out = np.zeros(len(arr), dtype=np.int64)
    values = arr.flatten().to_numpy(zero_copy_only=False)
    offsets = arr.offsets.to_numpy()  # len(arr) + 1 of them, also for a slice
    starts = offsets[:-1] - offsets[0]
    full = np.flatnonzero(np.diff(offsets) > 0)
    if len(full):
        out[full] = np.maximum.reduceat(values, starts[full])
    return pd.Series(out, index=s.index)


class FundingByDonorYear(_TableModel):
    donor: Series[str] = pa.Field(nullable=True)
    recipient: Series[str] = pa.Field(nullable=True)
    year: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    metric_type: Series[str] = pa.Field(isin=list(METRIC_TYPES))
    value_cny: Series[float] = pa.Field(ge=0)
    n_mentions: Series[pd.Int64Dtype] = pa.Field(ge=1)
    n_reports: Series[pd.Int64Dtype] = pa.Field(ge=1)

    n_facts: Series[pd.Int64Dtype] = pa.Field(ge=1)
    basis: Series[str] = pa.Field(isin=list(BASES))

    @pa.dataframe_check(error="one row per (donor, donor_province, recipient, year, metric_type)")
    def keys_unique(cls, df: pd.DataFrame) -> bool:
        return not df.duplicated(["donor", "donor_province", "recipient", "year", "metric_type"]).any()

    @pa.dataframe_check(error="n_facts == len(fact_ids), every fact traced to its mentions")
    def traced_to_facts(cls, df: pd.DataFrame) -> Series[bool]:
        return (list_lengths(df["fact_ids"]) == df["n_facts"]) & (list_lengths(df["metric_ids"]) >= df["n_facts"])


class Facts(_TableModel):
    fact_id: Series[str] = pa.Field(unique=True, str_matches=r"^f[0-9a-f]{16}$")
    donor: Series[str] = pa.Field(nullable=True)
    donor_province: Series[str] = pa.Field(nullable=True)
    recipient: Series[str] = pa.Field(nullable=True)
    metric_type: Series[str] = pa.Field(isin=list(METRIC_TYPES))
    unit: Series[str] = pa.Field(isin=list(UNITS))
    period: Series[str] = pa.Field(isin=list(PERIODS))
    period_start: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    period_end: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    value: Series[float] = pa.Field(ge=0)
    value_high: Series[float] = pa.Field(nullable=True, ge=0)
    qualifier: Series[str] = pa.Field(isin=list(QUALIFIERS))
    scope: Series[str] = pa.Field(isin=list(SCOPES))
    parent_fact_id: Series[str] = pa.Field(nullable=True, str_matches=r"^f[0-9a-f]{16}$")
    n_mentions: Series[pd.Int64Dtype] = pa.Field(ge=1)
    n_reports: Series[pd.Int64Dtype] = pa.Field(ge=1)
    first_report_id: Series[str] = pa.Field(str_length={"min_value": 1})

    @pa.dataframe_check(error="n_mentions == len(metric_ids) >= n_reports == len(report_ids)")
    def counts_match_lists(cls, df: pd.DataFrame) -> Series[bool]:
        return (
            (list_lengths(df["metric_ids"]) == df["n_mentions"])
            & (list_lengths(df["report_ids"]) == df["n_reports"])
            & (df["n_reports"] <= df["n_mentions"])
        )

    @pa.dataframe_check(error="period_start <= period_end where both are known")
    def period_ordered(cls, df: pd.DataFrame) -> Series[bool]:
        both = df["period_start"].notna() & df["period_end"].notna()
        return (~both | (df["period_start"] <= df["period_end"])).fillna(True).astype(bool)


class CumulativeByDonor(_TableModel):
    donor: Series[str] = pa.Field(nullable=True)
    recipient: Series[str] = pa.Field(nullable=True)
    metric_type: Series[str] = pa.Field(isin=list(METRIC_TYPES))
    unit: Series[str] = pa.Field(isin=list(UNITS))
    period: Series[str] = pa.Field(isin=["cumulative", "to_date"])
    value: Series[float] = pa.Field(ge=0)
    report_id: Series[str] = pa.Field(str_length={"min_value": 1})
    n_facts: Series[pd.Int64Dtype] = pa.Field(ge=1)

    @pa.dataframe_check(error="one fact per row, n_facts counts it and the superseded ones")
    def one_fact_per_row(cls, df: pd.DataFrame) -> Series[bool]:
        return (list_lengths(df["fact_ids"]) == 1) & (list_lengths(df["superseded_fact_ids"]) < df["n_facts"])


class PlansByDonor(_TableModel):
    donor: Series[str] = pa.Field(nullable=True)
    recipient: Series[str] = pa.Field(nullable=True)
    target_year: Series[pd.Int32Dtype] = pa.Field(nullable=True, ge=1949, le=2100)
    metric_type: Series[str] = pa.Field(isin=list(METRIC_TYPES))
    unit: Series[str] = pa.Field(isin=list(UNITS))
    value: Series[float] = pa.Field(ge=0)
    n_facts: Series[pd.Int64Dtype] = pa.Field(ge=1)
    basis: Series[str] = pa.Field(isin=list(BASES))

    @pa.dataframe_check(error="one row per (donor, donor_province, recipient, target_year, metric_type, unit)")
    def keys_unique(cls, df: pd.DataFrame) -> bool:
        return not df.duplicated(["donor", "donor_province", "recipient", "target_year", "metric_type", "unit"]).any()


class MetricsByCategory(_TableModel):
    category: Series[str] = pa.Field(isin=list(CATEGORIES))
    unit: Series[str] = pa.Field(isin=list(UNITS))
    metric_type: Series[str] = pa.Field(isin=list(METRIC_TYPES))
    n_mentions: Series[pd.Int64Dtype] = pa.Field(ge=1)
    n_reports: Series[pd.Int64Dtype] = pa.Field(ge=1)
    value_sum: Series[float] = pa.Field(ge=0)


class ReportSummary(_TableModel):
    report_id: Series[str] = pa.Field(unique=True)
    n_sections: Series[pd.Int32Dtype] = pa.Field(ge=1)
    n_metrics: Series[pd.Int32Dtype] = pa.Field(ge=0)
    funding_cny: Series[float] = pa.Field(ge=0)
    investment_cny: Series[float] = pa.Field(ge=0)
    people: Series[float] = pa.Field(ge=0)
    projects: Series[float] = pa.Field(ge=0)
    trainees: Series[float] = pa.Field(ge=0)
    beneficiaries: Series[float] = pa.Field(ge=0)
    jobs: Series[float] = pa.Field(ge=0)
    n_facts: Series[pd.Int64Dtype] = pa.Field(ge=0)


MODELS: dict[str, type[pa.DataFrameModel]] = {
    "raw_reports": RawReports,
    "normalised_reports": NormalisedReports,
    "report_sections": Sections,
    "report_metrics": Metrics,
    "reports": Reports,
    "texts": Texts,
    "sections": Sections,
    "metrics": Metrics,
    "quarantine": Quarantine,
    "edits": Edits,
    "facts": Facts,
    "funding_by_donor_year": FundingByDonorYear,
    "cumulative_by_donor": CumulativeByDonor,
    "plans_by_donor": PlansByDonor,
    "metrics_by_category": MetricsByCategory,
    "report_summary": ReportSummary,
}


@functools.cache  # building a schema from its model costs ~70 ms; the stages and the checks share one per model
def typed_table_schema(model: type[pa.DataFrameModel]) -> pa.DataFrameSchema:
    """The model's schema for a frame read from our Parquet files by ``read_typed_table``: text columns
    checked as Arrow strings (vectorised, where ``str`` costs a Python ``isinstance`` per value) and no
    coercion, so the file's own types are what is checked."""
    schema = model.to_schema()
    updates = {
        name: {"dtype": pd.StringDtype("pyarrow"), "coerce": False} if str(col.dtype) == "str" else {"coerce": False}
        for name, col in schema.columns.items()
    }
    schema = schema.update_columns(updates)
    schema.coerce = False
    return schema


def failure_report_ids(df: pd.DataFrame, error) -> set[str]:
    """The report_ids of rows that a lazy ``SchemaErrors`` points at (all reports if it names no row)."""
    cases = error.failure_cases
    idx = pd.to_numeric(cases.get("index"), errors="coerce").dropna().astype(int)
    idx = [i for i in idx if i in df.index]
    if not idx:
        return set(df["report_id"]) if "report_id" in df else set()
    return set(df.loc[idx, "report_id"])
