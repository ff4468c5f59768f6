"""normalise: conventions, offset map, page chrome, and properties over the seeds."""

import re

import pytest

from linear_work import assert_linear_work
from aid_pipeline.text.convert import script_of, to_simplified
from aid_pipeline.text.normalise import classify_lines, normalise


def _check_offsets(raw, n):
    assert len(n.starts) == len(n.ends) == len(n.text)
    for i in range(len(n.text)):
        assert 0 <= n.starts[i] < n.ends[i] <= len(raw) or n.starts[i] == n.ends[i]
    assert all(a <= b for a, b in zip(n.starts, n.starts[1:]))


def test_pinyin_removed_only_after_cjk_with_tone_marks():
    n = normalise("珠水潤(rùn)天山,網(wǎng)站和鄉(xiāng)村;京東(喀什)、首個(EICU)、許可證(0106168)。")
    assert n.text == "珠水润天山，网站和乡村；京东（喀什）、首个(EICU)、许可证(0106168)。"
    assert n.stats["pinyin_removed"] == 3


def test_spaces_digits_and_fullwidth():
    n = normalise("投入 6423 萬元,突破\u00a010.1\u3000億元，佔４０％以上 22 大項\n突出強基固本 持續提升")
    assert n.text == "投入6423万元，突破10.1亿元，占40%以上22大项\n突出强基固本 持续提升"
    assert n.stats["spaces_removed"] >= 6


def test_doubled_punctuation_collapses_to_the_intended_mark():
    n = normalise("穗疏情誼深,。民生援疆,、產業援疆,,智力援疆。")
    assert n.text == "穗疏情谊深。民生援疆、产业援疆，智力援疆。"
    assert n.stats["punct_collapsed"] == 3


def test_ascii_punct_kept_between_digits_and_in_latin():
    n = normalise("时间 19:32:21,金额1,000元。Copyright ok, fine")
    assert "19:32:21" in n.text and "1,000元" in n.text


def test_offsets_slice_the_raw_characters():
    raw = "  潤(rùn)疆 投入 6423 萬元,,實施&nbsp;項目。\r\n\r\n第二段。"
    n = normalise(raw)
    assert n.text == "润疆 投入6423万元，实施 项目。\n第二段。"  # &nbsp; between CJK is a kept space
    _check_offsets(raw, n)
    a = n.text.index("6423")
    rs, re_ = n.raw_span(a, a + 6)
    assert raw[rs:re_] == "6423 萬元"
    i = n.text.index("润")
    assert raw[n.starts[i] : n.ends[i]] == "潤"
    j = n.text.index("，")
    assert raw[n.starts[j] : n.ends[j]] == ",,"


def test_html_fragment_removed_and_sentence_joined():
    raw = "被當地群眾交/p>\n口稱贊,受到表揚。<br>下一句。\n第二段&amp;結束。"
    n = normalise(raw)
    assert n.text.splitlines()[0] == "被当地群众交口称赞，受到表扬。"
    assert "/p>" not in n.text and "<br>" not in n.text and "&amp;" not in n.text
    assert "第二段&结束。" in n.text
    assert n.stats["html_removed"] >= 2
    _check_offsets(raw, n)


def test_page_chrome_dropped_with_reason_and_raw_span():
    raw = (
        "某某新聞網\n分享到:\n標題一 副標題\n2023-09-20 19:32:21 來源:某某網\n"
        "正文第一句很長很長，講述了援疆工作的詳細情況，累計投入資金五億元，惠及群眾十萬人。\n"
        "圖為援疆幹部在田間指導。\n標題一 副標題\n【編輯:張三】\n"
        "Copyright ©1999-2023 example.com. All Rights Reserved\n[京ICP備05004340號-1]\n"
    )
    n = normalise(raw)
    reasons = {d.text: d.reason for d in n.dropped}
    assert reasons["某某新闻网"] == "site_name"
    assert reasons["分享到："] == "share_widget"
    assert reasons["2023-09-20 19:32:21来源：某某网"] == "date_source"
    assert reasons["【编辑：张三】"] == "editor"
    assert "copyright" in reasons.values() and "footer" in reasons.values()
    assert "duplicate_title" in reasons.values()
    assert n.text.splitlines() == ["标题一 副标题", "正文第一句很长很长，讲述了援疆工作的详细情况，累计投入资金五亿元，惠及群众十万人。", "图为援疆干部在田间指导。"]
    for d in n.dropped:
        assert d.raw_end > d.raw_start
    first = next(d for d in n.dropped if d.reason == "share_widget")
    assert raw[first.raw_start : first.raw_end] == "分享到:"


def test_bylines_and_index_headers():
    lines = ["【记者】欧阳某", "【通讯员】广州援疆", "深圳侨报记者 张三 通讯员 李四 文/图", "索引号：123/2025-001 分类：", "发布日期：2025-04-13 浏览次数：-", "记者了解到，今年该县新建学校3所，惠及学生2000人。"]
    assert classify_lines(lines) == ["byline", "byline", "byline", "index_header", "index_header", None]


def test_related_news_list_dropped():
    lines = ["正文，讲述了很长很长的援疆故事，累计投入资金五亿元，惠及群众十万人，取得显著成效。", "相关新闻：", "援疆干部进疆", "新疆喀什新貌"]
    assert classify_lines(lines) == [None, "related_news", "related_news", "related_news"]


def test_script_of():
    assert script_of("山東省對口支援喀什地區") == "traditional"
    assert script_of("山东省对口支援喀什地区") == "simplified"
    assert script_of("山東省對口支援" + "山东省对口支援") == "mixed"
    assert script_of("123 abc") == "simplified"


def test_to_simplified_keeps_length_and_is_idempotent():
    s = "乾隆年間，幹部們反覆瞭解當地情況，頭髮乾淨"
    out = to_simplified(s)
    assert len(out) == len(s)
    assert out == "乾隆年间，干部们反复了解当地情况，头发干净"
    assert to_simplified(out) == out


@pytest.fixture(scope="module")
def seeds(seeds_dir):
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(seeds_dir.glob("*.txt"))}


def test_seed_properties(seeds):
    pinyin = re.compile(r"[\u4e00-\u9fff][(（][a-zA-Zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü]{1,8}[)）]")
    for name, raw in seeds.items():
        n = normalise(raw)
        assert to_simplified(n.text) == n.text, name
        assert not pinyin.search(n.text), name
        assert "\n\n" not in n.text and n.text == n.text.strip()
        assert not re.search(r"[,，][,，。、]|[\u00a0\u3000\t]", n.text), name
        assert not re.search(r"\d[ ]+[\u4e00-\u9fff]|[\u4e00-\u9fff][ ]+\d", n.text), name
        _check_offsets(raw, n)
        # dropped lines never hold a long article sentence
        for d in n.dropped:
            assert d.reason in ("copyright",) or len(d.text) < 100, (name, d)
        # the metric sentences survive: every line of the raw with a money amount is still there
        for line in raw.splitlines():
            if re.search(r"\d+(\.\d+)?\s*[萬万億亿]元", line) and "。" in line:
                key = "".join(re.findall(r"[\u4e00-\u9fff]", to_simplified(line)))[:6]
                assert key in re.sub(r"[^\u4e00-\u9fff]", "", n.text), (name, key)
    assert normalise(seeds[next(k for k in seeds if k.startswith("000"))]).script == "simplified"
    assert normalise(seeds[next(k for k in seeds if k.startswith("002"))]).script == "traditional"


@pytest.mark.parametrize("unit", ["1", "(", "余", "(a)", "潤(", "/p>", ",,"])
def test_linear_work_on_hostile_lines(unit):
    assert_linear_work("aid_pipeline.text.normalise:normalise", unit)


def test_breadcrumb_trails_are_page_chrome():
    """A trail of short segments joined by > (no sentence mark) is navigation, wherever it starts."""
    from aid_pipeline.text.normalise import classify_lines

    reasons = classify_lines(["某某网 > 援疆专题 > 正文", "站点 › 新闻 › 详情", "投入资金超过5亿元>去年水平。"])
    assert reasons[0] is not None and reasons[1] is not None
    assert reasons[2] is None
