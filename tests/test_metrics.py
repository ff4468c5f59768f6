"""Metric extraction (find_mentions / extract_metrics) and the metric evaluator."""

import json
from pathlib import Path

import pytest

from linear_work import assert_linear_work
from aid_pipeline.evaluation.metrics import evaluate_metrics, format_metrics_report
from aid_pipeline.text.metrics import extract_metrics, find_mentions, year_of
from aid_pipeline.text.types import Section, Sentence

DATA = Path(__file__).resolve().parent / "data" / "metrics"
ROOT = Path(__file__).resolve().parent.parent
UNITS = {"CNY", "person", "person_time", "household", "project", "enterprise", "item", "event", "case", "percent",
         "mu", "sqm", "tonne", "MW", "km", "head"}
TYPES = {"funding", "investment", "output_value", "sales", "trade", "insurance", "fiscal", "projects", "personnel",
         "beneficiaries", "trainees", "patients", "students", "enterprises", "facilities", "events", "jobs",
         "agriculture", "growth_rate", "other"}


def one(sentence):
    ms = find_mentions(sentence)
    assert len(ms) == 1, [(m.surface, m.unit) for m in ms]
    return ms[0]


def surfaces(sentence):
    return [m.surface for m in find_mentions(sentence)]


# --- units -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, surface, value, unit", [
    ("投入资金5.3亿元", "5.3亿元", 5.3e8, "CNY"),
    ("资金1,180万元", "1,180万元", 1.18e7, "CNY"),
    ("惠及1.6万人", "1.6万人", 16000, "person"),
    ("义诊巡诊1172人次", "1172人次", 1172, "person_time"),
    ("覆盖农户14019户", "14019户", 14019, "household"),
    ("引进企业13家", "13家", 13, "enterprise"),
    ("举办招商会17场", "17场", 17, "event"),
    ("完成手术290例", "290例", 290, "case"),
    ("种植小麦300亩", "300亩", 300, "mu"),
    ("收购棉花1.5万吨", "1.5万吨", 15000, "tonne"),
    ("建成厂房60000平方米", "60000平方米", 60000, "sqm"),
    ("修建道路12公里", "12公里", 12, "km"),
    ("建设370MW光伏电站", "370MW", 370, "MW"),
    ("养殖骆驼4万峰", "4万峰", 40000, "head"),
    ("捐赠AED设备420台", "420台", 420, "item"),
    ("新建病房大楼两所", "两所", 2, "item"),
    ("百分之四十的农户", "百分之四十", 40, "percent"),
    ("三千万元用于改造", "三千万元", 3e7, "CNY"),
    ("一百二十个村", "一百二十个", 120, "item"),
])
def test_units_and_values(sentence, surface, value, unit):
    m = one(sentence)
    assert (m.surface, m.unit) == (surface, unit)
    assert m.value == pytest.approx(value)


def test_project_noun_turns_ge_into_project():
    assert one("推动落地项目38个").unit == "project"
    assert one("实施4个示范推广项目").unit == "project"
    assert one("结对38个乡镇").unit == "item"
    assert one("实施援疆项目22大项").unit == "project"


# --- qualifiers and surface boundaries ------------------------------------------------------------------

@pytest.mark.parametrize("sentence, surface, qualifier", [
    ("超过 2万吨农产品", "2万吨", "at_least"),
    ("资金420余万元", "420余万元", "at_least"),
    ("销售额突破10.1亿元", "10.1亿元", "at_least"),
    ("门诊量增长40%以上", "40%以上", "at_least"),
    ("约500人参加", "500人", "approx"),
    ("近万人次观看", "万人次", "approx"),
    ("培训3000人左右", "3000人左右", "approx"),
    ("不到20家企业", "20家", "at_most"),
    ("控制在50人以内", "50人以内", "at_most"),
    ("逾300户受益", "300户", "at_least"),
    ("累计达到 50.9亿元", "50.9亿元", "exact"),
    ("通过3个渠道", "3个", "exact"),
    ("覆盖 4 万余户", "4 万余户", "at_least"),
    ("引进3300多人次", "3300多人次", "at_least"),
    ("招聘10-15名教师", "10-15名", "range"),
])
def test_qualifiers(sentence, surface, qualifier):
    m = one(sentence)
    assert (m.surface, m.qualifier) == (surface, qualifier)


def test_guo_yi_without_yuan_is_money_at_least():
    m = one("签约金额过亿")
    assert (m.value, m.unit, m.qualifier) == (1e8, "CNY", "at_least")


def test_range_high_end():
    m = one("7—10家企业")
    assert (m.value, m.value_high, m.qualifier) == (7, 10, "range")


# --- two figures in one phrase ---------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("组织12批次2217名师生", [("12批次", "event"), ("2217名", "person")]),
    ("实施项目 22 大项 47 小项", [("22 大项", "project"), ("47 小项", "project")]),
    ("建成5个公交车充电站118个充电桩", [("5个", "item"), ("118个", "item")]),
])
def test_two_figures(sentence, expected):
    assert [(m.surface, m.unit) for m in find_mentions(sentence)] == expected


# --- NOT metrics (exclusions.json / null units in units.json) -----------------------------------------------

@pytest.mark.parametrize("sentence", [
    "2023年召开会议", "4月10日下午", "2025-04-13发布", "19:32:21更新", "1-9月完成", "2023 年以来成效显著",
    "第十一批援疆干部", "第134届广交会", "第三届比赛",
    "成立70周年", "深圳经济特区成立45周年",
    "工作3个月", "7-10天的培训", "历时两年多", "5分钟送达", "1-3天",
    "全国第四", "位列第一", "考核前三名", "排名前5位",
    "联系电话13912345678", "索引号11440300MB2C9278X5",
    "5G网络", "4A级景区", "“十四五”规划", "“三交”工作", "“五个认同”教育", "“一抓双促”示范镇",
    "1610工作体系", "十百千万工程", "六大工程", "民族团结一家亲", "三张清单", "四大产业",
    "万亩海水稻基地", "千万亩沙棘", "中医中药进万家", "数十家企业", "一批项目", "一个个",
    "塔县人民医院二期建设",
])
def test_not_metrics(sentence):
    assert find_mentions(sentence) == []


def test_year_not_metric_in_chinese():
    assert find_mentions("二〇二三年工作总结") == []


# --- metric types --------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, mtype", [
    ("累计投入援疆资金5.3亿元", "funding"),
    ("项目总投资23.5亿元", "investment"),
    ("到位资金20.43亿元", "investment"),
    ("实现工业产值25.8亿元", "output_value"),
    ("助销农产品销售额3.34亿元", "sales"),
    ("外贸进出口额11.83亿元", "trade"),
    ("提供保险保障9.29亿元", "insurance"),
    ("实现财政收入14亿元", "fiscal"),
    ("培训农民12000人次", "trainees"),
    ("为586名群众免费实施白内障手术", "patients"),
    ("带动3500名农民就业", "jobs"),
    ("资助大学生3500人", "students"),
    ("选派87名援疆干部", "personnel"),
    ("受益群众达1.6万人", "beneficiaries"),
    ("落户企业13家", "enterprises"),
    ("新建录播教室7间", "facilities"),
    ("开展文艺活动60余场", "events"),
    ("同比增长70%", "growth_rate"),
    ("新增学位3000个", "students"),
    ("实施项目126个", "projects"),
])
def test_metric_types(sentence, mtype):
    assert one(sentence).metric_type == mtype


def test_small_reports_against_expected_rows():
    rows = []
    for p in sorted(DATA.glob("t*.txt")):
        for line in p.read_text(encoding="utf-8").splitlines():
            for m in find_mentions(line):
                rows.append({"doc": p.name, "surface": m.surface, "value": m.value, "value_high": m.value_high,
                             "unit": m.unit, "qualifier": m.qualifier, "metric_type": m.metric_type})
    r = evaluate_metrics(rows, DATA)
    assert r["n_gold"] == 21
    assert r["precision"] == 1.0 and r["recall"] == 1.0, format_metrics_report(r, verbose=True)
    assert r["qualifier_accuracy"] == 1.0 and r["value_high_accuracy"] == 1.0
    assert r["metric_type_accuracy"] >= 0.9, format_metrics_report(r, verbose=True)


# --- extract_metrics ------------------------------------------------------------------------------------

def _sections(text, kinds):
    out, pos = [], 0
    for i, (line, kind) in enumerate(zip(text.split("\n"), kinds)):
        out.append(Section(i, None, kind, "other", pos, pos + len(line), [Sentence(pos, pos + len(line))]))
        pos += len(line) + 1
    return out


def test_extract_metrics_offsets_captions_appended_and_year():
    text = "（图为东营援疆干部3人）\n今年东营援疆投入资金2亿元。\n另据报道，某地签约项目5个。"
    secs = _sections(text, ["caption", "body", "appended"])
    ms = extract_metrics(text, secs, "山东", ["疏勒县"], "2023-09-20")
    assert [m.surface for m in ms] == ["2亿元", "5个"]
    for m in ms:
        assert text[m.start:m.end] == m.surface
        assert m.sentence_start <= m.start < m.end <= m.sentence_end
    money, proj = ms
    assert (money.donor, money.recipient, money.year) == ("山东", "疏勒县", 2023)
    assert (proj.donor, proj.recipient) == (None, None)
    assert proj.unit == "project"


def test_year_rules():
    assert year_of("2021年以来累计投入", None) == 2021
    assert year_of("去年投入3亿元", "2025-04-13") == 2024
    assert year_of("投入3亿元", "2025-04-13") is None
    assert year_of("今年投入", None) is None


def test_seeds_general_properties():
    from aid_pipeline.evaluation.metrics import predict_file

    for p in sorted((ROOT / "seeds").glob("*.txt")):
        rows = predict_file(p)
        assert rows, p.name
        for r in rows:
            assert r["unit"] in UNITS and r["metric_type"] in TYPES
            assert r["qualifier"] in {"exact", "at_least", "at_most", "approx", "range"}
            assert (r["value_high"] is not None) == (r["qualifier"] == "range")
            assert "年" not in r["surface"] and "月" not in r["surface"]


# --- evaluator -------------------------------------------------------------------------------------------

def test_evaluator_one_to_one(tmp_path):
    gold = [{"doc": "x.txt", "surface": "5个", "value": 5.0, "value_high": None, "unit": "item",
             "qualifier": "exact", "metric_type": "facilities"}] * 2
    (tmp_path / "metrics_x.jsonl").write_text("\n".join(json.dumps(g) for g in gold), encoding="utf-8")
    pred = [dict(gold[0], report_id="x"), dict(gold[0], doc="x.txt", qualifier="approx"),
            dict(gold[0], doc="x.txt"), dict(gold[0], doc="x.txt", unit="project")]
    r = evaluate_metrics(pred, tmp_path)
    assert (r["tp"], r["n_pred"], r["n_gold"]) == (2, 4, 2)
    assert r["precision"] == 0.5 and r["recall"] == 1.0
    assert r["qualifier_accuracy"] == 0.5
    text = format_metrics_report(r, verbose=True)
    assert "P=0.500" in text and "R=1.000" in text and "extras (2)" in text


def test_gold_floors():
    gold = ROOT.parent / "shared" / "gold"
    if not gold.exists():
        pytest.skip("shared gold not present")
    from aid_pipeline.evaluation.metrics import predict_file

    rows = [r for p in sorted((ROOT / "seeds").glob("*.txt")) for r in predict_file(p)]
    r = evaluate_metrics(rows, gold)
    assert r["precision"] >= 0.95 and r["recall"] >= 0.95, format_metrics_report(r, verbose=True)
    assert r["qualifier_accuracy"] >= 0.95 and r["metric_type_accuracy"] >= 0.85


@pytest.mark.parametrize(("unit", "suffix"), [("1个", ""), ("近", ""), ("第", "1个"), ("，", "")])
def test_extraction_is_linear_on_hostile_input(unit, suffix):
    assert_linear_work("aid_pipeline.text.metrics:find_mentions", unit, suffix=suffix)


def test_shang_is_a_qualifier_only_before_a_bare_scale_word():
    assert one("参观人数上万人次").qualifier == "at_least"
    assert one("在推介会上5家企业签约").qualifier == "exact"


def test_eval_treats_parquet_nan_value_high_as_null(tmp_path):
    """Rows read back from metrics.parquet carry NaN for a missing value_high; that equals a gold null."""
    from aid_pipeline.evaluation.metrics import evaluate_metrics

    gold = tmp_path / "metrics_x.jsonl"
    gold.write_text('{"doc": "x.txt", "surface": "5个", "value": 5.0, "value_high": null, "unit": "item", '
                    '"qualifier": "exact", "metric_type": "facilities"}\n', encoding="utf-8")
    pred = [{"report_id": "x", "surface": "5个", "value": 5.0, "value_high": float("nan"), "unit": "item",
             "qualifier": "exact", "metric_type": "facilities"}]
    result = evaluate_metrics(pred, tmp_path)
    assert result["value_high_accuracy"] == 1.0


def test_money_is_never_typed_as_a_count():
    """`投入资金9,860万元新建…学校7所`: the money is funding-like even though a build verb follows it."""
    from aid_pipeline.contract.vocab import MONEY_TYPES

    ms = find_mentions("投入资金9,860万元新建、改扩建中小学和幼儿园7所，新增学位3,150个。")
    money = [m for m in ms if m.unit == "CNY"]
    assert money and all(m.metric_type in MONEY_TYPES for m in money)
    assert any(m.unit == "item" and m.metric_type == "facilities" for m in ms)
