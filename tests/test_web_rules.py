"""Issue 13 (metric extraction on real web pages) and issue 16 item 11's neighbour rules, rule by rule.

Each rule has its own sentences here and a short hand-written report in tests/data/web_rules/ (written in the
style of real 对口援疆 pages, no page text copied) with expected rows read off the text by hand (GUIDE.md).
Decisions the GUIDE leaves open, made here: a fraction is a share written as percent (三分之二 -> 66.666667
percent), 成 is a tenth (八成 -> 80 percent), 十几 is "ten-odd" like 十余 (10, at_least).
"""

import json
from pathlib import Path

import pytest

from aid_pipeline.evaluation.metrics import evaluate_metrics, format_metrics_report, predict_file
from aid_pipeline.warehouse.inbox import InboxFile
from aid_pipeline.runner import stages
from aid_pipeline.text.metrics import damaged_number_spans, damaged_numbers, find_mentions
from aid_pipeline.text.numbers import parse_number

ROOT = Path(__file__).resolve().parent.parent
WEB_RULES = Path(__file__).resolve().parent / "data" / "web_rules"
EXCL = json.loads((ROOT / "aid_pipeline" / "data" / "exclusions.json").read_text(encoding="utf-8"))


def rows(sentence):
    return [(m.surface, m.value, m.value_high, m.unit, m.qualifier) for m in find_mentions(sentence)]


# --- group names that look like counts ----------------------------------------------------------------------

NOT_COUNTS = {
    "provinces_as_actors": "19个援疆省市今年援疆资金都已到位",
    "provinces_short": "19个省市的年初计划都已完成",
    "chinese_numeral_provinces": "四个对口省市共同支援",
    "at_the_head_of": "完成率位居19个援疆省市之首",
    "two_counties": "两县共同推进",
    "two_places": "两地签署协议",
    "list_label": "资金分为七大类",
    "multiple": "是以往的近4倍",
    "programme_name": "实施五个一工程",
    "duration_days_and_nights": "在800多个日夜里",
    "duration_springs_and_autumns": "走过十个春秋",
    "page_counter_comments": "评论0条 我要评论",
    "page_counter_reads": "阅读：302条",
}


@pytest.mark.parametrize("rule", sorted(NOT_COUNTS))
def test_group_names_labels_multiples_and_durations_are_not_metrics(rule):
    assert find_mentions(NOT_COUNTS[rule]) == []


def test_a_count_of_teams_or_counties_still_counts():
    assert rows("组建创业团队19个") == [("19个", 19, None, "item", "exact")]
    assert rows("在8个县市实施安居工程") == [("8个", 8, None, "item", "exact")]  # places covered, not actors
    assert rows("两地结对学校达52对") == [("52对", 52, None, "item", "exact")]
    assert rows("引进3家中央企业投资") == [("3家", 3, None, "enterprise", "exact")]  # companies attracted


# --- counts whose noun is in an earlier clause ----------------------------------------------------------------

def test_counts_after_a_project_count_are_projects():
    got = rows("计划新建项目1022个，已开工943个，开工率为92.3%")
    assert [(s, u) for s, _v, _h, u, _q in got] == [("1022个", "project"), ("943个", "project"), ("92.3%", "percent")]
    got = rows("续建项目6个（其中已建设完成的4个、正在建设的2个）")
    assert [(s, u) for s, _v, _h, u, _q in got] == [("6个", "project"), ("4个", "project"), ("2个", "project")]
    assert [m.unit for m in find_mentions("实施民生项目120项，已竣工98项")] == ["project", "project"]


def test_a_count_with_its_own_noun_keeps_it():
    ms = find_mentions("建设产业项目10个，带动就业岗位300个")
    assert [(m.surface, m.unit, m.metric_type) for m in ms] == [("10个", "project", "projects"),
                                                               ("300个", "item", "jobs")]
    assert [m.unit for m in find_mentions("新建学校5个，已开工3个")] == ["item", "item"]  # no project before


# --- money without 元, people without a measure word ----------------------------------------------------------

NOUN_UNITS = [
    ("累计投入逾24亿", ("24亿", 2.4e9, None, "CNY", "at_least")),
    ("21亿援疆资金用于民生", ("21亿", 2.1e9, None, "CNY", "exact")),
    ("脱贫人口10.3万", ("10.3万", 103_000, None, "person", "exact")),
    ("惠及30余万百姓", ("30余万", 300_000, None, "person", "at_least")),
    ("交流人数超1万", ("1万", 10_000, None, "person", "at_least")),
    ("户籍人口85.1万", ("85.1万", 851_000, None, "person", "exact")),
]


@pytest.mark.parametrize("sentence, expected", NOUN_UNITS)
def test_scaled_numbers_take_their_unit_from_the_noun(sentence, expected):
    (got,) = rows(sentence)
    assert got[0] == expected[0] and got[3:] == expected[3:]
    assert got[1] == pytest.approx(expected[1])


def test_a_scaled_number_without_noun_or_money_cue_is_an_item():
    assert rows("新增纺锭2.5万") == [("2.5万", 25_000, None, "item", "exact")]


# --- more Chinese numerals -------------------------------------------------------------------------------------

NUMERALS = [
    ("近千名医生", ("千名", 1000, None, "person", "approx")),
    ("来到十几个村", ("十几个", 10, None, "item", "at_least")),
    ("覆盖二十几个乡镇", ("二十几个", 20, None, "item", "at_least")),
    ("近三分之二的项目当年完工", ("三分之二", 66.666667, None, "percent", "approx")),
    ("十分之一的资金", ("十分之一", 10, None, "percent", "exact")),
    ("八成以上资金用于民生", ("八成以上", 80, None, "percent", "at_least")),
    ("投入近一亿元", ("一亿元", 1e8, None, "CNY", "approx")),
    ("建成农家书屋千余个", ("千余个", 1000, None, "item", "at_least")),
    ("建成千余个", ("千余个", 1000, None, "item", "at_least")),  # 建成 is a verb: not the vague 成千
    ("招聘教师2000名至2500名", ("2000名至2500名", 2000, 2500, "person", "range")),
    ("投入资金210315万元", ("210315万元", 2_103_150_000, None, "CNY", "exact")),
    ("投入资金1234567万元", ("1234567万元", 12_345_670_000, None, "CNY", "exact")),  # 7 digits + 万: no identifier
    ("投入1,234,567元", ("1,234,567元", 1_234_567, None, "CNY", "exact")),
]


@pytest.mark.parametrize("sentence, expected", NUMERALS)
def test_more_chinese_numerals(sentence, expected):
    (got,) = rows(sentence)
    assert got[0] == expected[0] and got[3:] == expected[3:]
    assert got[1] == pytest.approx(expected[1])
    assert (got[2] is None and expected[2] is None) or got[2] == pytest.approx(expected[2])


def test_numeral_forms_that_stay_out():
    assert find_mentions("成千的群众") == []  # the vague 成千 without a verb before it
    assert find_mentions("三成员单位") == []  # 成员 is a word, not 30 percent
    assert find_mentions("十几年来") == []  # a duration
    assert parse_number("三分之二") == pytest.approx(66.666667)
    assert find_mentions("惠及百姓5000人")[0].surface == "5000人"  # 百 of 百姓 is no multiplier


def test_vague_prefix_exceptions_from_data():
    for prefix, verbs in EXCL["vague_prefixes_not_after"].items():
        if prefix.startswith("_"):
            continue
        for v in verbs:
            (m,) = find_mentions(f"已{v}{prefix}千余个")
            assert (m.value, m.qualifier) == (1000, "at_least"), v


# --- damaged numbers ----------------------------------------------------------------------------------------------

DAMAGED = [
    ("援疆资金累计达到.9亿元，", ".9亿元", "lost_integer_part"),
    ("援疆资金累计达到50.亿元，", "50.亿元", "lost_fraction_part"),
    ("受援地人口万人。", "万人", "lost_digits_before_scale"),
    ("援疆资金万元，", "万元", "lost_digits_before_scale"),
    ("实施援助项目个。", "个", "unit_without_number"),
    ("选派教师名、医生名", "名", "unit_without_number"),
]


@pytest.mark.parametrize("sentence, left, reason", DAMAGED)
def test_a_number_that_lost_digits_is_flagged_not_read(sentence, left, reason):
    assert find_mentions(sentence) == []  # never 9亿元, 1万人 or 1个
    flags = damaged_numbers(sentence)
    assert flags and all(r == reason for _a, _b, r in flags)
    a, b, _r = flags[0]
    assert sentence[a:b] == left


@pytest.mark.parametrize("sentence", ["惠及近万人。", "参加人数过万人。", "签约金额上亿元，", "服务百万人。", "投入5.9亿元，",
                                      "这个。", "培养企业家。", "援疆资金3亿元。", "每万人拥有医生12名。"])
def test_whole_figures_and_words_are_not_flagged(sentence):
    assert damaged_numbers(sentence) == []


def test_damaged_numbers_of_a_report_in_text_offsets():
    p = WEB_RULES / "w05_damaged.txt"
    norm = stages.normalise_report(stages.read_raw(InboxFile(p, p.stem, p.stem)))
    secs = stages.section_report(norm)
    spans = [(r["kind"], int(r["start"]), int(r["end"]), list(zip(r["sentence_starts"], r["sentence_ends"])))
             for r in secs]
    text = norm["text"]
    got = [(text[a:b], reason) for a, b, reason in damaged_number_spans(text, spans)]
    assert got == [(".9亿元", "lost_integer_part"), ("个", "unit_without_number"), ("万人", "lost_digits_before_scale")]


def test_damaged_numbers_are_listed_in_corrupt_spans_at_their_raw_characters():
    """A user opening corrupt_spans finds each damaged figure, why it is there, and its characters in the file."""
    p = WEB_RULES / "w05_damaged.txt"
    raw = stages.read_raw(InboxFile(p, p.stem, p.stem))
    norm = stages.normalise_report(raw)
    damaged = [s for s in norm["corrupt_spans"] if s["reason"].startswith("damaged_number:")]
    assert [(raw["raw_text"][s["raw_start"]:s["raw_end"]], s["reason"]) for s in damaged] == [
        (".9亿元", "damaged_number:lost_integer_part"), ("个", "damaged_number:unit_without_number"),
        ("万人", "damaged_number:lost_digits_before_scale")]
    assert all(s["raw"] == raw["raw_text"][s["raw_start"]:s["raw_end"]] and s["repaired"] is None for s in damaged)
    assert norm["n_corrupt_spans"] == len(norm["corrupt_spans"]) >= 3
    values = {r["value"] for r in stages.extract_report_metrics(norm, stages.section_report(norm))}
    assert values == {12.0}  # only 新建学校12所: no 9亿, no 1万


@pytest.mark.parametrize("sentence", ["特色产品走进了千家万户。", "可以给家里增收五六万元，", "培训农牧民三万人次。",
                                      "帮助销售九十万元，"])
def test_a_scale_word_after_a_numeral_or_in_an_idiom_is_not_a_damaged_number(sentence):
    assert damaged_numbers(sentence) == []


# --- the hand-written reports -------------------------------------------------------------------------------------

def test_web_rule_reports_against_their_expected_rows():
    reports = sorted(WEB_RULES.glob("*.txt"))
    assert len(reports) >= 5
    pred = [r for p in reports for r in predict_file(p)]
    result = evaluate_metrics(pred, WEB_RULES)
    text = format_metrics_report(result, verbose=True)
    assert result["n_gold"] >= 35
    assert result["precision"] == 1.0 and result["recall"] == 1.0, text
    assert result["qualifier_accuracy"] == 1.0 and result["value_high_accuracy"] == 1.0, text
    assert result["metric_type_accuracy"] >= 0.85, text


# --- houses counted by 户 -----------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, mtype", [
    ("新建农牧民安居房8.7万户。", "facilities"),  # houses built
    ("安居富民工程已完成1840户，", "facilities"),
    ("带动周边360户牧民增收", "beneficiaries"),  # households helped
    ("惠及群众8,600户", "beneficiaries"),
])
def test_houses_counted_by_hu_are_facilities(sentence, mtype):
    (m,) = find_mentions(sentence)
    assert (m.unit, m.metric_type) == ("household", mtype)


def test_ren_before_kou_is_the_noun_renkou_not_a_measure_word():
    assert rows("全县仅5万多人口") == [("5万多", 50_000, None, "person", "at_least")]
    assert rows("全县5000人口") == [("5000", 5000, None, "person", "exact")]
    assert rows("贫困人口3000人") == [("3000人", 3000, None, "person", "exact")]  # 人 at the end is the unit


def test_a_noun_starting_with_a_verb_cue_is_still_the_counted_noun():
    (m,) = find_mentions("可提供近1万个就业岗位")  # 就业 begins 就业岗位: jobs, not a verb closing the noun phrase
    assert (m.surface, m.unit, m.qualifier, m.metric_type) == ("1万个", "item", "approx", "jobs")


@pytest.mark.parametrize("sentence, expected", [
    ("可以增收五六万元", ("五六万元", 50_000, 60_000, "CNY", "range")),
    ("来了三四百人", ("三四百人", 300, 400, "person", "range")),
    ("建了十二三个", ("十二三个", 12, 13, "item", "range")),
    ("花了两三千元", ("两三千元", 2000, 3000, "CNY", "range")),
    ("投入一百二三十万元", ("一百二三十万元", 1_200_000, 1_300_000, "CNY", "range")),
    ("繁育上万羽贵妃鸡", ("万羽", 10_000, None, "head", "at_least")),
])
def test_neighbouring_chinese_digits_are_an_approximate_range(sentence, expected):
    (got,) = rows(sentence)
    assert got[0] == expected[0] and got[3:] == expected[3:]
    assert got[1] == pytest.approx(expected[1])
    assert (got[2] is None and expected[2] is None) or got[2] == pytest.approx(expected[2])


def test_digit_runs_without_scale_stay_out():
    assert find_mentions("三四个人") == [] and find_mentions("二〇二三年") == []


@pytest.mark.parametrize("sentence, mtype", [
    ("组织两批共86名医生赴哈密开展巡诊", "personnel"),  # the doctors provide the check-ups
    ("组织专家30名开展义诊", "personnel"),
    ("救治先心病患儿86名", "patients"),  # the children receive the treatment
    ("义诊群众1200人次", "patients"),
])
def test_people_who_provide_a_service_are_personnel(sentence, mtype):
    assert [m.metric_type for m in find_mentions(sentence) if m.unit in ("person", "person_time")] == [mtype]


def test_the_pair_of_partner_cities_is_not_a_count():
    assert [m.surface for m in find_mentions("从2020年结对以来，两座城市的情谊不断加深，援建学校3座。")] == ["3座"]
