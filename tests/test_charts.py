"""The markdown charts of the aggregate tables: bars proportional to the figures, rows a reader expects."""

import math
import re

import pandas as pd

from aid_pipeline.orchestration import charts
from aid_pipeline.orchestration.charts import FULL, SECOND, bar, category_chart_md, format_cny, funding_chart_md, stacked_bar


def bar_length(s: str) -> float:
    """Length of a unicode bar in characters, counting an eighth block as its fraction."""
    eighths = {c: i / 8 for i, c in enumerate(" ▏▎▍▌▋▊▉")}
    return sum(1.0 if c == FULL else eighths.get(c, 0.0) for c in s)


def rows(md: str) -> list[list[str]]:
    """Body rows of the markdown table in ``md`` as lists of stripped cells."""
    table = [line for line in md.splitlines() if line.startswith("|")]
    return [[c.strip() for c in re.split(r"(?<!\\)\|", line.strip("|"))] for line in table[2:]]


def test_bar_is_proportional_in_eighths():
    assert bar(10, 10, width=4) == FULL * 4
    assert bar(5, 10, width=4) == FULL * 2
    assert bar_length(bar(3, 8, width=8)) == 3.0
    assert bar_length(bar(1, 3, width=3)) == 1.0
    assert bar(1, 3, width=24).count(FULL) == 8


def test_bar_of_zero_or_missing_is_empty_and_tiny_values_still_show():
    assert bar(0, 10) == "" and bar(float("nan"), 10) == "" and bar(None, 10) == "" and bar(5, 0) == ""
    assert bar(1, 1e9) != ""  # a small donor is not drawn as nothing


def test_stacked_bar_puts_each_part_in_its_own_character():
    assert stacked_bar([1, 1], 2, width=4) == FULL * 2 + SECOND * 2
    assert stacked_bar([0, 3], 3, width=3) == SECOND * 3
    assert stacked_bar([0, 0], 0) == ""


def test_format_cny_uses_yi_and_wan():
    assert format_cny(2_580_000_000) == "25.80 亿元"
    assert format_cny(4_200_000) == "420.0 万元"
    assert format_cny(300) == "300 元"
    assert format_cny(float("nan")) == "–"


def funding_rows():
    # 山东: 1 亿 funding in 2023 + 2 亿 investment with no year; 深圳: 5 亿 investment in 2024; sales are not aid money
    return pd.DataFrame(
        {
            "donor": ["山东", "山东", "深圳", "深圳", None],
            "recipient": ["疏勒县", "疏勒县", "喀什市", "喀什市", "某县"],
            "year": [2023, None, 2024, 2024, 2022],
            "metric_type": ["funding", "investment", "investment", "sales", "funding"],
            "value_cny": [1e8, 2e8, 5e8, 9e9, 1e6],
            "n_mentions": [1, 1, 1, 1, 1],
            "n_reports": [1, 1, 1, 1, 1],
        }
    )


def test_funding_chart_rows_by_donor_total_then_year():
    md = funding_chart_md(funding_rows())
    table = rows(md)
    assert [(r[0], r[1]) for r in table] == [
        ("深圳", "2024"),  # 5 亿: the biggest donor first
        ("山东", "2023"),  # 3 亿 in all, its years oldest first, "not stated" last
        ("山东", "not stated"),
        ("(donor not stated)", "2022"),
    ]
    shenzhen, sd_2023, sd_none, unknown = table
    assert shenzhen[2:4] == ["–", "5.00 亿元"]
    assert sd_2023[2:4] == ["1.00 亿元", "–"]
    assert sd_none[2:4] == ["–", "2.00 亿元"]
    # bars: the biggest row is full width, the others in proportion, funding █ and investment ▒
    assert shenzhen[4] == SECOND * charts.BAR_WIDTH
    assert sd_2023[4] == FULL * round(charts.BAR_WIDTH / 5)
    assert sd_none[4] == SECOND * round(2 * charts.BAR_WIDTH / 5)
    assert unknown[4] == FULL  # 100 万 of 5 亿 still shows
    assert "9" not in "".join(c for r in table for c in r[2:4])  # the 90 亿 of sales is not charted


def test_funding_chart_lists_long_tables_with_a_note():
    many = pd.DataFrame(
        {"donor": [f"d{i:02d}" for i in range(40)], "recipient": "x", "year": 2023,
         "metric_type": "funding", "value_cny": [float(i + 1) * 1e6 for i in range(40)], "n_mentions": 1, "n_reports": 1}
    )
    md = funding_chart_md(many, top=10)
    assert len(rows(md)) == 10
    assert rows(md)[0][0] == "d39"
    assert "30 more rows" in md


def test_funding_chart_without_money_says_so():
    assert "no funding" in funding_chart_md(pd.DataFrame(columns=["donor", "year", "metric_type", "value_cny"]))
    only_sales = funding_rows()[funding_rows()["metric_type"] == "sales"]
    assert "no funding" in funding_chart_md(only_sales)


def test_category_chart_sums_mentions_over_units_and_cny_only_for_money():
    by_cat = pd.DataFrame(
        {
            "category": ["health", "health", "education", "industry"],
            "unit": ["CNY", "person", "person", "CNY"],
            "metric_type": ["funding", "patients", "students", "investment"],
            "n_mentions": [3, 5, 2, 4],
            "n_reports": [1, 2, 1, 1],
            "value_sum": [3e7, 800.0, 100.0, 6e8],
        }
    )
    table = rows(category_chart_md(by_cat))
    assert [(r[0], r[1]) for r in table] == [("health", "8"), ("industry", "4"), ("education", "2")]
    assert table[0][3] == "3,000.0 万元"  # persons are not added to yuan
    assert table[2][3] == "–"
    assert bar_length(table[0][2]) == charts.BAR_WIDTH
    assert math.isclose(bar_length(table[1][2]), charts.BAR_WIDTH / 2)
    assert math.isclose(bar_length(table[2][2]), charts.BAR_WIDTH / 4)


def test_pipe_in_a_label_does_not_break_the_table():
    by_cat = pd.DataFrame({"category": ["a|b"], "unit": ["item"], "metric_type": ["other"], "n_mentions": [1], "n_reports": [1], "value_sum": [1.0]})
    assert len(rows(category_chart_md(by_cat))[0]) == 4


def test_charts_module_has_no_dagster_import():
    import ast
    import inspect

    tree = ast.parse(inspect.getsource(charts))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
    assert not any(n.split(".")[0] == "dagster" for n in names)
