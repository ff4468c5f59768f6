"""Issue 13, fourth round: who the donor is and when the page was published (report metadata), and the period of
a figure, as real 对口援疆 web pages state them.

The lines are invented here in the style of real pages (no page text copied); the expected values are read off the
text by hand with /work/shared/gold/GUIDE.md. The set tests/data/web_dev4 (14 reports) holds the same phenomena in
context.
"""

import pytest

from aid_pipeline.text.metadata import _publisher_donor, _url_date, extract_metadata
from aid_pipeline.text.normalise import normalise


def meta(text):
    return extract_metadata(normalise(text))


BODY = "会议指出，要持续巩固拓展援疆成果，推动各项工作落地见效，为受援地高质量发展贡献力量。\n"


# --- publish dates -------------------------------------------------------------------------------------------

def test_an_english_style_stamp_gives_the_publish_date():
    m = meta("援疆项目建设观摩会召开\nApr 18, 2022 09:30  来源：湖南日报\n" + BODY)
    assert (m.publish_date, m.publish_time, m.source) == ("2022-04-18", "09:30:00", "湖南日报")
    assert meta("援疆项目建设观摩会召开\nSeptember 3, 2021\n" + BODY).publish_date == "2021-09-03"


@pytest.mark.parametrize("line, date", [
    ("http://www.example.gov.cn/xwzx/202110/t20211021_99812.shtml", "2021-10-21"),
    ("www.example.com.cn/news/2019-08/27/content_7721.htm", "2019-08-27"),
    ("https://www.example.cn/art/2021/9/8/art_12_345.html", "2021-09-08"),
])
def test_a_page_address_shown_on_the_page_gives_its_date(line, date):
    assert _url_date(line) == date
    assert meta(line + "\n援疆项目建设观摩会召开\n" + BODY).publish_date == date


def test_a_stamp_on_the_page_wins_over_the_date_in_its_address():
    m = meta("www.example.gov.cn/xwzx/202110/t20211021_99812.shtml\n援疆项目建设观摩会召开\n"
             "发布时间：2021-10-22 08:00\n" + BODY)
    assert m.publish_date == "2021-10-22"


def test_a_number_that_is_no_address_gives_no_date():
    assert _url_date("项目编号20211021号") is None


def test_a_relative_stamp_gives_no_date_but_names_the_account():
    m = meta("湘吐同心 共谋发展新篇\n5小时前 · 湖南援疆\n" + BODY)
    assert m.publish_date is None  # nothing is guessed
    assert m.source == "湖南援疆"
    assert m.title == "湘吐同心 共谋发展新篇"


def test_a_footer_naming_the_outlet_before_the_date():
    m = meta("援疆项目建设观摩会召开\n" + BODY + "福建日报客户端 | 2022年11月02日\n")
    assert (m.publish_date, m.source) == ("2022-11-02", "福建日报客户端")


def test_a_weekday_after_the_date_is_no_source():
    m = meta("2022年6月1日 星期三\n援疆项目建设观摩会召开\n" + BODY)
    assert (m.publish_date, m.source) == ("2022-06-01", None)


def test_a_closing_outlet_in_brackets_is_the_source():
    assert meta("援疆项目建设观摩会召开\n" + BODY + "（湖北日报）\n").source == "湖北日报"
    assert meta("援疆项目建设观摩会召开\n" + BODY + "（本报）\n").source is None  # the paper itself
    assert meta("援疆项目建设观摩会召开\n" + BODY + "（来源：中国新闻网）\n").source == "中国新闻网"


# --- the report's donor --------------------------------------------------------------------------------------

def test_the_publisher_names_the_donor_when_the_text_does_not():
    text = ("克州援疆项目加快推进\n发布时间：2022-05-10 10:00  来源：江西省援疆前方指挥部\n"
            "今年以来，前方指挥部已下达援疆资金2.1亿元，安排援建项目35个，目前已开工21个项目。\n")
    assert meta(text).donor == "江西"
    assert _publisher_donor(["来源：江西省援疆前方指挥部"]) == "江西"
    assert _publisher_donor(["扬州援疆 | 工作动态"]) == "扬州"


def test_an_outlet_named_after_a_donor_place_is_no_donor():
    assert _publisher_donor(["来源：天津日报"]) is None  # a paper, not an aid office
    assert _publisher_donor(["来源：北京市援疆和田指挥部", "转自：上海援疆"]) is None  # two donors: none


def test_a_scene_before_the_account_is_passed_over_for_the_donor():
    text = ("团场的冬天\n2023-01-06 16:20:11 来源：兵团日报\n"
            "清晨的连队格外安静，职工们一早就来到温室大棚，给蔬菜浇水、通风，忙得不亦乐乎，脸上满是笑意。\n"
            "记者从湖北省援疆第五师工作队了解到，两年来，工作队安排对口援疆资金6.4亿元，实施项目58个。\n")
    assert meta(text).donor == "湖北"


def test_a_page_address_is_no_opening_paragraph():
    text = ("www.example.gov.cn/zt/yj/202205/t20220512_1234567890123.html\n晋疆携手 共谋发展\n"
            "第十一批援疆干部人才进驻以来，山西援疆前方指挥部始终把产业援疆作为重点工作来抓，成效明显。\n"
            "截至目前，已累计安排援疆资金12.3亿元。\n")
    assert meta(text).donor == "山西"


def test_a_donor_city_named_as_the_venue_is_not_the_donor():
    text = ("湘吐文旅推介会在长沙举行\n发布日期：2023-04-12\n"
            "推介会上，吐鲁番市与湖南多家旅行社签约合作项目12个，签约金额3.6亿元，涉及文旅、康养等多个领域。\n")
    assert meta(text).donor == "湖南"


def test_a_title_on_the_donors_as_a_group_has_no_single_donor():
    text = ("援疆省市携手助力和田发展\n发布日期：2023-04-12\n"
            "2022年，北京援疆投入资金20亿元，天津援疆投入资金9亿元，安徽援疆投入资金6亿元，共实施项目300余个。\n")
    assert meta(text).donor is None


def test_a_lead_naming_the_donors_as_a_group_after_the_title_has_no_single_donor():
    text = ("对口支援助力和田发展\n发布日期：2023-04-12\n"
            "2022年，北京、天津、安徽三省市对口支援和田地区，落实援疆资金35亿元，实施援疆项目320个。\n")
    assert meta(text).donor is None


def test_each_clause_of_a_list_by_donor_gives_its_figure_that_donor():
    from aid_pipeline.text.facts import sentence_donor

    s = "分省看，江苏援疆资金9.2亿元，江西4.1亿元。"
    assert [sentence_donor(s, None, s.index(x)) for x in ("9.2", "4.1")] == ["江苏", "江西"]


# --- periods (GUIDE, Facts) ----------------------------------------------------------------------------------

def _periods(tmp_path, text, name="r.txt"):
    """(period, start, end) by surface, for a small report through the pipeline's stage functions."""
    import pandas as pd

    from aid_pipeline.evaluation.metrics import predict_file

    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return {r["surface"]: tuple(None if pd.isna(r[k]) else r[k] for k in ("period", "period_start", "period_end"))
            for r in predict_file(p)}


STAMP = "2022-09-21 10:35:12  来源：吉林日报\n"


def test_a_running_total_up_to_a_date_is_cumulative(tmp_path):
    # GUIDE: 累计 is cumulative; 截至 gives its end
    got = _periods(tmp_path, "吉林援疆工作综述\n" + STAMP + "今年以来，吉林下达援疆资金3.2亿元。\n"
                   + "截至2021年底，吉林累计在阿勒泰实施援疆项目860余个。\n"
                   + "截至目前，吉林企业累计在阿勒泰落地34家。\n截至8月底，今年援疆项目已开工56个。\n")
    assert got["860余个"] == ("cumulative", None, 2021)
    assert got["34家"] == ("cumulative", None, 2022)
    assert got["56个"] == ("to_date", 2022, 2022)


@pytest.mark.parametrize("words, start", [("近四年", 2019), ("近两年", 2021), ("近10年", 2013)])
def test_recent_years_without_lai_are_cumulative_to_the_publish_year(tmp_path, words, start):
    got = _periods(tmp_path, "吉林援疆工作综述\n" + STAMP + f"{words}，吉林共选派援疆干部人才380名。\n")
    assert got["380名"] == ("cumulative", start, 2022)


def test_within_the_year_is_this_years_plan(tmp_path):
    got = _periods(tmp_path, "吉林援疆工作综述\n" + STAMP + "下一步，吉林预计年内再引进企业15家。\n")
    assert got["15家"] == ("plan", 2022, 2022)


def test_a_plan_clause_without_a_figure_dates_the_plan_after_it(tmp_path):
    got = _periods(tmp_path, "吉林援疆工作综述\n" + STAMP + "力争到2025年底，园区入驻企业将达到120家。\n")
    assert got["120家"] == ("plan", 2025, 2025)


def test_a_stamp_and_a_title_line_before_the_body_do_not_stop_the_frame(tmp_path):
    text = ("团场冬季招聘会见闻\n援疆工作队 就业服务不停歇\nMar 2, 2023 09:10  来源：兵团日报\n"
            "三年来，援疆工作队安排援疆资金6.4亿元。\n"
            "工作队还选派医生40名，开展义诊活动26场。\n")
    got = _periods(tmp_path, text)
    assert got["40名"] == ("cumulative", 2021, 2023)
    assert got["26场"] == ("cumulative", 2021, 2023)


def test_a_scene_with_no_figure_still_opens_the_body(tmp_path):
    # the frame is the time word opening the body's first sentence; a scene opening the body sets none, and a later
    # paragraph's 三年来 dates only its own paragraph
    text = ("团场的冬天\nMar 2, 2023 09:10  来源：兵团日报\n"
            "清晨的连队格外安静，职工们一早就来到温室大棚里忙碌。\n"
            "三年来，援疆工作队安排援疆资金6.4亿元。\n"
            "工作队还选派医生40名。\n")
    got = _periods(tmp_path, text)
    assert got["6.4亿元"] == ("cumulative", 2021, 2023)
    assert got["40名"] == ("unspecified", None, None)


# --- titles ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("banner", ["扬州援疆 | 工作动态", "湖南援疆 湘吐同心"])
def test_a_column_banner_above_the_title_is_not_the_title(banner):
    m = meta(banner + "\n湘吐携手打造文旅新名片\n发布日期：2023-04-12\n" + BODY)
    assert (m.title, m.subtitle) == ("湘吐携手打造文旅新名片", None)


def test_a_title_shaped_like_a_banner_stays_the_title_when_nothing_follows():
    m = meta("湖南援疆 硕果累累\n发布日期：2023-04-12\n" + BODY)
    assert m.title == "湖南援疆 硕果累累"
