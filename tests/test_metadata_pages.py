"""Title, date and donor of pages as a browser saves them from news sites (own examples in the style of real pages)."""

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
