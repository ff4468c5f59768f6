"""The whole graph materialised in-process on the seeds (plus bad files), read back from Parquet."""

import re

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from aid_pipeline.contract.lineage import PINYIN_ANNOTATION, raw_span_matches
from aid_pipeline.text.convert import to_simplified
from aid_pipeline.contract.vocab import QUALIFIERS, UNITS

CONTRACT = {
    "reports": "report_id, source_path, sha256, encoding, n_chars_raw, n_chars, title, subtitle, publish_date, source, donor, recipients, n_sections, n_metrics, n_corrupt_spans, script",
    "texts": "report_id, raw_text, text, offsets",
    "sections": "report_id, section_id, ordinal, heading, category, text, start, end",
    "metrics": "report_id, metric_id, section_id, sentence, surface, start, end, raw_start, raw_end, value, value_high, unit, qualifier, metric_type, category, donor, recipient, year",
    "quarantine": "source_path, sha256, reason, detail",
}
PINYIN = re.compile(PINYIN_ANNOTATION)


def table(run, name) -> pd.DataFrame:
    return pd.read_parquet(run["warehouse"] / f"{name}.parquet")


def test_run_succeeds_and_every_check_passes(pipeline_run):
    result = pipeline_run["result"]
    assert result.success
    evaluations = [e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    assert len(evaluations) >= 12
    failed = [e.check_name for e in evaluations if not e.passed]
    assert failed == []


def test_one_run_covers_every_report(pipeline_run):
    result = pipeline_run["result"]
    mats = [e for e in result.all_events if e.event_type_value == "ASSET_MATERIALIZATION"]
    raw = [e.event_specific_data.materialization.metadata for e in mats if e.asset_key.path == ["raw_reports"]]
    assert len(raw) == 1  # one materialisation for the whole run …
    # … of 5 seeds + 3 bad files, all in this one run
    assert raw[0]["reports_processed"].value + raw[0]["reports_quarantined"].value == 8


def test_contract_columns_present(pipeline_run):
    for name, cols in CONTRACT.items():
        names = pq.read_schema(pipeline_run["warehouse"] / f"{name}.parquet").names
        missing = [c for c in cols.split(", ") if c not in names]
        assert missing == [], (name, missing)


def test_contract_arrow_types(pipeline_run):
    wh = pipeline_run["warehouse"]
    reports = pq.read_schema(wh / "reports.parquet")
    assert str(reports.field("publish_date").type) == "date32[day]"
    assert reports.field("recipients").type == pa.list_(pa.string())
    assert pq.read_schema(wh / "texts.parquet").field("offsets").type == pa.list_(pa.int32())
    metrics = pq.read_schema(wh / "metrics.parquet")
    assert str(metrics.field("value").type) == "double"
    assert str(metrics.field("value_high").type) == "double"


def test_five_reports_and_bad_files_quarantined(pipeline_run):
    reports = table(pipeline_run, "reports")
    assert len(reports) == 5
    assert reports["report_id"].str.match(r"^00[0-4]_[0-9a-f]{16}$").all()
    quarantine = table(pipeline_run, "quarantine")
    reasons = dict(zip(quarantine["source_path"].map(lambda p: p.rsplit("/", 1)[-1]), quarantine["reason"]))
    assert reasons == {"empty report.txt": "empty", "binary.txt": "binary", "undecodable.txt": "undecodable"}
    assert quarantine["detail"].str.len().min() > 10


def test_no_traditional_characters_or_pinyin_left(pipeline_run):
    texts = table(pipeline_run, "texts")
    for rid, text in zip(texts["report_id"], texts["text"]):
        assert to_simplified(text) == text, rid
        assert not PINYIN.search(text), (rid, PINYIN.search(text))


def test_traditional_seed_recorded_as_traditional(pipeline_run):
    reports = table(pipeline_run, "reports").set_index("report_id")
    scripts = reports["script"].to_dict()
    assert scripts["002_238017e20009b5ff"] in ("traditional", "mixed")
    assert scripts["000_ba42bb2e3b8f6f65"] == "simplified"


def test_known_money_figure_valued_in_yuan(pipeline_run):
    m = table(pipeline_run, "metrics")
    hit = m[(m["report_id"] == "000_ba42bb2e3b8f6f65") & (m["surface"] == "25.8亿元")]
    assert len(hit) == 1
    assert hit.iloc[0]["unit"] == "CNY"
    assert hit.iloc[0]["value"] == pytest.approx(2_580_000_000)


def test_seed_004_has_many_metrics(pipeline_run):
    m = table(pipeline_run, "metrics")
    assert (m["report_id"] == "004_7cd0caa0f52f3b97").sum() > 50


def test_every_metric_traces_to_normalised_and_raw_text(pipeline_run):
    m = table(pipeline_run, "metrics")
    texts = table(pipeline_run, "texts").set_index("report_id")
    assert len(m) > 100
    for row in m.itertuples():
        t = texts.loc[row.report_id]
        assert t["text"][row.start : row.end] == row.surface
        assert raw_span_matches(t["raw_text"][row.raw_start : row.raw_end], row.surface), (
            row.surface,
            t["raw_text"][row.raw_start : row.raw_end],
        )
        assert row.sentence in t["text"]


def test_metric_vocabularies_and_values(pipeline_run):
    m = table(pipeline_run, "metrics")
    assert set(m["unit"]) <= set(UNITS)
    assert set(m["qualifier"]) <= set(QUALIFIERS)
    assert (m["value"] >= 0).all()
    assert m["metric_id"].is_unique


def test_every_metric_belongs_to_a_section_of_its_report(pipeline_run):
    m = table(pipeline_run, "metrics")
    s = table(pipeline_run, "sections")
    merged = m.merge(s[["section_id", "report_id", "start", "end"]], on="section_id", suffixes=("", "_sec"))
    assert len(merged) == len(m)
    assert (merged["report_id"] == merged["report_id_sec"]).all()
    assert ((merged["start"] >= merged["start_sec"]) & (merged["end"] <= merged["end_sec"])).all()


def test_sections_cover_reports_and_slice_the_text(pipeline_run):
    s = table(pipeline_run, "sections")
    texts = table(pipeline_run, "texts").set_index("report_id")
    assert set(s["report_id"]) == set(texts.index)
    for row in s.itertuples():
        assert texts.loc[row.report_id, "text"][row.start : row.end] == row.text


def test_reports_counts_match_tables(pipeline_run):
    reports = table(pipeline_run, "reports").set_index("report_id")
    m = table(pipeline_run, "metrics").groupby("report_id").size()
    s = table(pipeline_run, "sections").groupby("report_id").size()
    assert (reports["n_metrics"] == m.reindex(reports.index).fillna(0)).all()
    assert (reports["n_sections"] == s.reindex(reports.index)).all()


def test_aggregates_sum_the_facts(pipeline_run):
    m = table(pipeline_run, "metrics")
    facts = table(pipeline_run, "facts")
    assert facts["n_mentions"].sum() == len(m)  # every mention belongs to exactly one fact
    assert sorted(x for ids in facts["metric_ids"] for x in ids) == sorted(m["metric_id"])
    funding = table(pipeline_run, "funding_by_donor_year")
    counted = facts.set_index("fact_id").loc[[f for ids in funding["fact_ids"] for f in ids]]
    assert funding["value_cny"].sum() == pytest.approx(counted["value"].sum())
    assert set(counted["unit"]) <= {"CNY"} and set(counted["period"]) <= {"year"} and set(counted["scope"]) <= {"aid"}
    by_cat = table(pipeline_run, "metrics_by_category")
    assert by_cat["n_mentions"].sum() == len(m)
    summary = table(pipeline_run, "report_summary")
    assert len(summary) == 5


def test_rerun_writes_identical_tables(pipeline_run):
    from aid_pipeline.cli import run_pipeline

    wh = pipeline_run["warehouse"]
    names = ["reports", "texts", "sections", "metrics", "quarantine", "facts", "funding_by_donor_year", "metrics_by_category", "report_summary", "cumulative_by_donor", "plans_by_donor"]
    before = {n: (wh / f"{n}.parquet").read_bytes() for n in names}
    result = run_pipeline(str(pipeline_run["inbox"]), str(wh), instance=pipeline_run["instance"], quiet=True)
    assert result.success
    after = {n: (wh / f"{n}.parquet").read_bytes() for n in names}
    assert [n for n in names if before[n] != after[n]] == []


def test_normalised_materialisation_reports_what_was_cleaned(pipeline_run):
    mats = [
        e.event_specific_data.materialization.metadata
        for e in pipeline_run["result"].all_events
        if e.event_type_value == "ASSET_MATERIALIZATION" and e.asset_key.path == ["normalised_reports"]
    ]
    md = mats[0]
    assert md["total_traditional_converted"].value > 0  # seeds 002 and 004 are Traditional
    assert md["total_pinyin_removed"].value > 0
    assert md["total_boilerplate_lines"].value > 0
    assert md["rows_written_in_run"].value == 5  # one row per report that passed
    assert md["dagster/row_count"].value == 5  # the rows the stage holds
    assert "report_id" in md["preview"].value


def test_each_stage_materialisation_counts_the_rows_a_reader_finds(pipeline_run):
    # per report, the rows live in the warehouse; each stage's one materialisation counts them all
    counts: dict[str, int] = {}
    for e in pipeline_run["result"].all_events:
        if e.event_type_value == "ASSET_MATERIALIZATION":
            mat = e.event_specific_data.materialization
            counts[mat.asset_key.path[0]] = mat.metadata["dagster/row_count"].value
    seeds = sorted(p.stem for p in pipeline_run["inbox"].glob("0*.txt"))
    assert len(seeds) == 5
    assert counts["raw_reports"] == counts["normalised_reports"] == 5  # one row per report; a file set aside has none
    assert counts["report_metrics"] == len(table(pipeline_run, "metrics")) > 0
    assert counts["report_sections"] == len(table(pipeline_run, "sections")) > 0
