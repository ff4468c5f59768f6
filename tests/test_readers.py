"""The analyst's readers open the warehouse as the README shows: one line each for pandas, DuckDB and Polars, and
they agree on what the tables hold (types included: a year is an integer, a list column a list)."""

import duckdb
import pandas as pd
import polars as pl


def test_pandas_duckdb_and_polars_read_every_contract_table_alike(pipeline_run):
    wh = pipeline_run["warehouse"]
    for name in ("reports", "metrics", "facts", "funding_by_donor_year", "cumulative_by_donor", "report_summary"):
        path = str(wh / f"{name}.parquet")
        by_pandas = pd.read_parquet(path)
        by_duckdb = duckdb.sql(f"SELECT * FROM '{path}'").df()
        by_polars = pl.read_parquet(path)
        assert len(by_pandas) == len(by_duckdb) == by_polars.height > 0, name
        assert list(by_pandas.columns) == list(by_duckdb.columns) == by_polars.columns, name


def test_the_funding_question_gives_one_answer_in_each_reader(pipeline_run):
    """How much did each donor give in each year? Summed the same in SQL, in pandas and in Polars."""
    path = str(pipeline_run["warehouse"] / "funding_by_donor_year.parquet")
    sql = duckdb.sql(f"SELECT donor, year, sum(value_cny) AS cny FROM '{path}' GROUP BY ALL ORDER BY ALL").fetchall()
    pdf = (pd.read_parquet(path).groupby(["donor", "year"], dropna=False)["value_cny"].sum()
           .reset_index().sort_values(["donor", "year"]))
    pol = (pl.read_parquet(path).group_by(["donor", "year"]).agg(pl.col("value_cny").sum())
           .sort(["donor", "year"], nulls_last=True))
    assert sql and len(sql) == len(pdf) == pol.height
    assert [round(r[2]) for r in sql] == [round(v) for v in pdf["value_cny"]] == [round(v) for v in pol["value_cny"]]
    assert pl.read_parquet(path).schema["year"] in (pl.Int32, pl.Int64)
