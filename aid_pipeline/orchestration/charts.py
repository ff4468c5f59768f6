"""Charts for the Dagster UI as markdown tables with unicode bars (pure functions, no Dagster import).

The UI renders markdown metadata (GitHub tables included) but no plotting library is installed, so
a chart here is a table whose last column is a bar of block characters, long enough to compare rows
at a glance, with the exact figure beside it:

    | donor | year | funding | investment | █ funding ▒ investment |
    |---|---|---:|---:|---|
    | 深圳 | 2024 | 0 元 | 8.40 亿元 | ▒▒▒▒▒▒▒▒ |
"""

from __future__ import annotations

import math

import pandas as pd

__all__ = ["bar", "stacked_bar", "format_cny", "funding_chart_md", "facts_chart_md", "category_chart_md"]

BAR_WIDTH = 24
_EIGHTHS = " ▏▎▍▌▋▊▉"
FULL = "█"
SECOND = "▒"
MONEY_TYPES_CHARTED = ("funding", "investment")


def bar(value: float, vmax: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar ``value/vmax`` of ``width`` characters, in eighths: ``bar(1, 2, 4)`` → ``'██'``.

    A value above zero always shows at least a sliver (``'▏'``), so small rows are not mistaken for zero.
    """
    if not _positive(value) or not _positive(vmax):
        return ""
    eighths = round(min(value / vmax, 1.0) * width * 8)
    eighths = max(eighths, 1)
    full, rest = divmod(eighths, 8)
    return FULL * full + (_EIGHTHS[rest] if rest else "")


def stacked_bar(parts: list[float], vmax: float, width: int = BAR_WIDTH, chars: str = FULL + SECOND) -> str:
    """Bars of several parts side by side, one character per part: ``stacked_bar([1, 1], 2, 4)`` → ``'██▒▒'``.

    Whole characters only (eighths cannot be shaded); a part above zero gets at least one character.
    """
    if not _positive(vmax):
        return ""
    out = []
    for part, ch in zip(parts, chars):
        if _positive(part):
            out.append(ch * max(1, round(min(part / vmax, 1.0) * width)))
    return "".join(out)


def format_cny(value: float) -> str:
    """Yuan the way Chinese reports write them: ``format_cny(2.58e9)`` → ``'25.80 亿元'``, ``4.2e6`` → ``'420.0 万元'``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    v = float(value)
    if abs(v) >= 1e8:
        return f"{v / 1e8:,.2f} 亿元"
    if abs(v) >= 1e4:
        return f"{v / 1e4:,.1f} 万元"
    return f"{v:,.0f} 元"


FUNDING_TITLE = "**Aid money by donor and year** (CNY; █ funding, ▒ investment; other money types not charted)"


def funding_chart_md(funding: pd.DataFrame, top: int = 30, title: str = FUNDING_TITLE) -> str:
    """Funding and investment (CNY) by donor and year from ``funding_by_donor_year`` rows, as a bar table.

    Rows are donors (largest total first), then years (oldest first, "not stated" last); other money
    types (sales, output value, trade …) are not aid money and are left out of the chart.
    """
    if funding is None or funding.empty:
        return title + "\n\n_no funding or investment figures yet_"
    df = funding[funding["metric_type"].isin(MONEY_TYPES_CHARTED)].copy()
    if df.empty:
        return title + "\n\n_no funding or investment figures yet_"
    df["donor"] = df["donor"].map(_label_or("(donor not stated)"))
    df["year_label"] = df["year"].map(_year_label)
    df["year_sort"] = df["year"].map(lambda y: 9999 if _missing(y) else int(y))
    wide = (
        df.pivot_table(index=["donor", "year_label", "year_sort"], columns="metric_type", values="value_cny", aggfunc="sum")
        .reindex(columns=list(MONEY_TYPES_CHARTED))
        .fillna(0.0)
        .reset_index()
    )
    wide["total"] = wide["funding"] + wide["investment"]
    donor_total = wide.groupby("donor")["total"].sum()
    wide["donor_total"] = wide["donor"].map(donor_total)
    wide = wide.sort_values(["donor_total", "donor", "year_sort"], ascending=[False, True, True], kind="stable")
    vmax = float(wide["total"].max())
    lines = [
        title,
        "",
        "| donor | year | funding | investment | chart |",
        "|---|---|---:|---:|---|",
    ]
    shown = wide.head(top)
    for r in shown.itertuples(index=False):
        lines.append(
            f"| {_md(r.donor)} | {r.year_label} | {_cny_cell(r.funding)} | {_cny_cell(r.investment)} "
            f"| {stacked_bar([r.funding, r.investment], vmax) or '·'} |"
        )
    if len(wide) > top:
        lines.append(f"\n_… {len(wide) - top} more rows in the table_")
    return "\n".join(lines)


def facts_chart_md(facts: pd.DataFrame, top: int = 30) -> str:
    """Funding and investment by donor and year from ``facts`` rows, wholes only: aid facts of one year in
    CNY that are no part of another fact (so no figure is drawn twice), each fact once."""
    title = ("**Aid money by donor and year, from facts** (wholes only: CNY facts of one year, scope aid, no part "
             "of another fact; █ funding, ▒ investment)")
    if facts is None or facts.empty:
        return funding_chart_md(pd.DataFrame(), top, title)
    parent = facts["parent_fact_id"].astype(object)
    wholes = facts[(facts["scope"] == "aid") & (facts["period"] == "year") & (facts["unit"] == "CNY")
                   & parent.map(_missing).to_numpy()]
    frame = pd.DataFrame({"donor": wholes["donor"], "year": wholes["period_start"],
                          "metric_type": wholes["metric_type"], "value_cny": wholes["value"]})
    return funding_chart_md(frame, top, title)


def category_chart_md(by_category: pd.DataFrame) -> str:
    """Metric mentions per section category from ``metrics_by_category`` rows, most first, with CNY totals."""
    title = "**Metric mentions by category** (bar: mentions; CNY: sum of money figures in that category)"
    if by_category is None or by_category.empty:
        return title + "\n\n_no metrics yet_"
    df = by_category.copy()
    df["category"] = df["category"].map(_label_or("(none)"))
    df["cny"] = df["value_sum"].where(df["unit"] == "CNY", 0.0)
    g = df.groupby("category").agg(mentions=("n_mentions", "sum"), cny=("cny", "sum"))
    g = g.reset_index().sort_values(["mentions", "category"], ascending=[False, True], kind="stable")
    vmax = float(g["mentions"].max())
    lines = [title, "", "| category | mentions | chart | CNY |", "|---|---:|---|---:|"]
    for r in g.itertuples(index=False):
        lines.append(f"| {_md(r.category)} | {int(r.mentions)} | {bar(r.mentions, vmax) or '·'} | {_cny_cell(r.cny)} |")
    return "\n".join(lines)


def _cny_cell(v) -> str:
    return format_cny(v) if _positive(v) else "–"


def _positive(v) -> bool:
    try:
        return v is not None and not math.isnan(float(v)) and float(v) > 0
    except (TypeError, ValueError):
        return False


def _missing(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _year_label(y) -> str:
    return "not stated" if _missing(y) else str(int(y))


def _label_or(default: str):
    return lambda v: default if _missing(v) or str(v) == "" else str(v)


def _md(s: str) -> str:
    return str(s).replace("|", "\\|").replace("\n", " ")
