"""Hand-written reports, one per rule of issue 3 (tests/data/rules/), end to end through the stages.

Expected values are what a reader of each file would say (see the texts in tests/data/rules/make_files.py).
"""

from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from aid_pipeline.runner import stages
from aid_pipeline.warehouse.inbox import InboxFile
from aid_pipeline.text.mojibake import LOST
from aid_pipeline.text.normalise import normalise
from aid_pipeline.text.segment import categorise

RULES = Path(__file__).resolve().parent / "data" / "rules"


def _run(name: str) -> tuple[dict, dict, list[dict]]:
    p = RULES / name
    raw = stages.read_raw(InboxFile(p, p.stem, p.stem))
    norm = stages.normalise_report(raw)
    return raw, norm, stages.section_report(norm)


def _body_headings(secs):
    return [s["heading"] for s in secs if s["kind"] == "body" and s["heading_start"] is not None]


def test_gb18030_numbered_headings_dateline_source_and_subtitle():
    raw, n, secs = _run("gb18030_numbered.txt")
    assert raw["encoding"] == "gb18030"
    assert n["title"] == "援疆路上写华章"
    assert n["subtitle"] == "广东对口支援伽师县工作纪实"  # without the leading ——
    assert n["source"] == "新华社" and n["reporter"] == "张三、李四"
    assert n["publish_date"] is None  # 4月10日 has no year: not guessed
    assert n["donor"] == "广东" and n["recipients"] == ["伽师县"]
    assert _body_headings(secs) == ["一、产业援疆", "二、教育援疆", "（三）医疗援疆"]
    assert [s["category"] for s in secs if s["kind"] == "body"] == ["industry", "education", "health"]
    assert "分享到" not in n["text"] and "编辑" not in n["text"]


def test_big5_traditional_bracketed_headings_and_toneless_pinyin():
    raw, n, secs = _run("big5_bracketed.txt")
    assert raw["encoding"] == "big5" and n["script"] == "traditional"
    assert n["title"] == "珠水润天山 穗疏情谊深" and n["subtitle"] is None
    assert n["source"] == "南方日报" and str(n["publish_date"]) == "2024-06-18"
    assert n["donor"] == "广州" and n["recipients"] == ["疏附县"]
    assert "网上销售额" in n["text"]  # 網(wang): toneless pinyin of 網 removed
    assert "改善(run)" in n["text"]  # run is not a reading of 善: an English word, kept
    assert "(EICU)" in n["text"]
    assert "3200万元，新建" in n["text"]  # ,, collapsed to one full-width comma
    assert _body_headings(secs) == ["【民生援疆】", "【产业援疆】"]
    assert [s["category"] for s in secs if s["kind"] == "body"] == ["livelihood", "industry"]


def test_utf16_html_remnants_and_a_caption_inside_a_section():
    raw, n, secs = _run("utf16_html_caption.txt")
    assert raw["encoding"] == "utf-16-le"
    text = n["text"]
    assert "<p>" not in text and "/p>" not in text and "&nbsp;" not in text
    assert "带动当地群众就业2000人。" in text  # the sentence the fragment split is whole again
    assert n["title"] == "上海援疆助力莎车县发展" and str(n["publish_date"]) == "2024-03-02"
    assert n["donor"] == "上海" and n["recipients"] == ["莎车县"]
    kinds = [(s["kind"], s["heading"]) for s in secs]
    assert kinds == [
        ("lead", None),
        ("body", "产业兴旺 民生改善"),
        ("caption", None),
        ("body", "产业兴旺 民生改善"),  # the paragraph after the photo is still in that section
    ]
    assert secs[2]["text"] == "图为莎车县巴旦木产业园。"
    # every normalised character maps back into the raw text
    rt = raw["raw_text"]
    i = text.index("8亿元")
    assert rt[n["offsets"][i] : n["offset_ends"][i + 2]] == "8亿元"


def test_appended_article_is_split_and_not_credited_to_the_donor():
    _, n, secs = _run("utf8_appended.txt")
    assert n["title"] == "浙江援疆助力阿克苏地区乡村振兴" and n["source"] == "浙江日报"
    assert n["reporter"] is None  # 记者从阿勒泰地区获悉 is not a byline
    assert n["donor"] == "浙江"
    assert set(n["recipients"]) == {"阿克苏地区", "温宿县", "库车市"}  # not 阿勒泰地区
    app = [s for s in secs if s["kind"] == "appended"]
    assert len(app) == 1 and app[0]["heading"] == "阿勒泰地区冬季旅游推介会举办"
    assert "吉林援疆" in app[0]["text"] and "吉林援疆" not in "".join(s["text"] for s in secs if s["kind"] != "appended")


def test_mojibake_repaired_from_the_pinyin_and_the_context():
    raw, n, secs = _run("utf8_mojibake.txt")
    assert n["n_corrupt_spans"] == 1
    sp = n["corrupt_spans"][0]
    assert sp["raw"].startswith("?shù)") and sp["recovered"]
    # 地 from 數(shù) (= 當's trail byte + 地's lead byte); 身 from 切身 written intact earlier
    assert "援疆资金让当地群众切身感受到温暖。" in n["text"]
    assert LOST not in n["text"]
    assert n["donor"] == "山东" and n["recipients"] == ["英吉沙县"]


def test_mojibake_without_evidence_is_marked_not_guessed():
    raw = "援疆资金讓當(dāng)?shù)厝罕娗猩?感受到溫暖。"  # 身 not written anywhere else
    n = normalise(raw)
    assert "当地群众切" + LOST + "感受到温暖" in n.text
    assert len(n.corrupt_spans) == 1


def test_toneless_pinyin_only_when_it_reads_the_character():
    n = normalise("滋潤(run)天山，網絡(wang luo)暢通，項目(a)和(ok)、首個(EICU)、京東(中国)、喀什(喀什)。")
    assert n.text == "滋润天山，网络畅通，项目(a)和(ok)、首个(EICU)、京东（中国）、喀什（喀什）。"


@pytest.mark.parametrize(
    ("heading", "body", "category"),
    [
        ("产业兴旺", "引进企业12家，园区产值5亿元。", "industry"),
        ("稳岗就业", "新增就业岗位300个，务工增收。", "employment"),
        ("民生改善", "新建安居房，解决饮水和供暖。", "livelihood"),
        ("教育援疆", "新建学校，选派教师支教。", "education"),
        ("医疗援疆", "专家义诊，完成手术。", "health"),
        ("智力援疆", "柔性引进人才，培养干部。", "talent"),
        ("文化润疆", "举办文艺演出和非遗展。", "culture"),
        ("交往交流交融", "两地师生结对，开展研学。", "exchange"),
        (None, "今天天气很好。", "other"),
    ],
)
def test_each_category_from_the_lexicon(heading, body, category):
    assert categorise(heading, body) == category


def test_rule_reports_through_the_dagster_pipeline(tmp_path):
    from aid_pipeline.cli import run_pipeline

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for p in RULES.glob("*.txt"):
        (inbox / p.name).write_bytes(p.read_bytes())
    result = run_pipeline(str(inbox), str(tmp_path / "wh"), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    assert result.success
    reports = pd.read_parquet(tmp_path / "wh" / "reports.parquet").set_index("report_id")
    assert reports["encoding"].to_dict() == {
        "big5_bracketed": "big5",
        "gb18030_numbered": "gb18030",
        "utf16_html_caption": "utf-16-le",
        "utf8_appended": "utf-8",
        "utf8_mojibake": "utf-8",
    }
    assert reports.loc["gb18030_numbered", "source"] == "新华社"
    assert reports.loc["utf8_mojibake", "n_corrupt_spans"] == 1
    spans = pd.read_parquet(tmp_path / "wh" / "corrupt_spans.parquet")
    assert spans[spans.report_id == "utf8_mojibake"]["repaired"].tolist() == ["地群眾切身"]
    metrics = pd.read_parquet(tmp_path / "wh" / "metrics.parquet")
    app = metrics[(metrics.report_id == "utf8_appended") & (metrics.surface == "30万人次")]
    assert len(app) == 1 and app.iloc[0]["donor"] != "浙江"  # the appended article's figure
