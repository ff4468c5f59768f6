"""Issue 13, third round: phrasing of real 对口援疆 web pages that tests/data/web_dev and web_dev2 did not cover.

The sentences are written here in the style of real pages (no page text copied); the expected rows are read off
the text by hand with /work/shared/gold/GUIDE.md. The set tests/data/web_dev3 (14 reports) holds them in context.
"""

from pathlib import Path

import pytest

from aid_pipeline.text.metrics import find_mentions, metric_tuples

WEB_DEV3 = Path(__file__).resolve().parent / "data" / "web_dev3"


def rows(sentence):
    return [(m.surface, m.value, m.value_high, m.unit, m.qualifier) for m in find_mentions(sentence)]


def units_in_text(text):
    """(surface, unit) of every figure of a one-section text, sentences split as the pipeline splits them."""
    return [(text[a:b], unit) for a, b, _v, _vh, unit, *_ in metric_tuples(text, [("body", 0, len(text), [])],
                                                                           None, [], None)]


# --- money written without 元 ---------------------------------------------------------------------------------

def test_money_without_yuan_after_a_money_noun_even_before_de():
    # GUIDE: money -> CNY; 118亿 is money (援助资金), not a bare count
    assert rows("占全年计划援助资金118亿的64.7%。") == [
        ("118亿", 118e8, None, "CNY", "exact"), ("64.7%", 64.7, None, "percent", "exact")]
    assert rows("协议投资3亿的项目落地") == [("3亿", 3e8, None, "CNY", "exact")]


# --- counts whose noun is in a clause before a ； -------------------------------------------------------------

def test_a_count_after_a_semicolon_counts_projects_when_the_clauses_before_did():
    text = "今年安排项目148个，已开工146个，开工率98.6%；已完工97个。"
    assert units_in_text(text) == [("148个", "project"), ("146个", "project"), ("98.6%", "percent"),
                                   ("97个", "project")]


def test_a_semicolon_carries_nothing_when_no_project_was_counted():
    assert units_in_text("建成学校5个；新增岗位300个。") == [("5个", "item"), ("300个", "item")]
    # a count with its own noun after the ； is not elliptical
    assert units_in_text("新建项目12个；村里有卫生室5个。") == [("12个", "project"), ("5个", "item")]


# --- place names holding a numeral ------------------------------------------------------------------------------

def test_a_place_name_with_a_numeral_is_not_a_count():
    assert rows("山西援疆助力第六师五家渠市高质量发展") == []
    assert rows("援建的五家渠市第一中学可容纳学生2400人") == [("2400人", 2400, None, "person", "exact")]


# --- a qualifier before 占 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("约占当地同期游客消费总额的三分之二。", [("三分之二", 66.666667, None, "percent", "approx")]),
    ("大约占全县的40%", [("40%", 40, None, "percent", "approx")]),
    ("占总额的三分之二", [("三分之二", 66.666667, None, "percent", "exact")]),
])
def test_a_qualifier_before_zhan_qualifies_the_share(sentence, expected):
    got = [(s, round(v, 6), vh, u, q) for s, v, vh, u, q in rows(sentence)]
    assert got == expected


def test_a_money_noun_before_a_scale_gives_no_yuan_to_another_currency():
    assert rows("签约外资项目2个，金额合计950万美元。") == [("2个", 2, None, "project", "exact")]


# --- chrome lines with numbers --------------------------------------------------------------------------------

@pytest.mark.parametrize("line, reason", [
    ("22.01.2017  19:01", "date_source"),  # a day-first stamp
    ("（数据来源：山东援疆前指项目部）", "date_source"),
    ("兵团网 首页 | 师市动态", "site_section"),
])
def test_chrome_lines_of_real_pages_are_dropped(line, reason):
    from aid_pipeline.text.normalise import normalise

    body = "2015年，援疆资金投入1.35亿元，实施项目27个。"
    norm = normalise(f"{line}\n龙江援疆为富蕴县注入发展新动能\n{body}\n")
    assert [d.reason for d in norm.dropped] == [reason]
    assert norm.text.startswith("龙江援疆为富蕴县注入发展新动能\n")
    assert "援疆资金投入1.35亿元" in norm.text


# --- periods (GUIDE, Facts) -----------------------------------------------------------------------------------

def _periods(tmp_path, text, name="r.txt"):
    """(period, start, end) by surface, for a small report through the pipeline's stage functions."""
    import pandas as pd

    from aid_pipeline.evaluation.metrics import predict_file

    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return {r["surface"]: tuple(None if pd.isna(r[k]) else r[k] for k in ("period", "period_start", "period_end"))
            for r in predict_file(p)}


STAMP = "2023-09-21 10:35:12  来源：天津日报\n"


def test_the_first_months_of_this_year_are_to_date(tmp_path):
    got = _periods(tmp_path, "消费援疆成效明显 今年前8个月助销农产品逾6亿元\n" + STAMP
                   + "天津援疆前方指挥部把消费帮扶作为重要抓手。\n")
    assert got["6亿元"] == ("to_date", 2023, 2023)


def test_a_span_of_years_with_one_nian_is_cumulative(tmp_path):
    got = _periods(tmp_path, "援疆五年成效显著\n" + STAMP + "2010—2015年，援疆省市累计投入援疆资金720.5亿元。\n")
    assert got["720.5亿元"] == ("cumulative", 2010, 2015)


@pytest.mark.parametrize("clause", ["为年度计划的99.1%", "完成年度目标任务的106%"])
def test_a_share_of_the_years_plan_is_no_plan(tmp_path, clause):
    got = _periods(tmp_path, "援疆项目进展顺利\n" + STAMP + f"截至8月底，今年到位资金143.2亿元，{clause}。\n")
    share = clause[clause.index("的") + 1:]
    assert got["143.2亿元"] == ("to_date", 2023, 2023)
    assert got[share] == ("to_date", 2023, 2023)


def test_a_lead_opening_after_its_subject_frames_the_report(tmp_path):
    got = _periods(tmp_path, "粤伽同心 决战脱贫攻坚\n" + STAMP
                   + "广东省对口支援新疆伽师县，2017年以来累计投入援疆资金26.3亿元。\n"
                   + "建成农村安居房2.86万户。\n")
    assert got["26.3亿元"] == ("cumulative", 2017, 2023)
    assert got["2.86万户"] == ("cumulative", 2017, 2023)


def test_a_lead_opening_with_a_year_frames_the_report(tmp_path):
    got = _periods(tmp_path, "龙江援疆为富蕴县注入发展新动能\n" + STAMP
                   + "2015年，黑龙江省投入富蕴县援疆资金1.35亿元。\n援建的医院新增床位150张。\n"
                   + "今年，黑龙江计划安排援疆资金1.48亿元。\n")
    assert got["150张"] == ("year", 2015, 2015)
    assert got["1.48亿元"] == ("plan", 2023, 2023)


def test_a_titles_year_is_the_year_so_far_when_the_lead_says_so(tmp_path):
    got = _periods(tmp_path, "闽昌协作促就业 今年转移就业超三万人次\n" + STAMP
                   + "今年以来，福建援疆组织转移就业3.2万人次。\n举办专场招聘会二十三场。\n")
    assert got["二十三场"] == ("to_date", 2023, 2023)


# --- wholes and parts (GUIDE, Facts: part_of) ------------------------------------------------------------------

def _rows(tmp_path, text, name="r.txt"):
    from aid_pipeline.evaluation.metrics import predict_file

    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return predict_file(p)


def _whole_of(rows):
    """surface -> surface of its whole (None when it is no part)."""
    ids = {r["metric_id"]: r["surface"] for r in rows}
    return {r["surface"]: ids.get(r["part_of"]) for r in rows}


def test_a_breakdown_by_year_after_fen_nian_du_kan(tmp_path):
    got = _whole_of(_rows(tmp_path, "安徽三年投入皮山援疆资金\n" + STAMP
                          + "2014年至2016年，安徽省在皮山县累计投入援疆资金11.6亿元。\n"
                          + "分年度看，2014年3.2亿元，2015年3.9亿元，2016年4.5亿元。\n"))
    assert got == {"11.6亿元": None, "3.2亿元": "11.6亿元", "3.9亿元": "11.6亿元", "4.5亿元": "11.6亿元"}


def test_a_sentence_opening_with_qizhong_breaks_down_the_same_measure_word(tmp_path):
    got = _whole_of(_rows(tmp_path, "北京组团式教育援疆\n" + STAMP
                          + "2019年以来，北京市累计选派援疆教师1260名，覆盖和田地区8所中小学。\n"
                          + "其中2019年186名、2020年220名。\n"))
    assert got["186名"] == got["220名"] == "1260名"
    assert got["8所"] is None


def test_person_times_and_persons_are_one_group_for_parts(tmp_path):
    got = _whole_of(_rows(tmp_path, "闽昌协作促就业\n" + STAMP
                          + "今年以来，组织转移就业3.2万人次，其中赴福建务工一千二百余人。\n"))
    assert got["一千二百余人"] == "3.2万人次"


# --- donors (GUIDE, Facts: donor) ------------------------------------------------------------------------------

def test_a_fenbie_list_gives_each_figure_its_donor():
    from aid_pipeline.text.facts import respective_donors

    s = "资金到位率排在前三位的分别为上海、北京和深圳，到位率分别为92.5%、88.1%和86.3%。"
    offsets = [s.index("92.5"), s.index("88.1"), s.index("86.3")]
    assert respective_donors(s, offsets) == dict(zip(offsets, ["上海", "北京", "深圳"]))
    # a list after the figure names who reached it, not whose figure it is
    s2 = "到疆率达到80%以上的有3个省市，分别为黑龙江省、山西省、上海市。"
    assert respective_donors(s2, [s2.index("80")]) == {}


def test_cities_of_the_report_donor_named_as_givers_each_take_their_figures():
    from aid_pipeline.text.facts import sentence_donor

    s = "宁波援建库车的项目完成投资4.6亿元，嘉兴援建沙雅的项目完成投资3.1亿元，湖州援建柯坪的项目完成投资1.9亿元。"
    assert [sentence_donor(s, "浙江", s.index(x)) for x in ("4.6", "3.1", "1.9")] == ["宁波", "嘉兴", "湖州"]
    # a city in a company's name is no giver: the report's own city stays
    s2 = "东营援疆指挥部引进威海宝飞龙钓具有限公司，带动13家企业落户疏勒县。"
    assert sentence_donor(s2, "东营", s2.index("13")) == "东营"


# --- scope (GUIDE, Facts: scope) -------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("2023年，阿勒泰地区接待游客4100万人次，旅游收入450亿元。", [False, True, True, True]),  # the region's own
    ("全县贫困发生率由2017年的35.6%降至2020年的0.7%。", [True, True]),
    ("援建的景区今年接待游客12万人次。", [False, False]),  # what an aid work did
    ("援疆帮助伽师县贫困发生率降至0.7%。", [False, False]),  # the aid's result
])
def test_a_regions_tourism_and_poverty_rate_are_context(sentence, expected):
    from aid_pipeline.text.facts import context_clauses

    assert context_clauses(sentence) == expected


def test_a_since_word_after_a_short_subject_frames_the_report(tmp_path):
    got = _periods(tmp_path, "北京组团式医疗援疆：让和田群众在家门口看好病\n" + STAMP
                   + "北京自2016年起在和田地区人民医院推行组团式医疗援疆。\n"
                   + "和田地区人民医院开放床位由800张增至1260张。\n")
    assert got["1260张"] == ("cumulative", 2016, 2023)


# --- metadata ----------------------------------------------------------------------------------------------------

def test_a_time_phrase_opening_a_poster_run_is_no_subtitle():
    from aid_pipeline.text.metadata import extract_metadata
    from aid_pipeline.text.normalise import normalise

    md = extract_metadata(normalise("深圳援疆干部人才：把根扎在帕米尔高原\n发布时间：2023年08月15日 09:20  来源：深圳特区报\n"
                                    "新一轮对口援疆以来\n深圳累计选派援疆干部人才1100多名\n培训喀什本地干部人才8.7万人次\n"))
    assert md.title == "深圳援疆干部人才：把根扎在帕米尔高原"
    assert md.subtitle is None
