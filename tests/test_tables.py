import pandas as pd

from aid_pipeline.warehouse import tables


def metrics_frame():
    return pd.DataFrame(
        {
            "report_id": ["a", "a", "b", "b"],
            "donor": ["山东", "山东", "山东", None],
            "recipient": ["疏勒县", "疏勒县", "疏勒县", None],
            "year": [2023, 2023, 2023, None],
            "metric_type": ["funding", "funding", "funding", "personnel"],
            "unit": ["CNY", "CNY", "CNY", "person"],
            "value": [1e6, 2e6, 5e5, 30.0],
            "category": ["health", "health", "education", "talent"],
        }
    )


def test_funding_sums_cny_by_donor_recipient_year_type():
    from aid_pipeline.warehouse.facts import build_facts

    m = metrics_frame().assign(metric_id=["a:m0000", "a:m0001", "b:m0000", "b:m0001"],
                               surface=["100万元", "200万元", "50万元", "30名"])
    out = tables.funding_by_donor_year(build_facts(m))
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["donor"], row["recipient"], row["year"], row["metric_type"]) == ("山东", "疏勒县", 2023, "funding")
    assert row["value_cny"] == 3.5e6 and row["n_mentions"] == 3 and row["n_reports"] == 2 and row["n_facts"] == 3


def test_metrics_by_category_counts_every_mention():
    out = tables.metrics_by_category(metrics_frame())
    assert out["n_mentions"].sum() == 4
    assert set(out["category"]) == {"health", "education", "talent"}


def test_report_summary_totals():
    from aid_pipeline.warehouse.facts import build_facts

    reports = pd.DataFrame(
        {"report_id": ["a", "b"], "title": ["t", None], "publish_date": [None, None], "donor": ["山东", None],
         "n_sections": [2, 1], "n_metrics": [2, 2], "n_corrupt_spans": [0, 1]}
    )
    m = metrics_frame().assign(metric_id=["a:m0000", "a:m0001", "b:m0000", "b:m0001"],
                               surface=["100万元", "200万元", "50万元", "30名"])
    facts = build_facts(m.assign(metric_type=["funding", "funding", "funding", "personnel"]))
    out = tables.report_summary(reports, facts).set_index("report_id")
    assert out.loc["a", "funding_cny"] == 3e6
    assert out.loc["b", "people"] == 30.0  # 30 people sent (personnel), a figure with no year


# ---- column lineage and charts as the UI sees them ---------------------------------------------------

def test_column_lineage_names_real_columns_of_real_parents():
    import dagster as dg

    from aid_pipeline.warehouse import io
    from aid_pipeline.orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    for table, columns in tables.COLUMN_SOURCES.items():
        parents = {p.to_user_string() for p in graph.get(dg.AssetKey(table)).parent_keys}
        assert set(columns) <= set(io.SCHEMAS[table].names), table
        for col, deps in columns.items():
            for asset, src in deps:
                assert asset in parents, (table, col, asset)
                assert src in io.SCHEMAS[asset].names, (table, col, asset, src)


def test_column_lineage_of_the_columns_a_user_follows():
    src = tables.COLUMN_SOURCES
    assert ("report_metrics", "value") in src["metrics"]["value"]
    assert ("report_metrics", "raw_start") in src["metrics"]["raw_start"]
    assert ("facts", "value") in src["funding_by_donor_year"]["value_cny"]
    assert ("metrics", "value") in src["facts"]["value"]
    assert ("metrics", "metric_id") in src["facts"]["metric_ids"]
    assert ("raw_reports", "raw_text") in src["texts"]["raw_text"]
    assert ("normalised_reports", "text") in src["texts"]["text"]
    assert ("raw_reports", "sha256") in src["reports"]["sha256"]


def test_lineage_declared_on_the_assets():
    import dagster as dg

    from aid_pipeline.orchestration.definitions import defs

    graph = defs.resolve_asset_graph()
    lineage = graph.get(dg.AssetKey("funding_by_donor_year")).metadata["dagster/column_lineage"]
    deps = lineage.deps_by_column["value_cny"]
    assert dg.TableColumnDep(asset_key=dg.AssetKey("facts"), column_name="value") in deps
    facts = graph.get(dg.AssetKey("facts")).metadata["dagster/column_lineage"]
    assert dg.TableColumnDep(asset_key=dg.AssetKey("metrics"), column_name="value") in facts.deps_by_column["value"]


def _materialisation_metadata(run, asset: str) -> dict:
    mats = [
        e.event_specific_data.materialization.metadata
        for e in run["result"].all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == [asset]
    ]
    assert len(mats) == 1, asset
    return mats[0]


def test_materialisations_carry_lineage_preview_and_charts(pipeline_run):
    metrics_md = _materialisation_metadata(pipeline_run, "metrics")
    assert "report_metrics" in str(metrics_md["dagster/column_lineage"])
    assert metrics_md["dagster/row_count"].value > 100
    funding = pd.read_parquet(pipeline_run["warehouse"] / "funding_by_donor_year.parquet")
    chart = _materialisation_metadata(pipeline_run, "funding_by_donor_year")["chart"].value
    # every donor with funding or investment money is a row of the chart
    money = funding[funding["metric_type"].isin(["funding", "investment"])]
    for donor in set(money["donor"].dropna()):
        assert f"| {donor} |" in chart
    assert "█" in chart or "▒" in chart
    by_cat = _materialisation_metadata(pipeline_run, "metrics_by_category")["chart"].value
    for category in set(pd.read_parquet(pipeline_run["warehouse"] / "metrics_by_category.parquet")["category"]):
        assert f"| {category} |" in by_cat


# ---- asset checks: pandera run lazily, failure cases as metadata a reader can act on -----------------

def _metric_row(**over):
    row = {
        "report_id": "r1", "metric_id": "r1:m0000", "section_id": "r1:s000", "section_kind": "body", "sentence": "投入5亿元。",
        "surface": "5亿元", "start": 2, "end": 5, "raw_start": 2, "raw_end": 5, "value": 5e8, "value_high": None,
        "unit": "CNY", "qualifier": "exact", "metric_type": "funding", "category": "industry",
        "donor": "山东", "recipient": None, "year": 2023,
        "period": "year", "period_start": 2023, "period_end": 2023, "part_of": None, "scope": "aid",
        "donor_province": "山东",
    }
    row.update(over)
    return row


def _run_schema_check(tmp_path, table: str, rows: list[dict]):
    from aid_pipeline.warehouse import io
    from aid_pipeline.orchestration.asset_checks import schema_checks
    from aid_pipeline.orchestration.resources import PipelineSettings

    io.write_frame(pd.DataFrame(rows), io.table_path(tmp_path, table), table)
    (check,) = [c for c in schema_checks if any(k.name == f"{table}_schema" for k in c.check_keys)]
    return check(settings=PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path)))


def test_schema_check_passes_on_good_rows(tmp_path):
    result = _run_schema_check(tmp_path, "metrics", [_metric_row()])
    assert result.passed
    assert result.metadata["n_failure_cases"].value == 0


def test_schema_check_names_every_failing_row_column_and_rule(tmp_path):
    rows = [
        _metric_row(),
        _metric_row(report_id="r2", metric_id="r2:m0000", unit="dollars"),
        _metric_row(report_id="r3", metric_id="r3:m0007", value=-1.0),
    ]
    result = _run_schema_check(tmp_path, "metrics", rows)
    assert not result.passed
    md = result.metadata
    assert md["n_failure_cases"].value == 2  # lazy: both problems reported, not just the first
    assert md["rows"].value == 3 and md["rows_failing"].value == 2
    assert md["failing_reports"].value == ["r2", "r3"]
    cases = md["failure_cases"].value
    assert "| r2:m0000 " in cases and "dollars" in cases and "| unit " in cases
    assert "| r3:m0007 " in cases and "-1.0" in cases and "| value " in cases
    assert "r1:m0000" not in cases
    by_check = md["failures_by_check"].value
    assert "greater_than_or_equal_to(0)" in by_check and "isin(" in by_check


def test_schema_check_on_a_cross_column_rule_names_the_row(tmp_path):
    # surface no longer spans end - start characters: a rule over several columns
    rows = [_metric_row(), _metric_row(report_id="r2", metric_id="r2:m0000", end=9)]
    result = _run_schema_check(tmp_path, "metrics", rows)
    assert not result.passed
    assert result.metadata["failing_reports"].value == ["r2"]
    assert "r2:m0000" in result.metadata["failure_cases"].value


def test_reports_take_partition_key_and_source_from_the_raw_row():
    # every stage row carries partition_key; the report row must still have exactly one, the raw one
    raw = pd.DataFrame({"report_id": ["a"], "partition_key": ["a-1234abcd"], "source_path": ["in/a.txt"], "sha256": ["0" * 64], "encoding": ["utf-8"]})
    norm = pd.DataFrame({"report_id": ["a"], "partition_key": ["a-1234abcd"], "text": ["t"], "title": ["标题"]})
    out = tables.build_reports(raw, norm, pd.DataFrame(), pd.DataFrame())
    assert out.loc[0, "partition_key"] == "a-1234abcd"
    assert out.loc[0, "source_path"] == "in/a.txt"
    assert not any(c.endswith(("_x", "_y")) for c in out.columns)
