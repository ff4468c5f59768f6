"""Sections, headings, captions, appended articles, sentences and categories."""

import glob
import os

import pytest

from linear_work import assert_linear_work
from aid_pipeline.text.segment import categorise, is_heading_line, segment, split_sentences
from aid_pipeline.text.normalise import normalise

SEEDS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "seeds", "*.txt")))

LEAD = "上海援疆前方指挥部立足莎车所需，扎实推进各项工作，取得了显著成效。"
PARA1 = "今年投入援疆资金3亿元，建设产业园区两个，引进企业20家，带动当地群众增收。"
PARA2 = "组织医疗专家开展义诊，完成白内障手术300例，服务群众5000人次，惠及莎车县各族群众。"


def _check_offsets(text, secs):
    prev_end = 0
    for i, s in enumerate(secs):
        assert s.ordinal == i
        assert prev_end <= s.start < s.end <= len(text)
        prev_end = s.end
        if s.heading_start is not None:
            assert text[s.heading_start:s.heading_end] == s.heading
            assert s.start <= s.heading_start < s.heading_end <= s.end
        for sent in s.sentences:
            assert s.start <= sent.start < sent.end <= s.end
            assert text[sent.start:sent.end] == text[sent.start:sent.end].strip()
            assert "\n" not in text[sent.start:sent.end]


def _headings(secs):
    return [s.heading for s in secs if s.heading is not None]


def test_lead_then_numbered_headings():
    text = "\n".join([LEAD, "一、产业援疆提质增效", PARA1, "二、民生援疆温暖人心", PARA2])
    secs = segment(text)
    _check_offsets(text, secs)
    assert [s.kind for s in secs] == ["lead", "body", "body"]
    assert secs[0].heading is None
    assert _headings(secs) == ["一、产业援疆提质增效", "二、民生援疆温暖人心"]
    assert text[secs[1].start:secs[1].end] == "一、产业援疆提质增效\n" + PARA1


def test_numbered_heading_inside_a_line():
    text = LEAD + "\n（一）产业援疆。" + PARA1
    secs = segment(text)
    assert _headings(secs) == ["（一）产业援疆。"]
    body_sents = [text[s.start:s.end] for s in secs[1].sentences]
    assert body_sents[0].startswith("今年投入")


def test_bracket_heading_but_not_byline_label():
    text = "\n".join([LEAD, "【产业援疆】", PARA1, "【记者】张三"])
    secs = segment(text)
    assert _headings(secs) == ["【产业援疆】"]


def test_phrase_pair_and_slogan_headings():
    text = "\n".join([LEAD, "突出强基固本 持续提升民生援疆", PARA1, "优先改善民生，助力乡村振兴发展", PARA2])
    assert _headings(segment(text)) == ["突出强基固本 持续提升民生援疆", "优先改善民生，助力乡村振兴发展"]
    # ASCII punctuation from an older normaliser works too
    text2 = text.replace("，", ",")
    assert _headings(segment(text2))[1] == "优先改善民生,助力乡村振兴发展"


def test_sentences_are_not_headings():
    assert is_heading_line("投入资金5亿元。") is None
    assert is_heading_line("今年以来，全县累计投入援疆资金，") is None
    assert is_heading_line("突出强基固本 持续提升民生援疆") == (0, 15)
    assert is_heading_line("图为柯坪县丰收场景") is None


def test_title_block_stays_in_lead():
    text = "\n".join(["昆仑万里情 天山一家亲", "上海援疆工作综述", LEAD, "产业兴旺", PARA1])
    secs = segment(text)
    assert secs[0].kind == "lead" and secs[0].heading is None
    assert text[secs[0].start:secs[0].end].startswith("昆仑万里情")
    assert _headings(secs) == ["产业兴旺"]


def test_line_broken_mid_sentence_is_not_a_heading():
    long_line = "组织120名教师和管理人员到上海学习培训，累计培训当地教师1700余人次，组织两地师生"
    text = "\n".join([LEAD, long_line, "128人互访交流", PARA1])
    assert _headings(segment(text)) == []


def test_caption_lines():
    text = "\n".join([LEAD, "图为莎车县丰收场景", PARA1])
    secs = segment(text)
    assert [s.kind for s in secs] == ["lead", "caption", "lead"]
    assert text[secs[1].start:secs[1].end] == "图为莎车县丰收场景"


def test_parenthesised_caption_duplicating_next_paragraph():
    text = "\n".join(["（" + PARA1 + "）", PARA1, PARA2])
    secs = segment(text)
    assert secs[0].kind == "caption"
    assert [s.kind for s in secs[1:]] == ["lead"]


def test_trailing_caption_lines():
    # photo captions after the article: under an image marker, or closing with a photo credit
    text = "\n".join([LEAD, "产业兴旺", PARA1, PARA2, "[图片]", "莎车县的巴旦木丰收场景", "援疆干部走访农户（通讯员 王强 摄）"])
    secs = segment(text)
    assert [s.kind for s in secs][-2:] == ["caption", "caption"]
    assert _headings(secs) == ["产业兴旺"]


def test_short_lines_after_the_article_are_not_captions_by_default():
    # issue 13: a short line after the body is a sentence set on its own line unless it is a photo's caption
    text = "\n".join([LEAD, "产业兴旺", PARA1, PARA2, "莎车县的巴旦木丰收场景", "援疆干部走访农户"])
    secs = segment(text)
    assert "caption" not in [s.kind for s in secs]
    assert _headings(secs) == ["产业兴旺"]


def test_glued_second_article_is_appended():
    other = "5月8日，阿勒泰地区文旅推介会在上海举办，现场签约项目12个，签约金额30亿元。"
    text = "\n".join([LEAD, "产业兴旺", PARA1, PARA2 + "阿勒泰文旅推介会在沪举办", other, "阿勒泰地区将持续深化合作。"])
    secs = segment(text)
    _check_offsets(text, secs)
    assert secs[-1].kind == "appended"
    assert secs[-1].heading == "阿勒泰文旅推介会在沪举办"
    assert "阿勒泰地区将持续深化合作" in text[secs[-1].start:secs[-1].end]
    body = secs[-2]
    assert body.kind == "body" and text[body.start:body.end].endswith("惠及莎车县各族群众。")


def test_glued_clause_without_new_topic_is_not_appended():
    text = "\n".join([LEAD, "产业兴旺", PARA1 + "莎车县持续推进项目建设", PARA2])
    assert all(s.kind != "appended" for s in segment(text))


def test_sentences_keep_quotes_together():
    text = "“我被白内障困扰了好多年。非常感谢！”老人动情地说。阳春三月，活动又开展了100例手术；效果明显\n新段落"
    sents = [text[s.start:s.end] for s in split_sentences(text)]
    assert sents == [
        "“我被白内障困扰了好多年。非常感谢！”老人动情地说。",
        "阳春三月，活动又开展了100例手术；",
        "效果明显",
        "新段落",
    ]


def test_sentences_unbalanced_quote_still_splits():
    text = "“" + "这是一句很长的话。" * 40
    assert len(split_sentences(text)) > 10


@pytest.mark.parametrize(
    "heading,body,expected",
    [
        ("推动产业发展 招商引资", "引进企业20家，建设工业园区。", "industry"),
        ("重民生强基础", "改造住房，完善基础设施。", "livelihood"),
        ("聚焦改善教育条件", "新建学校两所，支教教师100名。", "education"),
        ("医疗卫生再上台阶", "开展义诊，完成手术300例。", "health"),
        ("突出服务保障 深化开展就业援疆", "带动务工人员就业。", "employment"),
        ("强化智力援疆", "选派干部人才，柔性引进专家。", "talent"),
        ("文化润疆丰富多彩", "举办演出和非遗展览。", "culture"),
        ("增进民族团结 深化交往交流交融", "开展结对认亲和手拉手活动。", "exchange"),
        ("未来展望", "继续努力。", "other"),
    ],
)
def test_category_per_kind(heading, body, expected):
    assert categorise(heading, body) == expected


def test_heading_outweighs_body():
    assert categorise("强化智力援疆", "医院医生手术义诊。") == "talent"
    assert categorise(None, "医院医生手术义诊。") == "health"


def test_section_categories_come_from_headings():
    text = "\n".join([LEAD, "突出服务保障 深化开展就业援疆", PARA1])
    assert segment(text)[1].category == "employment"


def test_empty_and_blank_text():
    assert segment("") == []
    assert segment("\n \n") == []


@pytest.mark.parametrize("path", SEEDS, ids=os.path.basename)
def test_seed_properties(path):
    text = normalise(open(path, encoding="utf-8").read()).text
    secs = segment(text)
    _check_offsets(text, secs)
    assert secs[0].kind in ("lead", "caption")
    assert all(s.kind in ("lead", "body", "caption", "appended") for s in secs)
    assert all(len(h) <= 40 for h in _headings(secs))
    assert sum(s.kind == "body" and s.heading is not None for s in secs) >= 3


def test_seed_with_glued_article_gets_one_appended_section_at_the_end():
    path = next(p for p in SEEDS if os.path.basename(p).startswith("000_"))
    text = normalise(open(path, encoding="utf-8").read()).text
    secs = segment(text)
    kinds = [s.kind for s in secs]
    assert kinds.count("appended") == 1 and kinds[-1] == "appended"
    assert "喀什" not in text[secs[-1].start:secs[-1].end]
    assert "caption" in kinds


@pytest.mark.parametrize(
    "unit",
    ["1", "(", "余", "(a)", "“", "。", "一、产业\n", "短行\n", "新疆塔城招商推介会在深举办。"],
)
def test_linear_work(unit):
    assert_linear_work("aid_pipeline.text.segment:segment", unit)


def test_standalone_heading_with_dateline_and_new_places_is_appended():
    other = "5月8日，阿勒泰地区文旅推介会在上海举办，现场签约项目12个，签约金额30亿元。"
    text = "\n".join([LEAD, "产业兴旺", PARA1, PARA2, "阿勒泰文旅推介会举办", other])
    secs = segment(text)
    assert [s.kind for s in secs] == ["lead", "body", "appended"]
    assert secs[-1].heading == "阿勒泰文旅推介会举办"


def test_dated_paragraph_about_the_same_places_is_not_appended():
    dated = "5月8日，莎车县举办招商推介会，现场签约项目12个，签约金额30亿元。"
    text = "\n".join([LEAD, "产业兴旺", PARA1, "招商推介", dated])
    glued = "\n".join([LEAD, "产业兴旺", PARA1 + "招商推介会在沪举办", dated])
    assert all(s.kind != "appended" for s in segment(text))
    assert all(s.kind != "appended" for s in segment(glued))


def test_line_broken_after_a_comma_is_not_a_heading():
    text = "\n".join([LEAD, "今年投入援疆资金3亿元，建设产业园区两个，引进企业20家，带动当地群众增收，", "惠及莎车县群众", PARA2])
    assert _headings(segment(text)) == []


def test_body_resumes_after_several_captions():
    text = "\n".join([LEAD, "产业兴旺", PARA1, "图为莎车县丰收场景", "图为援疆干部走访农户", PARA2])
    secs = segment(text)
    assert [s.kind for s in secs] == ["lead", "body", "caption", "caption", "body"]
    # the paragraph after the photos is still under 产业兴旺: the captions do not end the section
    assert secs[-1].heading == "产业兴旺" and secs[-1].heading_start is None
    assert secs[-1].category == secs[1].category
