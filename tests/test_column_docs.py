"""Issue 16, item 14: every column of every table asset carries a description in Dagster's column schema."""

import dagster as dg

from aid_pipeline.warehouse import io
from aid_pipeline.contract.column_docs import COLUMNS, PER_TABLE, column_description
from aid_pipeline.orchestration.definitions import build_defs


def _column_schemas():
    graph = build_defs().get_repository_def().asset_graph
    out = {}
    for key in graph.materializable_asset_keys:
        schema = graph.get(key).metadata.get("dagster/column_schema")
        out[key.to_user_string()] = schema.schema if isinstance(schema, dg.TableSchemaMetadataValue) else schema
    return out


def test_every_column_of_every_table_asset_has_a_description():
    schemas = _column_schemas()
    # every stage, contract table and aggregate declares its columns (the checks are not assets)
    for name in ("raw_reports", "normalised_reports", "report_sections", "report_metrics", "reports", "texts",
                 "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines", "edits", "facts",
                 "funding_by_donor_year", "metrics_by_category", "report_summary", "cumulative_by_donor", "plans_by_donor"):
        assert schemas.get(name) is not None, f"{name} has no dagster/column_schema"
    undescribed = [f"{asset}.{c.name}" for asset, schema in schemas.items() if schema is not None
                   for c in schema.columns if not (c.description or "").strip()]
    assert undescribed == []
    # the schema lists the table's Parquet columns, in order
    assert [c.name for c in schemas["metrics"].columns] == io.SCHEMAS["metrics"].names


def test_every_stored_table_column_is_described_and_no_description_is_orphaned():
    tables = {t: s.names for t, s in io.SCHEMAS.items()}
    assert [f"{t}.{c}" for t, cols in tables.items() for c in cols if not column_description(t, c)] == []
    names = {c for cols in tables.values() for c in cols}
    assert sorted(set(COLUMNS) - names) == []  # a description for a column no table has is a typo
    assert sorted((t, c) for t, c in PER_TABLE if c not in tables.get(t, ())) == []


def test_a_column_that_means_another_thing_in_another_table_says_so():
    # `text` is the whole normalised report in texts, one section's text in sections
    assert "section" in column_description("sections", "text")
    assert "section" not in column_description("texts", "text")
    assert "raw_text" in column_description("metrics", "raw_start")
    assert column_description("metrics", "surface").startswith("the figure exactly as written")
