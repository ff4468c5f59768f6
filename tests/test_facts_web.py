"""Facts on real-web-style pages (issue 12, GUIDE.md section "Facts"): a time cue reaches every figure of its
sentence's run, a title or lead frames a report's figures that carry no time word of their own, progress notes
mix plans with what is done so far, and multi-donor summaries give joint figures no single donor.

The small reports in tests/data/facts (f06-f10) were written for these rules; the expected values below were read
off their text by hand, with the GUIDE's formulas (五年来 in a 2015 report -> 2011; 十年来 in 2021 -> 2012).
"""

from pathlib import Path

import pandas as pd

from aid_pipeline.evaluation.metrics import predict_file
from aid_pipeline.text.facts import FactInput, context_clauses, fact_fields, sentence_donor, time_words

DATA = Path(__file__).resolve().parent / "data" / "facts"


def rows(name: str) -> dict[str, dict]:
    """The metric rows of one report, by surface (the last row of a surface said twice)."""
    return {r["surface"]: r for r in predict_file(DATA / name)}


def per(r: dict) -> tuple:
    return tuple(None if pd.isna(r[n]) else r[n] for n in ("period", "period_start", "period_end"))


def part(by: dict, surface: str) -> str | None:
    """The surface of the whole a figure is a part of, or None."""
    p = by[surface]["part_of"]
    if p is None or (isinstance(p, float) and pd.isna(p)):
        return None
    return next(s for s, r in by.items() if r["metric_id"] == p)


def test_a_time_word_reaches_the_figures_of_the_clauses_after_it():
    by = rows("f06_clause_runs.txt")  # published 2022-08-18, no title or lead frame
    # 累计 in the middle of the first clause covers 到位资金 too (and the share 其中八成 after it)
    for s in ("36家", "9.4亿元", "八成"):
        assert per(by[s]) == ("cumulative", None, 2022), s
    # 今年，…计划…: the plan is this year's, for every figure of the sentence
    for s in ("24个", "1.6亿元", "七成以上"):
        assert per(by[s]) == ("plan", 2022, 2022), s
    assert part(by, "七成以上") is None  # a share of the 1.6亿元, not a part of 八成 in the sentence before
    # 计划新建…，已开工…: no year stated for the plan; what is already started is done to date
    assert per(by["1500套"]) == ("plan", None, None)
    assert per(by["1320套"]) == ("to_date", 2022, 2022)
    assert per(by["88%"]) == ("to_date", 2022, 2022)
    # 比上年增长20% in a plan sentence: the growth of the planned figure, not last year's
    assert per(by["1.8亿元"]) == per(by["20%"]) == ("plan", 2022, 2022)
    # 比2015年增长61%: growth over 2015-2021, not a figure of 2015
    assert per(by["52亿元"]) == ("year", 2021, 2021)
    assert per(by["61%"]) == ("cumulative", 2015, 2021)
    assert by["61%"]["scope"] == "context"


def test_a_bracketed_breakdown_stays_inside_its_brackets():
    by = rows("f06_clause_runs.txt")
    assert part(by, "5个") == part(by, "3个") == "8个"
    assert part(by, "8个") is None and part(by, "16个") is None


def test_a_poster_page_inherits_its_title_and_lead_and_its_last_scene():
    by = rows("f07_poster_frame.txt")  # 嘉兴援疆十年成绩单, published 2021-09-10
    for s in ("280名", "11.5亿元", "265个", "38家", "9800人次"):
        assert per(by[s]) == ("cumulative", 2012, 2021), s  # 十年来 in 2021: 2012-2021 (GUIDE formula)
    # the county's population is the setting; a park's yearly output is a rate: neither sums over the ten years
    assert per(by["12万人"]) == ("unspecified", None, None) and by["12万人"]["scope"] == "context"
    assert per(by["3亿元"]) == ("unspecified", None, None)
    # 去年一年 opens a new scene that the short lines after it keep
    for s in ("1.3亿元", "4所", "160张"):
        assert per(by[s]) == ("year", 2020, 2020), s


def test_a_title_span_made_exact_by_the_lead():
    by = rows("f08_title_lead_frame.txt")  # 江西援疆三年, published 2019-01-20; lead 2016年至2018年
    for s in ("86个", "1.1万套", "9所", "19家", "2600人"):
        assert per(by[s]) == ("cumulative", 2016, 2018), s  # 三年来 = the three years the report is about
    title, body = [r for r in predict_file(DATA / "f08_title_lead_frame.txt") if r["surface"] == "7.2亿元"]
    assert per(title) == per(body) == ("cumulative", 2016, 2018)
    assert body["part_of"] is None or pd.isna(body["part_of"])  # the title's figure said again, not a part of it
    # 占规划资金的105%: the share of the cumulative funds, not a plan
    assert per(by["105%"]) == ("cumulative", 2016, 2018)
    assert per(by["2.6亿元"]) == ("plan", 2019, 2019)


def test_a_progress_note_keeps_plans_apart_from_what_is_done_to_date():
    by = rows("f09_progress_to_date.txt")  # 2023年1—9月援疆项目进展情况
    assert per(by["82.5亿元"]) == ("to_date", 2023, 2023)  # 截至9月底 … 今年 … 到位: this year to date
    assert per(by["96.0亿元"]) == ("plan", 2023, 2023)  # 全年计划资金
    assert per(by["85.9%"]) == ("to_date", 2023, 2023)  # the share of the 82.5亿元 before 占
    assert per(by["980个"]) == ("plan", 2023, 2023)
    assert per(by["905个"]) == per(by["92.3%"]) == ("to_date", 2023, 2023)
    assert per(by["66.2亿元"]) == per(by["80.2%"]) == ("to_date", 2023, 2023)  # the report's frame


def test_a_joint_figure_of_several_donors_and_its_per_donor_lines():
    by = rows("f10_joint_donors.txt")  # published 2024-02-05: 一年来 is 2023
    for s in ("60亿元", "900余个"):
        assert by[s]["donor"] is None, s  # 北京、天津、河北三个对口省市: all three's, no one donor's
        assert per(by[s]) == ("year", 2023, 2023), s
    assert (by["31.5亿元"]["donor"], by["16.2亿元"]["donor"], by["14.1亿元"]["donor"]) == ("北京", "天津", "河北")
    # 逾60亿元 is a lower bound: its three lines (61.8亿元) are its parts
    for s in ("31.5亿元", "16.2亿元", "14.1亿元"):
        assert part(by, s) == "60亿元", s
    # people the aid helped out of poverty are aid; a county's own count is the setting
    assert (by["1.2万"]["scope"], by["1.2万"]["donor"]) == ("aid", "河北")
    assert (by["4.5万"]["scope"], by["4.5万"]["donor"]) == ("context", None)


def test_time_word_rules_on_single_sentences():
    assert [w.kind for w in time_words("2014年至2016年，安徽实施项目104个")] == ["year_range"]
    assert [w.kind for w in time_words("2010年结对以来，台州累计实施项目216个")][:1] == ["since"]
    assert [w.kind for w in time_words("比上年增长12.5%")] == ["base"]
    assert [w.kind for w in time_words("产业园规划用地3200亩")] == []  # 规划用地: planned land, a stock

    def one(t: str, surface: str, unit: str, mtype: str, published: str) -> tuple:
        a = t.index(surface)
        (f,) = fact_fields(t, [(0, len(t))], [FactInput(a, a + len(surface), 1.0, unit, mtype, 0, len(t), "山东")],
                           published, "山东")
        return f["period"], f["period_start"], f["period_end"]

    assert one("2010年结对以来，累计实施项目216个。", "216个", "project", "projects", "2023-05-01") == ("cumulative", 2010, 2023)
    assert one("“十二五”期间，投入资金24亿元。", "24亿元", "CNY", "funding", "2016-03-09") == ("cumulative", 2011, 2015)
    assert one("“十四五”期间，将再投入资金100亿元。", "100亿元", "CNY", "funding", "2021-06-01") == ("plan", 2021, 2025)
    assert one("一年来，引进企业50家。", "50家", "enterprise", "enterprises", "2025-01-21") == ("year", 2024, 2024)
    assert one("一年来，引进企业50家。", "50家", "enterprise", "enterprises", "2024-09-21") == ("year", 2024, 2024)
    assert one("今年安排资金4亿元，已拨付3亿元。", "3亿元", "CNY", "funding", "2019-06-27") == ("to_date", 2019, 2019)
    assert one("2017年安排资金4亿元，已拨付3亿元。", "3亿元", "CNY", "funding", "2019-06-27") == ("year", 2017, 2017)


def test_a_review_of_last_year_ends_its_running_totals_then():
    t = "十九省市2024年援疆工作综述\n多年来，各省市累计投入援疆资金2000亿元。"
    a = t.index("2000亿元")
    (f,) = fact_fields(t, [(0, 14), (15, len(t))], [FactInput(a, a + 6, 2e11, "CNY", "funding", 15, len(t), None)],
                       "2025-01-21", None)
    assert (f["period"], f["period_start"], f["period_end"]) == ("cumulative", None, 2024)


def test_joint_donors_and_aid_results_on_single_sentences():
    s = "上海、广东两省市在喀什累计投入资金50亿元"
    assert sentence_donor(s, None, s.index("50")) is None
    assert sentence_donor(s, "上海", s.index("50")) == "上海"  # a one-donor report keeps its donor
    assert sentence_donor("北京援疆投入10亿元，上海援疆投入12亿元", None, 15) == "上海"  # named one by one
    assert context_clauses("帮助疏勒县实现脱贫人口1.03万") == [False]
    assert context_clauses("疏附县脱贫人口6.8万") == [True]


def test_a_list_of_provinces_after_a_national_figure_gives_it_no_donor():
    from aid_pipeline.text.facts import sentence_donor

    sentence = "援疆资金到位率达到90%以上的有5个省市，分别为黑龙江省、山西省、上海市、吉林省、天津市。"
    assert sentence_donor(sentence, None, sentence.index("90%")) is None
    # a donor named before the figure still owns it
    own = "江苏援疆资金到位率达到90%以上，高于山西、吉林。"
    assert sentence_donor(own, None, own.index("90%")) == "江苏"


def test_the_size_of_a_region_is_context_and_an_aid_work_is_not():
    """GUIDE, Facts: the area of China is context; the square metres of housing built are aid."""
    from aid_pipeline.text.facts import FactInput, fact_fields

    text = "在中国960万平方公里的土地上，援建安居房12万平方米。"
    a = text.index("960"); b = text.index("的土地")
    c = text.index("12万"); d = text.index("。")
    inputs = [FactInput(a, b, 9.6e12, "sqm", "other", 0, len(text)), FactInput(c, d, 1.2e5, "sqm", "facilities", 0, len(text))]
    got = fact_fields(text, [(0, len(text))], inputs, "2019-05-07", "深圳")
    assert [f["scope"] for f in got] == ["context", "aid"]
