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


def test_the_stage_assets_carry_the_text_code_version_and_every_asset_has_a_digest():
    """The four stages carry the digest of the text code (the one the ledger records per report), and no asset is
    left on a constant such as "1" that never changes."""
    from aid_pipeline.contract.version import text_code_version
    from aid_pipeline.orchestration.definitions import build_defs

    graph = build_defs().get_repository_def().asset_graph
    nodes = {graph.get(k).key.path[-1]: graph.get(k) for k in graph.materializable_asset_keys}
    for stage in ("raw_reports", "normalised_reports", "report_sections", "report_metrics"):
        assert nodes[stage].code_version == text_code_version(), stage
    assert text_code_version().startswith("t") and len(text_code_version()) == 13
    assert all(n.code_version and len(n.code_version) >= 12 for n in nodes.values()), {
        k: n.code_version for k, n in nodes.items() if not n.code_version or len(n.code_version) < 12}
