"""Building the contract tables and the aggregates from the per-report stage data (pandas, no Dagster).

Every function takes frames and returns a frame with the column names of ../shared/DESIGN.md; rows
are sorted by their ids so reruns on the same inputs write identical files.
"""

from __future__ import annotations

import pandas as pd

from .io import STAT_COLUMNS

PEOPLE_UNITS = ("person",)


def build_reports(raw: pd.DataFrame, norm: pd.DataFrame, sections: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """One row per report that made it through normalisation, with section and metric counts."""
    if norm.empty:
        return pd.DataFrame(columns=["report_id"])
    # partition_key comes from the raw row (the stage rows all carry it: a second copy would split the merge)
    base = norm.drop(
        columns=["text", "offsets", "offset_ends", "corrupt_spans", "dropped_lines", "partition_key"], errors="ignore"
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
    """One row per mojibake run: raw text, what it was repaired to, whether it was recovered."""
    rows = [
        {"report_id": rid, **span}
        for rid, spans in zip(norm.get("report_id", []), norm.get("corrupt_spans", []))
        for span in (spans if spans is not None else [])
    ]
    return pd.DataFrame(rows, columns=["report_id", "raw_start", "raw_end", "raw", "repaired", "recovered"])


def build_dropped_lines(norm: pd.DataFrame) -> pd.DataFrame:
    """One row per raw line removed from the body (page chrome, bylines, footers), with the reason."""
    rows = [
        {"report_id": rid, **line}
        for rid, lines in zip(norm.get("report_id", []), norm.get("dropped_lines", []))
        for line in (lines if lines is not None else [])
    ]
    return pd.DataFrame(rows, columns=["report_id", "text", "raw_start", "raw_end", "reason"])


def sort_rows(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Rows sorted by ``keys`` (stable), index reset: deterministic output order."""
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(keys, kind="stable").reset_index(drop=True)


def funding_by_donor_year(metrics: pd.DataFrame) -> pd.DataFrame:
    """Sum of CNY by donor, recipient, year and metric_type (ranges counted at their lower end)."""
    cols = ["donor", "recipient", "year", "metric_type", "value_cny", "n_mentions", "n_reports"]
    cny = metrics[metrics["unit"] == "CNY"] if len(metrics) else metrics
    if cny.empty:
        return pd.DataFrame(columns=cols)
    keys = ["donor", "recipient", "year", "metric_type"]
    g = cny.groupby(keys, dropna=False)
    out = pd.DataFrame(
        {
            "value_cny": g["value"].sum(),
            "n_mentions": g.size(),
            "n_reports": g["report_id"].nunique(),
        }
    ).reset_index()
    return sort_rows(out, ["donor", "recipient", "year", "metric_type"])[cols]


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


def report_summary(reports: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Per report: title, date, donor, counts, and totals of funding, investment, people and projects."""
    cols = [
        "report_id", "title", "publish_date", "donor", "n_sections", "n_metrics",
        "funding_cny", "investment_cny", "people", "projects", "n_corrupt_spans",
    ]
    if reports.empty:
        return pd.DataFrame(columns=cols)
    out = reports[["report_id", "title", "publish_date", "donor", "n_sections", "n_metrics", "n_corrupt_spans"]].copy()

    def total(mask: pd.Series, name: str) -> None:
        nonlocal out
        s = metrics[mask].groupby("report_id")["value"].sum().rename(name) if len(metrics) else pd.Series(name=name, dtype=float)
        out = out.merge(s, left_on="report_id", right_index=True, how="left")
        out[name] = out[name].fillna(0.0)

    if len(metrics):
        total((metrics["unit"] == "CNY") & (metrics["metric_type"] == "funding"), "funding_cny")
        total((metrics["unit"] == "CNY") & (metrics["metric_type"] == "investment"), "investment_cny")
        total(metrics["unit"].isin(PEOPLE_UNITS), "people")
        total(metrics["unit"] == "project", "projects")
    else:
        for c in ("funding_cny", "investment_cny", "people", "projects"):
            out[c] = 0.0
    return sort_rows(out, ["report_id"])[cols]


# ---- column lineage: which upstream asset column each output column is built from ------------------
# (plain data here; aid_pipeline/assets/tables.py turns it into Dagster's ``dagster/column_lineage``)

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
        **{c: [(_NORM, "corrupt_spans")] for c in ("raw_start", "raw_end", "raw", "repaired", "recovered")},
    },
    "dropped_lines": {
        "report_id": [(_NORM, "report_id")],
        **{c: [(_NORM, "dropped_lines")] for c in ("text", "raw_start", "raw_end", "reason")},
    },
    "funding_by_donor_year": {
        **{c: [("metrics", c)] for c in ("donor", "recipient", "year", "metric_type")},
        "value_cny": [("metrics", "value"), ("metrics", "unit")],
        "n_mentions": [("metrics", "metric_id")],
        "n_reports": [("metrics", "report_id")],
    },
    "metrics_by_category": {
        **{c: [("metrics", c)] for c in ("category", "unit", "metric_type")},
        "n_mentions": [("metrics", "metric_id")],
        "n_reports": [("metrics", "report_id")],
        "value_sum": [("metrics", "value")],
    },
    "report_summary": {
        **{c: [("reports", c)] for c in ("report_id", "title", "publish_date", "donor", "n_sections", "n_metrics", "n_corrupt_spans")},
        "funding_cny": [("metrics", "value"), ("metrics", "unit"), ("metrics", "metric_type")],
        "investment_cny": [("metrics", "value"), ("metrics", "unit"), ("metrics", "metric_type")],
        "people": [("metrics", "value"), ("metrics", "unit")],
        "projects": [("metrics", "value"), ("metrics", "unit")],
    },
}
