"""From mentions to facts, and the aggregates built on facts, on small hand-made metric frames.

Every expected value here is written by hand from the figures in the frames and the GUIDE's "Facts"
section (one fact per figure, wholes before parts, plans and cumulative figures kept out of a year's
actuals), not copied from the code's output.
"""

import duckdb
import pandas as pd
import pytest

from aid_pipeline.warehouse import facts as F
from aid_pipeline.warehouse import io


def mention(report, n, surface, value, **over):
    """One metric row: a 2023 funding figure of 广州 to 疏附县 unless ``over`` says otherwise."""
    row = {
        "report_id": report, "metric_id": f"{report}:m{n:04d}", "sentence": over.pop("sentence", f"投入{surface}。"),
        "surface": surface, "start": n * 10, "value": value, "value_high": None, "unit": "CNY", "qualifier": "exact",
        "metric_type": "funding", "donor": "广州", "donor_province": "广东", "recipient": "疏附县", "year": 2023,
        "period": "year", "period_start": 2023, "period_end": 2023, "part_of": None, "scope": "aid",
    }
    row.update(over)
    return row


def frame(*rows):
    return pd.DataFrame(list(rows))


REPORTS = pd.DataFrame({"report_id": ["a", "b", "c"],
                        "publish_date": pd.to_datetime(["2024-01-10", "2024-02-01", "2024-03-05"]).date})


# ---- how figures compare ------------------------------------------------------------------------------

def test_precision_is_one_unit_of_the_last_written_digit():
    assert F.stated_precision("5.3亿元", 5.3e8) == pytest.approx(1e7)
    assert F.stated_precision("53000万元", 5.3e8) == pytest.approx(1e4)
    assert F.stated_precision("10.1 亿元", 1.01e9) == pytest.approx(1e7)
    assert F.stated_precision("1,200名", 1200) == pytest.approx(1)
    assert F.stated_precision("两次", 2) == 0.0  # no Arabic digits: only an equal value matches


def test_same_figure_within_the_coarser_rounding():
    assert F.same_figure(5.3e8, 1e7, 5.3e8, 1e4)  # 5.3亿元 = 53000万元
    assert F.same_figure(5.3e8, 1e7, 5.27e8, 1e6)  # 5.27亿 rounds to 5.3亿
    assert not F.same_figure(5.3e8, 1e7, 5.5e8, 1e7)
    assert not F.same_figure(6423e4, 1e4, 6424e4, 1e4)  # both to the 万: a different figure
    assert not F.same_figure(2, 0.0, 3, 0.0)


def test_context_masks_the_figure_and_other_numbers():
    assert F.context_of("2023年，广州投入5.3亿元用于住房。", "5.3亿元") == "广州投入#用于住房"
    same = F.context_similarity(F.context_of("全年投入援疆资金5.3亿元。", "5.3亿元"),
                                F.context_of("全年投入援疆资金5.5亿元。", "5.5亿元"))
    other = F.context_similarity(F.context_of("投入6423万元用于住房建设。", "6423万元"),
                                 F.context_of("投入2.32亿元用于产业发展。", "2.32亿元"))
    assert same == 1.0 and other < F.CONTEXT_MIN


# ---- consolidation ------------------------------------------------------------------------------------

def test_a_figure_repeated_in_one_report_is_one_fact():
    facts = F.build_facts(frame(mention("a", 0, "5.3亿元", 5.3e8), mention("a", 7, "5.3亿元", 5.3e8)), REPORTS)
    assert len(facts) == 1
    f = facts.iloc[0]
    assert (f.n_mentions, f.n_reports, list(f.metric_ids)) == (2, 1, ["a:m0000", "a:m0007"])


def test_a_figure_restated_with_other_rounding_is_one_fact():
    facts = F.build_facts(frame(mention("a", 0, "5.3亿元", 5.3e8), mention("b", 3, "53000万元", 5.3e8)), REPORTS)
    assert len(facts) == 1
    f = facts.iloc[0]
    assert (f.n_reports, f.n_mentions, f.value) == (2, 2, 5.3e8)
    assert f.first_report_id == "a" and f.last_report_id == "b" and list(f.conflict) == []
    finer = F.build_facts(frame(mention("a", 0, "5.3亿元", 5.3e8), mention("c", 1, "5.27亿元", 5.27e8)), REPORTS)
    assert len(finer) == 1 and finer.iloc[0].value == 5.27e8  # the most precise statement, not an average


def test_two_reports_with_different_values_for_one_key_conflict():
    facts = F.build_facts(frame(
        mention("a", 0, "5.3亿元", 5.3e8, sentence="2023年，广州全年投入援疆资金5.3亿元。"),
        mention("b", 0, "5.5亿元", 5.5e8, sentence="2023年，广州全年投入援疆资金5.5亿元。"),
    ), REPORTS)
    assert len(facts) == 2
    low, high = facts.sort_values("value").fact_id.tolist()
    by_id = facts.set_index("fact_id")
    assert list(by_id.loc[low, "conflict"]) == [high] and list(by_id.loc[high, "conflict"]) == [low]
    # the aggregate counts one of them (the later report's), never both and never their mean
    funding = F.funding_by_donor_year(facts)
    assert len(funding) == 1
    row = funding.iloc[0]
    assert row.value_cny == 5.5e8 and list(row.fact_ids) == [high] and list(row.conflict_fact_ids) == [low]


def test_two_values_in_one_report_are_two_things_not_a_conflict():
    facts = F.build_facts(frame(
        mention("a", 0, "6423万元", 6423e4, sentence="投入6423万元用于住房建设。"),
        mention("a", 1, "5907万元", 5907e4, sentence="投入5907万元用于住房建设。"),
    ), REPORTS)
    assert len(facts) == 2 and all(len(c) == 0 for c in facts.conflict)
    assert F.funding_by_donor_year(facts).iloc[0].value_cny == 6423e4 + 5907e4


def test_different_values_in_other_sentences_do_not_conflict():
    facts = F.build_facts(frame(
        mention("a", 0, "6423万元", 6423e4, sentence="投入6423万元用于住房建设。"),
        mention("b", 0, "2.32亿元", 2.32e8, sentence="投入2.32亿元用于产业发展。"),
    ), REPORTS)
    assert all(len(c) == 0 for c in facts.conflict)


def test_fact_ids_do_not_depend_on_file_names_or_order():
    rows = [mention("a", 0, "5.3亿元", 5.3e8), mention("a", 1, "22个", 22, unit="project", metric_type="projects"),
            mention("b", 0, "53000万元", 5.3e8)]
    renamed = [{**r, "report_id": "z" + r["report_id"], "metric_id": "z" + r["metric_id"]} for r in reversed(rows)]
    one = F.build_facts(frame(*rows), REPORTS)
    two = F.build_facts(frame(*renamed), REPORTS.assign(report_id="z" + REPORTS.report_id))
    assert one.fact_id.tolist() == two.fact_id.tolist()
    assert one.value.tolist() == two.value.tolist()


def test_reruns_write_byte_identical_facts(tmp_path):
    rows = frame(mention("a", 0, "5.3亿元", 5.3e8), mention("b", 0, "53000万元", 5.3e8),
                 mention("b", 1, "6423万元", 6423e4, part_of="b:m0000"))
    io.write_frame(F.build_facts(rows, REPORTS), tmp_path / "one.parquet", "facts")
    io.write_frame(F.build_facts(rows.sample(frac=1, random_state=3), REPORTS), tmp_path / "two.parquet", "facts")
    assert (tmp_path / "one.parquet").read_bytes() == (tmp_path / "two.parquet").read_bytes()


# ---- aggregates ---------------------------------------------------------------------------------------

def seed_004_like():
    """A 2023 total with three spending lines, a cumulative figure, a plan and a GDP-like context figure."""
    return frame(
        mention("a", 0, "5.3亿元", 5.3e8),
        mention("a", 1, "6423万元", 6423e4, part_of="a:m0000"),
        mention("a", 2, "5907万元", 5907e4, part_of="a:m0000"),
        mention("a", 3, "2.32亿元", 2.32e8, part_of="a:m0000"),
        mention("a", 4, "20.43亿元", 20.43e8, metric_type="investment", period="cumulative", period_start=2010,
                period_end=2023),
        mention("a", 5, "8亿元", 8e8, period="plan", period_start=None, period_end=2025),
        mention("a", 6, "11.83亿元", 11.83e8, metric_type="trade", scope="context", donor=None, donor_province=None),
    )


def test_funding_counts_the_whole_not_its_parts_nor_cumulative_plan_or_context():
    facts = F.build_facts(seed_004_like(), REPORTS)
    funding = F.funding_by_donor_year(facts)
    assert funding[["donor", "recipient", "year", "metric_type", "value_cny", "basis"]].values.tolist() == [
        ["广州", "疏附县", 2023, "funding", 5.3e8, "wholes"]
    ]
    assert list(funding.iloc[0].metric_ids) == ["a:m0000"]
    assert F.double_counted(funding, facts) == []


def test_parts_count_where_their_whole_is_absent():
    rows = seed_004_like()
    rows.loc[0, "period"] = "to_date"  # the whole is no longer a year figure: its parts stand in for it
    facts = F.build_facts(rows, REPORTS)
    row = F.funding_by_donor_year(facts).iloc[0]
    assert row.value_cny == pytest.approx(6423e4 + 5907e4 + 2.32e8)
    assert row.basis == "parts" and row.n_facts == 3


def test_cumulative_keeps_the_latest_figure_with_its_report():
    rows = frame(
        mention("a", 0, "50.9亿元", 50.9e8, metric_type="sales", period="cumulative", period_start=2021, period_end=2023),
        mention("c", 0, "61亿元", 61e8, metric_type="sales", period="cumulative", period_start=2021, period_end=2024),
        mention("a", 1, "10.1亿元", 10.1e8, metric_type="sales", period="to_date", period_start=2023, period_end=2023),
    )
    cum = F.cumulative_by_donor(F.build_facts(rows, REPORTS))
    since_2021 = cum[cum.period_start == 2021].iloc[0]
    assert (since_2021.value, since_2021.period_end, since_2021.report_id) == (61e8, 2024, "c")
    assert str(since_2021.publish_date) == "2024-03-05" and len(since_2021.superseded_fact_ids) == 1
    assert cum[cum.period_start == 2023].iloc[0].value == 10.1e8
    assert F.funding_by_donor_year(F.build_facts(rows, REPORTS)).empty  # neither is one year's money


def test_plans_stay_out_of_the_actuals():
    facts = F.build_facts(seed_004_like(), REPORTS)
    plans = F.plans_by_donor(facts)
    assert plans[["donor", "target_year", "value"]].values.tolist() == [["广州", 2025, 8e8]]
    assert 8e8 not in F.funding_by_donor_year(facts).value_cny.tolist()


def test_city_donor_keeps_its_province_for_roll_ups():
    facts = F.build_facts(frame(mention("a", 0, "3000万元", 3e7, donor="湖州", donor_province="浙江", recipient="柯坪县"),
                                mention("b", 0, "2000万元", 2e7, donor="嘉兴", donor_province="浙江", recipient="柯坪县")),
                          REPORTS)
    funding = F.funding_by_donor_year(facts)
    assert funding[["donor", "donor_province", "value_cny"]].values.tolist() == [["嘉兴", "浙江", 2e7], ["湖州", "浙江", 3e7]]
    assert funding.groupby("donor_province").value_cny.sum().to_dict() == {"浙江": 5e7}


def test_report_summary_adds_facts_by_metric_type_not_by_unit():
    rows = frame(
        mention("a", 0, "7名", 7, unit="person", metric_type="personnel"),
        mention("a", 1, "3500人", 3500, unit="person", metric_type="trainees"),
        mention("a", 2, "4万余人", 40000, unit="person", metric_type="beneficiaries", qualifier="at_least"),
        mention("a", 3, "5.3亿元", 5.3e8),
        mention("a", 4, "5.3亿元", 5.3e8),  # the title repeats the figure
        mention("a", 5, "6423万元", 6423e4, part_of="a:m0003"),
    )
    reports = pd.DataFrame({"report_id": ["a"], "title": ["t"], "publish_date": [None], "donor": ["广州"],
                            "n_sections": [2], "n_metrics": [6], "n_corrupt_spans": [0]})
    out = F.report_summary(reports, F.build_facts(rows, REPORTS)).iloc[0]
    assert (out.people, out.trainees, out.beneficiaries) == (7, 3500, 40000)
    assert out.funding_cny == 5.3e8 and out.n_facts == 4


# ---- what the asset checks catch ----------------------------------------------------------------------

def test_checks_catch_double_counting_big_parts_and_disagreeing_mentions():
    facts = F.build_facts(seed_004_like(), REPORTS)
    whole = facts[facts.value == 5.3e8].fact_id.iloc[0]
    part = facts[facts.value == 6423e4].fact_id.iloc[0]
    twice = pd.DataFrame({"fact_ids": [[whole], [whole, part]]})
    problems = {p["problem"] for p in F.double_counted(twice, facts)}
    assert "also counted in row 0" in problems and f"counted with its whole {whole}" in problems
    assert F.parts_exceeding_wholes(facts) == []
    bigger = facts.copy()
    bigger.loc[bigger.fact_id == part, "value"] = 6e8
    assert [p["fact_id"] for p in F.parts_exceeding_wholes(bigger)] == [part]
    metrics = seed_004_like()
    assert F.mentions_disagreeing(facts, metrics) == []
    metrics.loc[0, "period"] = "cumulative"
    assert [p["fact_id"] for p in F.mentions_disagreeing(facts, metrics)] == [whole]


def test_the_tables_read_back_with_duckdb_and_pandas(tmp_path):
    facts = F.build_facts(seed_004_like(), REPORTS)
    io.write_frame(facts, tmp_path / "facts.parquet", "facts")
    io.write_frame(F.funding_by_donor_year(facts), tmp_path / "funding_by_donor_year.parquet", "funding_by_donor_year")
    total = duckdb.sql(f"""
        SELECT sum(value) FROM '{tmp_path}/facts.parquet'
        WHERE scope = 'aid' AND period = 'year' AND unit = 'CNY' AND parent_fact_id IS NULL""").fetchall()[0][0]
    assert total == 5.3e8
    traced = duckdb.sql(f"""
        SELECT f.metric_ids FROM (SELECT unnest(fact_ids) AS fid FROM '{tmp_path}/funding_by_donor_year.parquet') a
        JOIN '{tmp_path}/facts.parquet' f ON f.fact_id = a.fid""").fetchall()
    assert traced == [(["a:m0000"],)]
    back = pd.read_parquet(tmp_path / "facts.parquet")
    assert str(back.period_start.dtype) in ("Int32", "int32", "Int64", "float64")
    assert set(back.period) == {"year", "cumulative", "plan"}


def test_a_report_never_counts_a_part_with_a_whole_reached_through_another_reports_fact():
    # report a states the whole G (5亿元) and a part F (1亿元); F's parent X (2亿元) is stated only in report b,
    # and X is a part of G. Report a's summary counts G alone, as the count-once check (whole chain) expects.
    rec = {  # fact_id, parent_fact_id, last_publish_date, n_reports, conflict, report_ids, last_report_id
        "G": ("G", None, None, 2, [], ["a", "b"], "b"),
        "X": ("X", "G", None, 1, [], ["b"], "b"),
        "F": ("F", "X", None, 2, [], ["a", "b"], "b"),
    }
    in_a = [rec["G"], rec["F"]]
    parents = {r[0]: r[1] for r in rec.values()}
    keep, _ = F.counted_ids(in_a, [True, True], parents)
    assert keep == {"G"}
    facts = pd.DataFrame({"fact_id": list(rec), "parent_fact_id": [r[1] for r in rec.values()]})
    assert F.double_counted(pd.DataFrame({"fact_ids": [sorted(keep)]}), facts, per_row=True) == []
    # followed within the report's own facts only, the part and its whole would both be counted
    assert F.counted_ids(in_a, [True, True])[0] == {"G", "F"}
