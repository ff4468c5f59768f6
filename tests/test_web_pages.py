"""Real web pages (issue 13, page part; issue 16 item 6): saved HTML pages, poster-style lines, photo captions,
chrome with numbers, dates and sources as pages state them, and damaged bytes.

The pages in tests/data/web_pages were written by us in the style of real news and government pages (no real
page's text); what each must give is written by hand in expected.json (HTML pages) and below (text pages).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from aid_pipeline.warehouse.inbox import list_inbox
from aid_pipeline.runner.stages import (
    QuarantineError,
    extract_report_metrics,
    normalise_report,
    number_touches_lost,
    read_raw,
    section_report,
)
from aid_pipeline.text.decode import decode_bytes
from aid_pipeline.text.html import normalise_page
from aid_pipeline.text.normalise import classify_lines, normalise
from aid_pipeline.text.segment import segment

PAGES = Path(__file__).resolve().parent / "data" / "web_pages"
EXPECTED = {k: v for k, v in json.loads((PAGES / "expected.json").read_text(encoding="utf-8")).items() if not k.startswith("_")}
LOST = "\ufffd"


def _report(name: str) -> tuple[str, dict, list[dict], list[dict]]:
    """raw text, normalised row, section rows and metric rows of one page, through the stage functions."""
    raw = decode_bytes((PAGES / name).read_bytes()).text
    norm = normalise_report({"report_id": name.split(".")[0], "raw_text": raw})
    secs = section_report(norm)
    return raw, norm, secs, extract_report_metrics(norm, secs)


# ---------------------------------------------------------------- saved HTML pages


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_html_page_keeps_the_article_and_drops_the_chrome(name):
    exp = EXPECTED[name]
    raw, norm, _, _ = _report(name)
    text = norm["text"]
    for piece in exp["body"]:
        assert piece in text, piece
    dropped = norm["dropped_lines"]
    for piece in exp["chrome"]:
        assert piece not in text, piece
        assert any(piece in d["text"] and d["reason"] for d in dropped), piece  # dropped with a reason, not lost
    for d in dropped:  # each dropped line points at its characters in the HTML
        assert raw[d["raw_start"] : d["raw_end"]]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_html_page_metadata(name):
    _, norm, _, _ = _report(name)
    for field, value in EXPECTED[name]["meta"].items():
        got = norm[field]
        assert (got.isoformat() if hasattr(got, "isoformat") else got) == value, field


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_html_page_metrics_point_into_the_html(name):
    exp = EXPECTED[name]
    raw, _, _, metrics = _report(name)
    assert [[m["value"], m["unit"]] for m in metrics] == [[float(v), u] for v, u in exp["metrics"]]
    for m in metrics:
        # the metric's characters in the HTML as the file has them (tags and entities inside are allowed)
        in_html = raw[m["raw_start"] : m["raw_end"]]
        assert in_html[0] == m["surface"][0] and in_html[-1] == m["surface"][-1]
        assert "".join(in_html.split()) == "".join(m["surface"].split())
    surfaces = " ".join(m["surface"] for m in metrics)
    for absent in exp["absent"]:
        assert absent not in surfaces


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_html_page_captions(name):
    _, norm, secs, _ = _report(name)
    assert [s["text"] for s in secs if s["kind"] == "caption"] == EXPECTED[name]["captions"]


def test_what_a_browser_does_not_show_is_gone_not_dropped():
    """Head, scripts, styles and comments are not text: neither in the article nor in dropped_lines."""
    for name in ("p01_gov_portal.html", "p03_mobile_article.html"):
        raw = (PAGES / name).read_text(encoding="utf-8")
        norm = normalise_page(raw)
        everything = norm.text + "\n".join(d.text for d in norm.dropped)
        for hidden in ("统计代码", "99 亿元", "__INITIAL_STATE__", "window", "float:left", "<a", "<p", "</", "href", "&nbsp;", "&ldquo;"):
            assert hidden not in everything, (name, hidden)
    # entities are read: “ ” from &ldquo; &rdquo;, and a source line break is no line break
    norm = normalise_page((PAGES / "p01_gov_portal.html").read_text(encoding="utf-8"))
    assert "“援疆不仅是输血，更要造血。”" in norm.text
    assert "重中之重，助力喀什地区" in norm.text


def test_html_without_main_text_keeps_its_lines():
    page = "<!DOCTYPE html><html><body><p>援疆资金投入5亿元。</p></body></html>"
    norm = normalise_page(page)
    assert norm.text == "援疆资金投入5亿元。"
    assert page[norm.starts[0] : norm.ends[-1]] == "援疆资金投入5亿元。"


# ---------------------------------------------------------------- text pages


def test_poster_lines_are_body_and_chrome_with_numbers_is_dropped():
    _, norm, secs, metrics = _report("w01_poster_lines.txt")
    assert "caption" not in [s["kind"] for s in secs]
    assert all(s["heading"] is None for s in secs)  # one sentence per line is not a heading each
    assert [(m["surface"], m["unit"]) for m in metrics] == [
        ("860多名", "person"), ("52亿元", "CNY"), ("310多个", "project"), ("75家", "enterprise"),
        ("2.1万人", "person"), ("40亿元", "CNY"), ("420名", "person"), ("18所", "item"), ("1.5万个", "item"),
    ]
    reasons = {d["text"]: d["reason"] for d in norm["dropped_lines"]}
    assert reasons["评论0条"] == "counter" and reasons["阅读：302"] == "counter"
    assert reasons["相关新闻"] == "related_news"
    assert reasons["伽师新梅走进广州 签约金额3.2亿元"] == "related_news"
    assert reasons["上一篇 疏附县举办第三届乡村篮球赛"] == "navigation"
    assert reasons["下一篇 广州医疗队在伽师县义诊群众500人次"] == "navigation"
    assert norm["source"] == "广州日报" and norm["publish_date"].isoformat() == "2021-08-30"
    assert norm["title"] == "广州援疆这五年：一组数字看变化"


def test_figures_set_one_per_line_after_the_article_are_not_captions():
    _, norm, secs, metrics = _report("w02_trailing_figures.txt")
    assert "caption" not in [s["kind"] for s in secs]
    assert [(m["value"], m["unit"]) for m in metrics] == [
        (6850000000.0, "CNY"), (520.0, "project"), (1500.0, "person"), (32000.0, "person_time"),
    ]
    assert norm["publish_date"].isoformat() == "2019-09-26" and norm["source"] == "湖南日报"


def test_photo_captions_are_marked_by_pictures_and_credits():
    _, norm, secs, metrics = _report("w03_photo_captions.txt")
    captions = [s["text"] for s in secs if s["kind"] == "caption"]
    assert captions == [
        "[图片]", "专家为当地群众测量血压", "IMG_20141120_103512.jpg", "援疆专家为基层医生示范操作", "义诊现场，群众排队等候（摄影 赵志刚）",
    ]
    assert all(s["heading"] is None for s in secs)
    assert [m["surface"] for m in metrics][-2:] == ["3500万元", "12台"]  # the paragraphs between photos stay body
    # a day-first stamp and a 版权所有 line as the only source
    assert norm["publish_date"].isoformat() == "2014-11-21" and norm["publish_time"] == "18:28:00"
    assert norm["source"] == "哈密市卫健委"


def test_a_copyright_notice_is_not_a_source():
    _, norm, _, _ = _report("w04_copyright_notice.txt")
    assert norm["source"] == "新华社"  # the dateline, not 中国民族报 quoted by the notice
    assert norm["publish_date"].isoformat() == "2020-05-03"  # the date at the foot of the article


def test_broken_bytes_are_corrupt_spans_and_never_split_a_number():
    raw, norm, _, metrics = _report("w05_broken_bytes.txt")
    assert raw.count(LOST) == 2
    spans = norm["corrupt_spans"]
    assert [(raw[s["raw_start"] : s["raw_end"]], s["recovered"]) for s in spans] == [(LOST, False), (LOST, False)]
    assert norm["n_corrupt_spans"] == 2
    assert norm["source"] == "光明日报客户端"  # repaired from the outlets lexicon
    values = [m["value"] for m in metrics]
    assert 400000000.0 not in values and 800000000.0 not in values and 840000000.0 not in values
    assert [m["surface"] for m in metrics] == ["120家", "2.6万人"]
    # the stage rule: no metric whose number touches U+FFFD
    text = norm["text"]
    for m in metrics:
        assert not number_touches_lost(text, m["start"], m["end"])
        assert LOST not in text[max(0, m["start"] - 1) : m["end"] + 1]


def test_number_touches_lost():
    assert number_touches_lost("资金8\ufffd4亿元", 4, 7)
    assert number_touches_lost("资金8\ufffd4亿元", 2, 7)
    assert not number_touches_lost("\ufffd资金8亿元", 3, 6)


def test_unrecovered_source_is_left_null():
    norm = normalise("援疆工作综述\n来源：某某日\ufffd\n" + "深圳援疆资金投入5亿元，用于喀什市项目建设。" * 3)
    from aid_pipeline.text.metadata import extract_metadata

    assert extract_metadata(norm).source is None


# ---------------------------------------------------------------- rules one at a time


@pytest.mark.parametrize(
    "line,reason",
    [
        ("评论0条", "counter"), ("0浏览", "counter"), ("阅读:302", "counter"), ("2016-04-07 阅读：302", "counter"),
        ("参与互动(0)", "counter"), ("点赞 收藏 分享", "share_widget"), ("上一篇", "navigation"),
        ("下一篇：援疆资金投入5亿元", "navigation"),
        # figures about readers in the article are not counters
        ("公众号阅读量10万+", None), ("累计浏览量120万次", None), ("援疆资金投入5亿元，阅读：302。", None),
    ],
)
def test_chrome_with_numbers(line, reason):
    assert classify_lines(["正文第一段写得足够长，说明援疆工作的情况和取得的成效，共四十个字以上。", line]) == [None, reason]


def test_related_link_titles_with_figures_are_chrome():
    lines = ["正文第一段写得足够长，说明援疆工作的情况和取得的成效，共四十个字以上。", "推荐阅读", "喀什新增就业岗位3.5万个", "签约项目46个 总金额120亿元"]
    assert classify_lines(lines) == [None, "related_news", "related_news", "related_news"]


def test_figure_lines_are_not_headings_but_a_heading_before_its_text_is():
    para = "今年以来，援疆工作扎实推进，各项任务有序落实，受援地群众的获得感不断增强。"
    text = "\n".join([para, "产业援疆", para, "投入援疆资金95.6亿元", para])
    assert [s.heading for s in segment(text)] == [None, "产业援疆"]


@pytest.mark.parametrize(
    "data,reason",
    [(b"\xff\xfe\xfa\x00\x81", "undecodable"), (b"Quarterly report, no Chinese at all.\n" * 3, "no_chinese")],
)
def test_bad_bytes_are_quarantined_at_the_raw_stage(tmp_path, data, reason):
    (tmp_path / "r.txt").write_bytes(data)
    (file,) = list_inbox(tmp_path)
    with pytest.raises(QuarantineError) as exc:
        read_raw(file)
    assert exc.value.reason == reason and len(exc.value.detail) > 30


# ---------------------------------------------------------------- the whole pipeline over the folder


@pytest.fixture(scope="module")
def web_run(tmp_path_factory):
    import dagster as dg

    from aid_pipeline import cli

    base = tmp_path_factory.mktemp("web_pages")
    inbox, warehouse = base / "inbox", base / "warehouse"
    inbox.mkdir()
    for p in PAGES.iterdir():
        if p.suffix in (".html", ".htm", ".txt"):
            shutil.copyfile(p, inbox / p.name)
    result = cli.run_pipeline(str(inbox), str(warehouse), instance=dg.DagsterInstance.ephemeral(), quiet=True)
    return result, inbox, warehouse


def test_html_htm_and_txt_in_the_inbox_are_all_reports(web_run):
    result, inbox, warehouse = web_run
    assert result.success
    assert sorted(f.path.name for f in list_inbox(inbox) if not f.refused) == sorted(
        p.name for p in PAGES.iterdir() if p.suffix in (".html", ".htm", ".txt")
    )
    reports = pd.read_parquet(warehouse / "reports.parquet")
    assert set(reports["report_id"]) == {p.name.split(".")[0] for p in inbox.iterdir()}
    assert pd.read_parquet(warehouse / "quarantine.parquet").empty


def test_metrics_of_html_pages_trace_back_into_the_html(web_run):
    _, _, warehouse = web_run
    rows = duckdb.sql(
        f"""SELECT m.report_id, m.surface, substr(t.raw_text, m.raw_start + 1, m.raw_end - m.raw_start) AS in_raw
            FROM '{warehouse}/metrics.parquet' m JOIN '{warehouse}/texts.parquet' t USING (report_id)
            WHERE t.raw_text LIKE '%<html%' OR t.raw_text LIKE '%<HTML%'"""
    ).fetchall()
    assert len(rows) == sum(len(e["metrics"]) for e in EXPECTED.values())
    for rid, surface, in_raw in rows:
        assert "".join(in_raw.split()) == "".join(surface.split()), (rid, surface, in_raw)
    dropped = pd.read_parquet(warehouse / "dropped_lines.parquet")
    assert (dropped["reason"] == "not_main_text").any()


def test_a_page_saved_without_its_head_is_read_as_html_by_its_name():
    fragment = "<div class='nav'>首页</div>\n<div><p>援疆资金投入5亿元，\n用于喀什地区项目建设。</p></div>"
    page = normalise_report({"report_id": "a", "raw_text": fragment, "source_path": "/inbox/a.shtml"})
    assert "援疆资金投入5亿元，用于喀什地区项目建设。" in page["text"] and "<p>" not in page["text"]
    text = normalise_report({"report_id": "b", "raw_text": "援疆资金投入5亿元。\n用于喀什地区。", "source_path": "/inbox/b.html"})
    assert text["text"] == "援疆资金投入5亿元。\n用于喀什地区。"  # a text named .html stays a text: its lines are lines


def test_the_masthead_above_a_breadcrumb_is_the_site_name():
    lines = ["某某市对口支援合作办公室", "首页 > 工作动态 > 援疆工作", "援疆工作综述", "正文第一段写得足够长，说明援疆工作的情况和取得的成效，共四十个字以上。"]
    assert classify_lines(lines) == ["site_name", "site_section", None, None]
