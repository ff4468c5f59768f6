"""Metadata extraction and the metadata evaluation."""

import glob
import json
import os

import pytest

from aid_pipeline.evaluation.meta import evaluate_meta, fold, format_meta_report
from aid_pipeline.text.metadata import extract_metadata
from aid_pipeline.text.types import DroppedLine, Normalised
from aid_pipeline.text.normalise import normalise

SEEDS = sorted(glob.glob(os.path.join(os.path.dirname(__file__), "..", "seeds", "*.txt")))
GOLD = os.path.join(os.path.dirname(__file__), "..", "..", "shared", "gold", "meta.json")

BODY = ("上海援疆前方指挥部立足莎车所需，2024年9月20日晚组织活动，扎实推进各项工作，取得了显著成效。\n"
        "产业兴旺\n今年投入援疆资金3亿元，惠及莎车县和泽普县群众，喀什地区整体受益。")


def norm(text, dropped=()):
    return Normalised(
        text=text,
        starts=list(range(len(text))),
        ends=list(range(1, len(text) + 1)),
        script="simplified",
        dropped=[DroppedLine(t, 0, 0, reason) for t, reason in dropped],
    )


def test_labelled_chrome_lines_in_dropped():
    md = extract_metadata(norm(BODY, [
        ("发布机构: 上海市合作交流办 成文日期: 2024-01-05", "index_header"),
        ("名称: 沪喀情深 援疆工作再上新台阶", "index_header"),
        ("发布日期:2024-01-06  浏览次数:-", "index_header"),
    ]))
    assert md.title == "沪喀情深 援疆工作再上新台阶"
    assert md.publish_date == "2024-01-06"  # 发布日期 beats 成文日期
    assert md.publish_time is None
    assert md.source == "上海市合作交流办"
    assert md.donor == "上海"


def test_dateline_with_time_and_source():
    text = "沪喀同心 共谱新篇\n2023-09-20 19:32:21 来源：新华网新疆\n" + BODY
    md = extract_metadata(norm(text))
    assert md.title == "沪喀同心 共谱新篇"
    assert md.publish_date == "2023-09-20"
    assert md.publish_time == "19:32:21"
    assert md.source == "新华网新疆"


def test_bracket_labels_at_the_end():
    text = BODY + "\n【记者】王小明\n【通讯员】上海援疆\n【来源】解放日报"
    md = extract_metadata(norm(text))
    assert md.reporter == "王小明"
    assert md.source == "解放日报"


def test_reporter_in_dateline_and_byline():
    md = extract_metadata(norm("新华社乌鲁木齐9月20日电（李明 王强）" + BODY))
    assert md.reporter == "李明、王强"
    md = extract_metadata(norm("标题一行\n深圳侨报记者 谢小红 通讯员 张三 文/图\n" + BODY))
    assert md.reporter == "谢小红"


def test_nothing_stated_gives_none():
    md = extract_metadata(norm(BODY))
    assert md.publish_date is None  # the event date in the body is not a publish date
    assert md.publish_time is None
    assert md.source is None
    assert md.reporter is None
    assert md.title is None
    assert md.subtitle is None


def test_repeated_title_and_subtitle():
    text = "中新网\n昆仑万里情 沪喀一家亲\n昆仑万里情 沪喀一家亲\n上海高质量开展对口援疆工作\n" + BODY
    md = extract_metadata(norm(text))
    assert md.title == "昆仑万里情 沪喀一家亲"
    assert md.subtitle == "上海高质量开展对口援疆工作"


def test_slogan_opening_is_subtitle():
    md = extract_metadata(norm("黄浦连昆仑，沪莎情谊深。2023年是关键之年，上海援疆工作队立足莎车所需。\n" + BODY))
    assert md.title is None
    assert md.subtitle == "黄浦连昆仑，沪莎情谊深"


def test_donor_city_beats_province_in_title():
    md = extract_metadata(norm(BODY, [("名称: 广东省深圳市援疆工作综述", "index_header")]))
    assert (md.donor, md.donor_province) == ("深圳", "广东")


def test_donor_side_city_in_title_is_the_donor():
    md = extract_metadata(norm(BODY, [("名称: 湖州市援疆指挥部：万里征程守初心", "index_header")]))
    assert (md.donor, md.donor_province) == ("湖州", "浙江")


def test_national_summary_has_no_report_donor():
    md = extract_metadata(norm(BODY, [("名称: 19个援疆省市共绘天山新画卷", "index_header")]))
    assert md.donor is None and md.donor_province is None
    three = "北京、上海、广东三省市援疆工作综述\n北京援疆投入10亿元。上海援疆投入8亿元。广东援疆投入6亿元。"
    assert extract_metadata(norm(three)).donor is None


def test_donor_from_lead_and_recipients_restricted_to_pairing():
    text = "东营援疆指挥部在疏勒县投入资金，深圳客商也来考察。\n产业兴旺\n疏勒县、英吉沙县和喀什市、喀什地区都有项目落地。"
    md = extract_metadata(norm(text))
    assert (md.donor, md.donor_province) == ("东营", "山东")  # the most specific donor named (GUIDE, Facts)
    assert md.recipients == ["疏勒县", "英吉沙县", "喀什地区"]  # 喀什市 is paired with 深圳, not 山东


def test_appended_article_places_are_not_recipients():
    other = "5月8日，阿勒泰地区文旅推介会在上海举办，现场签约项目12个。"
    text = BODY.replace("喀什地区整体受益。", "喀什地区整体受益。阿勒泰文旅推介会在沪举办") + "\n" + other
    md = extract_metadata(norm(text))
    assert "阿勒泰地区" not in md.recipients
    assert set(md.recipients) == {"莎车县", "泽普县", "喀什地区"}


@pytest.mark.parametrize("path", SEEDS, ids=os.path.basename)
def test_seed_metadata_is_well_formed(path):
    md = extract_metadata(normalise(open(path, encoding="utf-8").read()))
    assert md.donor is not None
    assert md.recipients
    if md.publish_date is not None:
        assert len(md.publish_date) == 10 and md.publish_date[4] == "-"
    assert md.title is None or ("\n" not in md.title and len(md.title) <= 80)


# ---------------------------------------------------------------- evaluation


def _gold(tmp_path):
    gold = {
        "a_1.txt": {"title": "沪喀同心", "subtitle": None, "publish_date": "2023-09-20T19:32:21", "source": "新华网",
                    "donor": "上海", "recipients": ["莎车县", "泽普县"],
                    "headings": ["产业兴旺,民生改善", "文化润疆"], "boilerplate_lines": ["分享到:", "新华网"],
                    "captions": ["(图为莎车县)"]},
        "b_2.txt": {"title": None, "subtitle": "黄浦连昆仑,沪莎情谊深", "publish_date": None, "source": "解放日报",
                    "donor": "上海", "recipients": ["莎车县"], "headings": [], "boilerplate_lines": [],
                    "captions": []},
    }
    p = tmp_path / "meta.json"
    p.write_text(json.dumps(gold, ensure_ascii=False), encoding="utf-8")
    return p


def test_evaluate_meta_accepts_both_key_styles_and_folds(tmp_path):
    pred = {
        "a_1.txt": {"title": "沪喀同心", "subtitle": None, "publish_date": "2023-09-20", "source": "新华网",
                    "donor": "上海", "recipients": ["泽普县", "莎车县"],
                    "headings": ["产业兴旺，民生改善", "其他"], "text": "新华网新疆讯\n分享到：\n正文。",
                    "captions": ["（图为莎车县）"]},
        "b_2": {"title": None, "subtitle": "黄浦连昆仑，沪莎情谊深", "publish_date": None, "source": "文汇报",
                "donor": "上海", "recipients": ["莎车县", "泽普县"], "headings": [], "text": "", "captions": []},
    }
    r = evaluate_meta(pred, _gold(tmp_path))
    assert r["n_docs"] == 2 and r["missing_predictions"] == []
    assert r["fields"]["title"]["rate"] == 1.0
    assert r["fields"]["subtitle"]["rate"] == 1.0  # full-width comma folded
    assert r["fields"]["publish_date"]["rate"] == 1.0  # date part only
    assert r["fields"]["source"]["correct"] == 1
    assert r["fields"]["recipients"]["correct"] == 1  # set comparison; b has an extra recipient
    assert (r["headings"]["tp"], r["headings"]["fp"], r["headings"]["fn"]) == (1, 1, 1)
    assert r["headings"]["precision"] == 0.5 and r["headings"]["recall"] == 0.5
    assert r["boilerplate"] == {"left": 1, "total": 2}  # 分享到 left as a line; 新华网 only inside a line
    assert r["captions"]["found"] == 1 and r["captions"]["total"] == 1
    report = format_meta_report(r)
    assert report.splitlines()[0] == "metadata evaluation: 2 reports"
    assert "missing heading: 文化润疆" in report
    assert "source: predicted='文汇报' gold='解放日报'" in report


def test_evaluate_meta_missing_prediction_counts_as_wrong(tmp_path):
    r = evaluate_meta({}, _gold(tmp_path))
    assert sorted(r["missing_predictions"]) == ["a_1.txt", "b_2.txt"]
    assert r["fields"]["source"]["correct"] == 0
    assert r["fields"]["publish_date"]["correct"] == 1  # b has no date and none was predicted


def test_fold():
    assert fold("产业援疆提质增效，为喀什发展注入新动能 ") == "产业援疆提质增效,为喀什发展注入新动能"
    assert fold(None) is None


@pytest.mark.skipif(not os.path.exists(GOLD), reason="shared gold not present")
def test_pipeline_functions_against_gold():
    from dataclasses import asdict

    from aid_pipeline.text.segment import segment

    pred = {}
    for path in SEEDS:
        n = normalise(open(path, encoding="utf-8").read())
        d = asdict(extract_metadata(n))
        secs = segment(n.text)
        d["headings"] = [s.heading for s in secs if s.kind == "body" and s.heading]
        d["captions"] = [n.text[s.start:s.end] for s in secs if s.kind == "caption"]
        d["text"] = n.text
        pred[os.path.basename(path)] = d
    r = evaluate_meta(pred, GOLD)
    assert r["fields"]["donor"]["rate"] >= 2 / 3
    assert r["headings"]["recall"] >= 0.8


def test_byline_is_not_a_subtitle():
    md = extract_metadata(norm("昆仑万里情 沪喀一家亲\n解放日报记者 谢小红 通讯员 张三 文/图\n" + BODY))
    assert md.title == "昆仑万里情 沪喀一家亲"
    assert md.subtitle is None
    assert md.reporter == "谢小红"


def test_source_line_with_date_after_the_source_name():
    """`来源：报名　2024年09月25日 07:10`: the source stops before the date, and the date is the publish date."""
    from aid_pipeline.text.normalise import normalise

    raw = "苏伊同心 山海情深\n\n来源：某某日报\u3000\u30002024年09月25日 07:10\u3000\u3000记者 张三\n\n  正文第一段，援疆资金投入5亿元。\n"
    meta = extract_metadata(normalise(raw))
    assert meta.source == "某某日报"
    assert meta.publish_date == "2024-09-25"
