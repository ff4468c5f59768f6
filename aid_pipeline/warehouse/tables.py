"""Building the contract tables and the aggregates from the per-report stage data (pandas, no Dagster).

Every function takes frames and returns a frame with the column names of ../shared/DESIGN.md; rows
are sorted by their ids so reruns on the same inputs write identical files.
"""

from __future__ import annotations

import pandas as pd

from . import facts as _facts
from ..contract.arrow import SCHEMAS, STAT_COLUMNS


def build_reports(raw: pd.DataFrame, norm: pd.DataFrame, sections: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per report that made it through normalisation, with section and metric counts."""
    if norm.empty:
        return pd.DataFrame(columns=["report_id"])
    # partition_key comes from the raw row (the stage rows all carry it: a second copy would split the merge)
    base = norm.drop(
        columns=["text", "offsets", "offset_ends", "corrupt_spans", "dropped_lines", "edits", "partition_key"], errors="ignore"
    )
    base = base.merge(
        raw[["report_id", "partition_key", "source_path", "sha256", "encoding"]], on="report_id", how="left"
    )
    n_sections = sections.groupby("report_id").size().rename("n_sections") if len(sections) else None
    n_metrics = metrics.groupby("report_id").size().rename("n_metrics") if len(metrics) else None
    out = base
    for counts, col in ((n_sections, "n_sections"), (n_metrics, "n_metrics")):
        if counts is None:
            out[col] = 0
        else:
            out = out.merge(counts, left_on="report_id", right_index=True, how="left")
            out[col] = out[col].fillna(0).astype(int)
    for c in STAT_COLUMNS:
        if c not in out:
            out[c] = 0
    return out.sort_values("report_id", kind="stable").reset_index(drop=True)


def build_corrupt_spans(norm: pd.DataFrame) -> pd.DataFrame:
    """One row per damaged stretch (mojibake run, undecodable byte, damaged number): raw text, what it was repaired
    to, whether it was recovered, and why it is listed (``reason``)."""
    rows = [
        {"report_id": rid, **span}
        for rid, spans in zip(norm.get("report_id", []), norm.get("corrupt_spans", []))
        for span in (spans if spans is not None else [])
    ]
    return pd.DataFrame(rows, columns=["report_id", "raw_start", "raw_end", "raw", "repaired", "recovered", "reason"])


def build_dropped_lines(norm: pd.DataFrame) -> pd.DataFrame:
    """One row per raw line removed from the body (page chrome, bylines, footers), with the reason."""
    rows = [
        {"report_id": rid, **line}
        for rid, lines in zip(norm.get("report_id", []), norm.get("dropped_lines", []))
        for line in (lines if lines is not None else [])
    ]
    return pd.DataFrame(rows, columns=["report_id", "text", "raw_start", "raw_end", "reason"])


def build_edits(norm: pd.DataFrame) -> pd.DataFrame:
    """One row per change a normalisation step made, in the order the steps made them (``ordinal``), in raw offsets:
    which steps touched a character of the normalised text (``texts.offsets``) is where their raw spans meet."""
    rows = [
        {"report_id": rid, "ordinal": i, **ed}
        for rid, edits in zip(norm.get("report_id", []), norm.get("edits", []))
        for i, ed in enumerate(edits if edits is not None else [])
    ]
    return pd.DataFrame(rows, columns=["report_id", "ordinal", "step", "raw_start", "raw_end", "before", "after"])


def sort_rows(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows sorted by ``keys`` (stable), index reset: deterministic output order."""
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def funding_by_donor_year(facts: pd.DataFrame) -> pd.DataFrame:
    """Money (CNY) by donor, recipient, year and metric_type, built from facts (``facts.funding_by_donor_year``:
    one year's aid figures, wholes before parts, each fact once)."""
    return _facts.funding_by_donor_year(facts)


def metrics_by_category(metrics: pd.DataFrame) -> pd.DataFrame:
    """Mentions, reports and value sums by section category, unit and metric type."""
    cols = ["category", "unit", "metric_type", "n_mentions", "n_reports", "value_sum"]
    if metrics.empty:
        return pd.DataFrame(columns=cols)
    g = metrics.groupby(["category", "unit", "metric_type"], dropna=False)
    out = pd.DataFrame(
        {"n_mentions": g.size(), "n_reports": g["report_id"].nunique(), "value_sum": g["value"].sum()}
    ).reset_index()
    return sort_rows(out, ["category", "unit", "metric_type"])[cols]


def report_summary(reports: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Per report: title, date, donor, counts, and its facts' totals by metric_type (``facts.report_summary``)."""
    return _facts.report_summary(reports, facts)


# ---- column lineage: which upstream asset column each output column is built from ------------------
# (plain data here; aid_pipeline/orchestration/assets/tables.py turns it into Dagster's ``dagster/column_lineage``)

_RAW, _NORM, _SECS, _METS = "raw_reports", "normalised_reports", "report_sections", "report_metrics"
_SECTION_COLUMNS = (
    "report_id", "section_id", "ordinal", "heading", "kind", "category", "text", "start", "end",
    "heading_start", "heading_end", "n_sentences", "sentence_starts", "sentence_ends",
)
_METRIC_COLUMNS = (
    "report_id", "metric_id", "section_id", "section_kind", "sentence", "surface", "start", "end", "raw_start",
    "raw_end", "value", "value_high", "unit", "qualifier", "metric_type", "category", "donor", "recipient", "year",
    "period", "period_start", "period_end", "part_of", "scope", "donor_province",
)
_NORM_REPORT_COLUMNS = (
    "n_chars_raw", "n_chars", "title", "subtitle", "publish_date", "source", "donor", "donor_province", "recipients",
    "n_corrupt_spans", "script", "publish_time", "reporter", *STAT_COLUMNS,
)



def _from_metrics(*columns: str) -> list[tuple[str, str]]:
    """``metrics`` columns a facts column comes from: those of ``columns`` the metrics table has (a
    warehouse without the period columns takes the period from ``year``)."""
    names = SCHEMAS["metrics"].names
    got = [("metrics", c) for c in columns if c in names]
    return got or [("metrics", "year")]


# the facts columns that decide whether an aggregate counts a fact (eligibility, parts, conflicts)
_COUNTED = [("facts", c) for c in ("scope", "period", "unit", "parent_fact_id", "conflict")]

COLUMN_SOURCES: dict[str, dict[str, list[tuple[str, str]]]] = {
    "reports": {
        "report_id": [(_NORM, "report_id")],
        **{c: [(_RAW, c)] for c in ("source_path", "sha256", "encoding", "partition_key")},
        **{c: [(_NORM, c)] for c in _NORM_REPORT_COLUMNS},
        "n_sections": [(_SECS, "section_id")],
        "n_metrics": [(_METS, "metric_id")],
    },
    "texts": {
        "report_id": [(_NORM, "report_id")],
        "raw_text": [(_RAW, "raw_text")],
        **{c: [(_NORM, c)] for c in ("text", "offsets", "offset_ends")},
    },
    "sections": {c: [(_SECS, c)] for c in _SECTION_COLUMNS},
    "metrics": {c: [(_METS, c)] for c in _METRIC_COLUMNS},
    "corrupt_spans": {
        "report_id": [(_NORM, "report_id")],
        **{c: [(_NORM, "corrupt_spans")] for c in ("raw_start", "raw_end", "raw", "repaired", "recovered", "reason")},
    },
    "dropped_lines": {
        "report_id": [(_NORM, "report_id")],
        **{c: [(_NORM, "dropped_lines")] for c in ("text", "raw_start", "raw_end", "reason")},
    },
    "edits": {
        "report_id": [(_NORM, "report_id")],
        **{c: [(_NORM, "edits")] for c in ("ordinal", "step", "raw_start", "raw_end", "before", "after")},
    },
    "facts": {
        "fact_id": _from_metrics(*_facts.FACT_KEY, "value", "value_high", "surface"),
        **{c: _from_metrics(c) for c in ("donor", "donor_province", "recipient", "metric_type", "unit", "value_high",
                                         "qualifier", "scope")},
        "period": _from_metrics("period"),
        "period_start": _from_metrics("period_start"),
        "period_end": _from_metrics("period_end"),
        "value": _from_metrics("value", "surface"),
        "parent_fact_id": _from_metrics("part_of"),
        "n_mentions": [("metrics", "metric_id")],
        "n_reports": [("metrics", "report_id")],
        "metric_ids": [("metrics", "metric_id")],
        "first_report_id": [("metrics", "report_id"), ("reports", "publish_date")],
        "conflict": _from_metrics("report_id", "value", "sentence", "surface", "part_of"),
        "report_ids": [("metrics", "report_id")],
        "first_publish_date": [("reports", "publish_date")],
        "last_report_id": [("metrics", "report_id"), ("reports", "publish_date")],
        "last_publish_date": [("reports", "publish_date")],
    },
    "funding_by_donor_year": {
        **{c: [("facts", c)] for c in ("donor", "donor_province", "recipient", "metric_type")},
        "year": [("facts", "period_start")],
        "value_cny": _COUNTED + [("facts", "value")],
        "n_mentions": [("facts", "n_mentions")],
        "n_reports": [("facts", "report_ids")],
        "n_facts": [("facts", "fact_id")],
        "basis": [("facts", "parent_fact_id")],
        "fact_ids": [("facts", "fact_id")],
        "metric_ids": [("facts", "metric_ids")],
        "conflict_fact_ids": [("facts", "conflict"), ("facts", "last_publish_date"), ("facts", "n_reports")],
    },
    "plans_by_donor": {
        **{c: [("facts", c)] for c in ("donor", "donor_province", "recipient", "metric_type", "unit")},
        "target_year": [("facts", "period_end")],
        "value": _COUNTED + [("facts", "value")],
        "n_facts": [("facts", "fact_id")],
        "n_mentions": [("facts", "n_mentions")],
        "n_reports": [("facts", "report_ids")],
        "basis": [("facts", "parent_fact_id")],
        "fact_ids": [("facts", "fact_id")],
        "metric_ids": [("facts", "metric_ids")],
        "conflict_fact_ids": [("facts", "conflict"), ("facts", "last_publish_date"), ("facts", "n_reports")],
    },
    "cumulative_by_donor": {
        **{c: [("facts", c)] for c in ("donor", "donor_province", "recipient", "metric_type", "unit", "period_start",
                                       "period_end", "period", "value", "value_high", "qualifier")},
        "report_id": [("facts", "last_report_id"), ("facts", "report_ids")],
        "publish_date": [("facts", "last_publish_date")],
        "n_facts": [("facts", "fact_id")],
        "fact_ids": [("facts", "fact_id"), ("facts", "period_end"), ("facts", "last_publish_date")],
        "metric_ids": [("facts", "metric_ids")],
        "superseded_fact_ids": [("facts", "fact_id"), ("facts", "period_end"), ("facts", "last_publish_date")],
    },
    "metrics_by_category": {
        **{c: [("metrics", c)] for c in ("category", "unit", "metric_type")},
        "n_mentions": [("metrics", "metric_id")],
        "n_reports": [("metrics", "report_id")],
        "value_sum": [("metrics", "value")],
    },
    "report_summary": {
        **{c: [("reports", c)] for c in ("report_id", "title", "publish_date", "donor", "n_sections", "n_metrics", "n_corrupt_spans")},
        "donor_province": [("reports", "donor_province" if "donor_province" in SCHEMAS["reports"].names else "donor")],
        **{c: _COUNTED + [("facts", "value"), ("facts", "metric_type"), ("facts", "report_ids")] for c in _facts.SUMMARY_TOTALS},
        "n_facts": [("facts", "fact_id"), ("facts", "report_ids")],
        "fact_ids": [("facts", "fact_id"), ("facts", "report_ids")],
        "metric_ids": [("facts", "metric_ids")],
    },
}
