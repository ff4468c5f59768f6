"""Facts, not mentions (issue 12, GUIDE.md section "Facts"): each metric row says what time it covers, which whole
it is a part of, whether it is about the aid or the setting, and whose it is, at the most specific level named.

The small reports in tests/data/facts were written for these rules; the expected values below were read off
their text by hand.
"""

import os
from pathlib import Path

import pandas as pd
import pytest

from aid_pipeline.evaluation.metrics import evaluate_metrics, format_metrics_report, predict_file
from aid_pipeline.text.facts import FactInput, context_clauses, fact_fields, sentence_donor, time_words

DATA = Path(__file__).resolve().parent / "data" / "facts"
SEEDS = Path(__file__).resolve().parents[1] / "seeds"
# ../shared/gold next to the checkout (main), or one level up for a worktree under wt/
GOLD = next((p for p in (Path(os.path.dirname(__file__)).resolve().parents[i] / "shared" / "gold" for i in (1, 2))
             if (p / "metrics_000.jsonl").exists()), Path("/nonexistent"))


def rows(name: str) -> dict[str, dict]:
    """The metric rows of one report, by surface (each surface is unique in these reports)."""
    found = predict_file(DATA / name)
    by = {r["surface"]: r for r in found}
    assert len(by) == len(found)
    return by


def fields(r: dict, *names: str) -> tuple:
    return tuple(None if pd.isna(r[n]) else r[n] for n in names)


def test_a_total_and_its_parts_after_qizhong_and_baokuo():
    by = rows("f01_parts.txt")
    total = by["1.2亿元"]
    assert fields(total, "period", "period_start", "period_end", "part_of") == ("year", 2023, 2023, None)
    # 其中8000万元 … 3000万元: both parts of the 1.2亿元, and of its year
    for part in ("8000万元", "3000万元"):
        assert by[part]["part_of"] == total["metric_id"]
        assert fields(by[part], "period", "period_start") == ("year", 2023)
    # 全年 in the next sentence is the year just spoken of; 包括 breaks the 25 projects down
    assert fields(by["25个"], "period", "period_start", "part_of") == ("year", 2023, None)
    assert by["15个"]["part_of"] == by["10个"]["part_of"] == by["25个"]["metric_id"]
    # no time word of its own: the title (东营援疆指挥部2023年工作回顾) frames the report on 2023
    assert fields(by["600人次"], "period", "period_start", "part_of") == ("year", 2023, None)
    # the donor is the city that gives (东营), rolled up to its province for totals
    assert {(r["donor"], r["donor_province"]) for r in by.values()} == {("东营", "山东")}


def test_cumulative_figures_beside_annual_and_to_date_ones():
    by = rows("f02_periods.txt")  # published 2024-06-01
    assert fields(by["5亿元"], "period", "period_start", "period_end") == ("year", 2023, 2023)
    # 新一轮对口援疆以来累计: the new round began in 2010 (periods.json named_starts)
    assert fields(by["62亿元"], "period", "period_start", "period_end") == ("cumulative", 2010, 2024)
    assert fields(by["2000余人"], "period", "period_start", "period_end") == ("cumulative", 2010, 2024)  # 2010年以来
    assert fields(by["1.2万人次"], "period", "period_start", "period_end") == ("cumulative", 2020, 2024)  # 五年来
    assert fields(by["3亿元"], "period", "period_start", "period_end") == ("to_date", 2024, 2024)  # 今年以来
    assert fields(by["1500个"], "period", "period_start") == ("to_date", 2024)  # 截至5月底
    assert fields(by["12场"], "period", "period_start") == ("to_date", 2024)  # 1-5月
    assert all(r["part_of"] is None or pd.isna(r["part_of"]) for r in by.values())  # 5亿元 is no part of 62亿元


def test_a_plan_is_not_an_actual_and_a_city_donor_stays_the_city():
    by = rows("f03_plan_city.txt")
    assert fields(by["8000万元"], "period", "period_start", "period_end") == ("plan", 2025, 2025)  # 计划2025年
    assert fields(by["500个"], "period", "period_start") == ("plan", 2025)  # 预计, within the plan for 2025 before it
    assert fields(by["6000万元"], "period", "period_start") == ("year", 2023)
    # 浙江 named in the sentence (入选浙江援疆…品牌) does not replace the report's own 湖州
    assert {(r["donor"], r["donor_province"]) for r in by.values()} == {("湖州", "浙江")}


def test_a_regions_gdp_population_and_distance_are_context_with_no_donor():
    by = rows("f04_context.txt")
    for s in ("100亿元", "8%", "30万人", "40公里"):  # GDP, its growth, population, distance
        assert fields(by[s], "scope", "donor", "donor_province") == ("context", None, None), s
    for s in ("5亿元", "3000人"):
        assert fields(by[s], "scope", "donor", "donor_province") == ("aid", "广州", "广东"), s


def test_a_national_summary_has_no_report_donor_and_per_sentence_donors():
    by = rows("f05_national.txt")
    assert (by["10亿元"]["donor"], by["12亿元"]["donor"], by["9亿元"]["donor"]) == ("北京", "上海", "广东")
    assert by["500名"]["donor"] == "山东"
    assert by["2000余个"]["donor"] is None  # 各援疆省市: a national total
    from aid_pipeline.warehouse.inbox import InboxFile, partition_key_of, report_id_of
    from aid_pipeline.runner.stages import normalise_report, read_raw

    p = DATA / "f05_national.txt"
    norm = normalise_report(read_raw(InboxFile(p, report_id_of(p.name), partition_key_of(p.name))))
    assert (norm["donor"], norm["donor_province"]) == (None, None)


def test_time_words_govern_their_clause_and_those_that_open_it_the_next():
    s = "今年以来，销售额突破10亿元，累计达到50亿元。"
    assert [(w.kind, w.governs) for w in time_words(s)] == [("since_relative", True), ("cumulative", True)]
    got = fact_fields(s, [(0, len(s))], [FactInput(10, 14, 1e9, "CNY", "sales", 0, len(s), "山东"),
                                         FactInput(20, 24, 5e9, "CNY", "sales", 0, len(s), "山东")], "2023-09-20", "山东")
    assert [(f["period"], f["period_start"], f["period_end"]) for f in got] == [("to_date", 2023, 2023),
                                                                              ("cumulative", None, 2023)]
    # 累计 right after the scene a sentence sets sums within it; after a figure of that scene it is the running total
    t = "今年以来，援疆医疗队累计义诊3万人次。"
    (f,) = fact_fields(t, [(0, len(t))], [FactInput(14, 18, 3e4, "person_time", "patients", 0, len(t), "山东")],
                       "2024-08-01", "山东")
    assert (f["period"], f["period_start"]) == ("to_date", 2024)
    t = "项目建成后年产值有望达到8亿元。"
    (f,) = fact_fields(t, [(0, len(t))], [FactInput(12, 15, 8e8, "CNY", "output_value", 0, len(t), "山东")],
                       "2024-08-01", "山东")
    assert f["period"] == "plan"
    # a figure restated without its time word is the same fact, with the same period
    t = "今年开展4个试验示范推广项目。\n开展4个试验示范推广项目，效果明显。"
    a, b = t.index("4个"), t.rindex("4个")
    got = fact_fields(t, [(0, 15), (16, len(t))], [FactInput(a, a + 2, 4.0, "project", "projects", 0, 15, "广州"),
                                                   FactInput(b, b + 2, 4.0, "project", "projects", 16, len(t), "广州")],
                      "2023-12-01", "广州")
    assert [(f["period"], f["period_start"]) for f in got] == [("year", 2023), ("year", 2023)]
    # 将 opening a clause means 把 (将优质医疗服务送到…), not "will"; 将近 is "nearly"
    assert [w.kind for w in time_words("将优质医疗服务送到群众身边")] == []
    assert [w.kind for w in time_words("惠及将近1万人")] == []
    assert [w.kind for w in time_words("项目库将其纳入10个")] == []
    assert [w.kind for w in time_words("项目将于明年开工")] == ["plan", "relative_year"]


def test_context_is_decided_per_clause_and_donors_per_place_named():
    assert context_clauses("推动疏附县完成外贸进出口额11亿元，同比增长7%，援疆资金投入5亿元") == [True, True, False]
    assert context_clauses("目前疏附县加工企业共有15家，带动农户增收") == [True, True]
    assert context_clauses("现有卫星工厂131家") == [False]  # no region named: the aid's own factories
    assert context_clauses("疏勒县共有援疆干部120名") == [False]  # the region's stock of aid cadres is aid
    assert sentence_donor("山东省农业科学院和济宁市农业科学院的专家来到英吉沙县", "山东") == "济宁"
    assert sentence_donor("推介会在深圳举办", "山东") is None  # a venue
    # places visited are not givers: the report's donor keeps the figure
    assert sentence_donor("指挥部赴上海、江苏等地招商，签约项目总投资12亿元", "山东", 20) is None
    assert sentence_donor("山东援疆指挥部赴上海、江苏等地招商，签约12亿元", "山东", 22) == "山东"
    t = "指挥部赴上海、江苏等地招商，签约项目总投资12亿元。"
    (f,) = fact_fields(t, [(0, len(t))], [FactInput(22, 25, 12e8, "CNY", "investment", 0, len(t), "上海")],
                       "2024-08-01", "山东")
    assert (f["donor"], f["donor_province"]) == ("山东", "山东")
    assert sentence_donor("开通济南到喀什直飞航班", "山东") is None  # a route
    assert sentence_donor("启动实施粤新同心健康同行项目", "广州") == "广州"  # the report's own city, not its province


def test_the_first_character_lookahead_changes_no_time_word():
    """periods.json's first_chars only speeds the scan up: over every test text, the same time words without it."""
    import re

    from aid_pipeline.text import facts
    from aid_pipeline.text.decode import decode_bytes
    from aid_pipeline.text.normalise import normalise

    plain = re.compile(facts.RULES_PATTERN)
    texts = [p for p in Path(__file__).resolve().parent.glob("data/**/*.txt")] + sorted(SEEDS.glob("*.txt"))
    n = 0
    for p in texts:
        text = normalise(decode_bytes(p.read_bytes()).text).text
        got = [(m.span(), m.lastgroup) for m in facts._RULES_RE.finditer(text)]
        assert got == [(m.span(), m.lastgroup) for m in plain.finditer(text)], p.name
        n += len(got)
    assert n > 200


@pytest.mark.skipif(not (GOLD / "metrics_000.jsonl").exists(), reason="shared gold not present")
def test_shared_gold_fact_floors():
    """Floors of issue 12 on the shared gold: period, scope and donor accuracy on matched mentions, part_of links."""
    preds = [r for p in sorted(SEEDS.glob("*.txt")) for r in predict_file(p)]
    result = evaluate_metrics(preds, GOLD)
    report = format_metrics_report(result, verbose=True)
    assert result["precision"] == 1.0 and result["recall"] == 1.0, report
    assert result["period_accuracy"] >= 0.95, report
    assert result["scope_accuracy"] >= 0.95, report
    assert result["donor_accuracy"] >= 0.95, report
    assert result["part_of"]["precision"] >= 0.9 and result["part_of"]["recall"] >= 0.9, report
