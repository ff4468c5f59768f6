"""The UI marks a table stale when the code that builds it changes: the table and aggregate assets carry a real
code version (a digest of the table-building code), not a constant."""

import shutil

from aid_pipeline.orchestration.assets import tables


def test_every_table_and_aggregate_asset_carries_the_table_code_digest():
    from aid_pipeline.orchestration.definitions import build_defs

    graph = build_defs().get_repository_def().asset_graph
    nodes = [graph.get(k) for k in graph.materializable_asset_keys]
    built = [n for n in nodes if n.group_name in ("tables", "aggregates")]
    assert {"reports", "metrics", "facts", "funding_by_donor_year"} <= {n.key.path[-1] for n in built}
    for node in built:
        assert node.code_version == tables.tables_code_version(), node.key


def test_the_table_code_digest_changes_with_the_table_building_code(tmp_path, monkeypatch):
    copies = []
    for path in tables.TABLE_CODE_FILES:
        copy = tmp_path / path.parent.name / path.name
        copy.parent.mkdir(exist_ok=True)
        shutil.copy(path, copy)
        copies.append(copy)
    monkeypatch.setattr(tables, "TABLE_CODE_FILES", tuple(copies))
    before = tables.tables_code_version()
    assert before == tables.TABLES_CODE_VERSION
    facts_copy = next(c for c in copies if c.name == "facts.py")
    with open(facts_copy, "a", encoding="utf-8") as fh:
        fh.write("\n# a changed consolidation rule\n")
    assert tables.tables_code_version() != before
