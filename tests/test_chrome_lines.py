"""Page chrome as news sites print it around an article: each line below goes to dropped_lines with its reason,
and the article's own sentences around it stay (own examples in the style of real pages)."""

import pytest

from aid_pipeline.text.normalise import normalise

BODY = "对口援疆以来，援疆干部人才累计实施援疆项目120个，投入援疆资金5.6亿元，带动当地就业3000余人。"

CHROME = [
    ("（记者 王小明 通讯员 李娜）", "byline"),
    ("（来源：伊犁日报 记者 张伟 通讯员 刘佳）", "byline"),
    ("（本报记者 顾小平）", "byline"),
    ("[ 责任编辑:孙婷 ]", "editor"),
    ("【我要纠错】 责任编辑：何晓", "editor"),
    ("正文", "navigation"),
    ("小字号", "navigation"),
    ("（附表从略）", "navigation"),
    ("第1/3页  下一页", "navigation"),
    ("更多精彩内容请进入援疆频道", "navigation"),
    ("援疆工作队服务热线：0998-2812345", "footer"),
    ("咨询电话：0991-2345678  邮编：830000", "footer"),
    ("援疆前方指挥部地址：阿克苏市友谊路18号", "footer"),
    ("2021年08月16日 星期一", "date_source"),
    ("2021-08-16 09:15:37  伊犁日报", "date_source"),
    ("2021年08月16日 10:20 | 来源：新疆日报 | 作者：王琳", "date_source"),
    ("伊犁新闻网 >> 援疆专栏 >> 正文", "site_section"),
]


@pytest.mark.parametrize("line, reason", CHROME)
def test_a_chrome_line_is_dropped_with_its_reason(line, reason):
    norm = normalise(f"援疆项目建设稳步推进\n{BODY}\n{line}\n{BODY.replace('120', '80')}\n")
    dropped = {d.reason for d in norm.dropped}
    assert reason in dropped, (line, [(d.text, d.reason) for d in norm.dropped])
    assert norm.text.count("援疆资金5.6亿元") == 2  # both body sentences kept


@pytest.mark.parametrize("line", [
    "援疆前方指挥部开通服务热线，群众反映问题当天答复，今年以来已受理诉求120件。",
    "记者王小明在疏附县看到，援建的学校已经投入使用，新增学位1080个。",
    "2021年，援疆资金投入5.6亿元。",
])
def test_an_article_sentence_that_looks_like_chrome_stays(line):
    norm = normalise(f"援疆项目建设稳步推进\n{BODY}\n{line}\n")
    assert line.replace(",", "，") in norm.text or line in norm.text, [(d.text, d.reason) for d in norm.dropped]
