"""Title, date and donor of pages as a browser saves them from news sites (own examples in the style of real pages)."""

import pytest

from aid_pipeline.text.metadata import extract_metadata
from aid_pipeline.text.normalise import normalise


def meta(text: str):
    return extract_metadata(normalise(text))


def test_a_site_name_above_the_title_is_not_the_title():
    m = meta("西部旅游资讯联盟\n\n两年援疆路 一生新疆情——第九批浙江援疆干部人才返杭\n\n浙江援疆2021-12-20 09:12:40\n\n"
             "在两年里，180余名浙江援疆干部人才在阿克苏大地实施援疆项目一百多个，浙江援疆干部人才与当地群众结下深厚情谊。\n")
    assert m.title == "两年援疆路 一生新疆情——第九批浙江援疆干部人才返杭"
    assert m.publish_date == "2021-12-20" and m.publish_time == "09:12:40"


def test_a_poetic_title_keeps_its_dash_subtitle():
    m = meta("沪喀同心 共筑新篇\n——上海对口支援喀什地区工作综述\n2022年3月1日 来源：新疆日报\n\n"
             "上海对口支援喀什地区四县以来，累计实施援疆项目1000余个，上海援疆干部人才扎根基层。\n")
    assert m.title == "沪喀同心 共筑新篇"
    assert m.subtitle == "上海对口支援喀什地区工作综述"


def test_a_short_title_closing_on_an_exclamation_mark():
    m = meta("这里是和田！\n\n2020-08-01 10:00来源：北京援疆\n\n北京市对口支援和田地区以来，北京累计派出援疆干部人才2000多名。\n")
    assert m.title == "这里是和田！"


def test_a_repeated_chrome_line_is_not_taken_for_the_title():
    m = meta("分享到\n字体：\n\n援疆资金投入创新高\n\nhttp://example.cn 2013-05-02 10:11 来源：新疆日报\n\n"
             "今年以来，各对口援疆省市援疆资金到位率较高。\n\n字体：\n分享到\n")
    assert m.title == "援疆资金投入创新高"
    assert m.publish_date == "2013-05-02"


def test_an_original_mark_after_the_source_is_not_part_of_its_name():
    m = meta("深圳援疆：为喀什发展贡献力量\n2023-07-11 12:26:09 来源：天山网-新疆日报原创\n\n深圳市对口支援喀什市以来，深圳援疆干部人才扎根喀什。\n")
    assert m.source == "新疆日报"


def test_a_masthead_of_two_short_words_above_the_title_is_skipped():
    m = meta("新闻源 财富源\n\n字号：\n\n去年八成对口援疆资金用于民生\n\n  • 发布时间：2016-02-10 05:26:41  来源：经济日报\n\n"
             "  本报讯 记者从兵团对口援疆工作新闻发布会上获悉，去年兵团对口援疆资金八成以上用于民生，新闻发布会介绍了民生项目。\n")
    assert m.title == "去年八成对口援疆资金用于民生"


def test_a_recipients_account_without_a_donor_in_title_or_opening_has_no_donor():
    m = meta("2018年上半年兵团援疆资金到位情况\n\n发稿时间：2018-07-20 17:28:34 来源：中国新闻网\n\n"
             "  新疆生产建设兵团新闻办公室20日发布上半年对口援疆工作情况，兵团安排对口援疆项目300个，总投资40亿元。\n\n"
             "  据介绍，上半年浙江省新增两市对口支援第一师团场，浙江11个市与第一师团场结对。\n")
    assert m.donor is None


def test_a_donor_named_in_the_opening_paragraph_is_the_donor():
    m = meta("结对帮扶结硕果\n\n2018-07-20 来源：新疆日报\n\n"
             "  记者从浙江省援疆指挥部获悉，浙江援疆今年安排对口援疆项目100个，总投资10亿元，援疆干部人才扎根基层。\n")
    assert m.donor == "浙江"


def test_a_date_and_publisher_stamp_without_a_time_names_both():
    from aid_pipeline.text.metadata import _find_date, _find_source

    line = "2021-03-09  江苏援疆前方指挥部"
    assert _find_date([line]) == ("2021-03-09", None)
    assert _find_source([line]) == "江苏援疆前方指挥部"
    assert _find_source(["2021-03-09"]) is None
    # normalising drops the space between a digit and a Chinese character; a date in words then needs its space
    assert _find_date(["2021-03-09江苏援疆前方指挥部"]) == ("2021-03-09", None)
    assert _find_source(["2021-03-09江苏援疆前方指挥部"]) == "江苏援疆前方指挥部"
    assert _find_source(["2023年3月5日开工仪式"]) is None


@pytest.mark.parametrize("title, lead, donor", [
    ("博州援疆工作综述：两省援博资金9.6亿元", "", None),           # two donor provinces named as a group
    ("", "2021年，浙江、湖北两省共向博州投入援疆资金9.6亿元。", None),    # the lead opens on two, as a group
    ("", "2021年，浙江省投入援疆资金9.6亿元，湖北省干部到博州考察。", "浙江"),  # two named, no group: the first sentence's
])
def test_two_donor_provinces_named_as_a_group_have_no_single_donor(title, lead, donor):
    from aid_pipeline.text.metadata import _pick_donor

    assert _pick_donor(title, lead, []) == donor
