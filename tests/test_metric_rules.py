"""Issue 4, rule by rule: one test per rule of the number grammar and of "what is not a metric", one per
exclusion kept as data (exclusions.json, null units in units.json), and the cue rules that choose metric_type.

Expected values are read off the sentences by hand (GUIDE.md), not copied from the extractor.
"""

import json
from pathlib import Path

import pytest

from aid_pipeline.contract import vocab
from aid_pipeline.evaluation.metrics import evaluate_metrics, format_metrics_report, predict_file
from aid_pipeline.text.metrics import extract_metrics, find_mentions, year_of
from aid_pipeline.text.types import Section, Sentence

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "aid_pipeline" / "data"
RULES = Path(__file__).resolve().parent / "data" / "metrics_rules"
UNITS = json.loads((DATA_DIR / "units.json").read_text(encoding="utf-8"))
EXCL = json.loads((DATA_DIR / "exclusions.json").read_text(encoding="utf-8"))
CUES = json.loads((DATA_DIR / "metric_cues.json").read_text(encoding="utf-8"))


def rows(sentence):
    return [(m.surface, m.value, m.value_high, m.unit, m.qualifier) for m in find_mentions(sentence)]


# --- number grammar: one case per rule of the issue ---------------------------------------------------------

GRAMMAR = {
    "arabic_decimal": ("投入资金5.3亿元", [("5.3亿元", 5.3e8, None, "CNY", "exact")]),
    "thousands_separator": ("投入2,300万元", [("2,300万元", 2.3e7, None, "CNY", "exact")]),
    "full_width_digits": ("共有１２３人参加", [("１２３人", 123, None, "person", "exact")]),
    "space_around_number": ("投入 6423 万元", [("6423 万元", 6.423e7, None, "CNY", "exact")]),
    "nbsp_inside_number": ("投入6423\u00a0万元", [("6423\u00a0万元", 6.423e7, None, "CNY", "exact")]),
    "chinese_numeral_with_scale": ("投入三千万元", [("三千万元", 3e7, None, "CNY", "exact")]),
    "chinese_numeral_compound": ("建成一百二十个", [("一百二十个", 120, None, "item", "exact")]),
    "liang_is_two": ("新建两所学校", [("两所", 2, None, "item", "exact")]),
    "shi_yu": ("引进十余家企业", [("十余家", 10, None, "enterprise", "at_least")]),
    "jin_wan_bare_scale": ("服务近万人次", [("万人次", 1e4, None, "person_time", "approx")]),
    "mixed_arabic_wan_person": ("惠及1.6万人", [("1.6万人", 16000, None, "person", "exact")]),
    "mixed_arabic_wan_item": ("捐赠2.5万台", [("2.5万台", 25000, None, "item", "exact")]),
    "traditional_yi": ("投入4.6億元", [("4.6億元", 4.6e8, None, "CNY", "exact")]),
    "guo_yi_without_yuan": ("签约金额过亿", [("亿", 1e8, None, "CNY", "at_least")]),
    "multiplier_applied_once": ("总投资1.1807亿元", [("1.1807亿元", 118_070_000, None, "CNY", "exact")]),
    "yu_inside_multiplier": ("投入420余万元", [("420余万元", 4_200_000, None, "CNY", "at_least")]),
    "wan_yi": ("计划投资1.2万亿元", [("1.2万亿元", 1.2e12, None, "CNY", "exact")]),
    "qian_belongs_to_unit": ("建成光伏电站10万千瓦", [("10万千瓦", 100, None, "MW", "exact")]),
    "range_hyphen": ("招募10-15个", [("10-15个", 10, 15, "item", "range")]),
    "range_zhi": ("每组3至5名", [("3至5名", 3, 5, "person", "range")]),
    "range_dash": ("引进7—10家", [("7—10家", 7, 10, "enterprise", "range")]),
    "range_shared_scale": ("投资10-20万元", [("10-20万元", 1e5, 2e5, "CNY", "range")]),
    "range_unit_written_twice": ("补助20万元至30万元", [("20万元至30万元", 2e5, 3e5, "CNY", "range")]),
    "percent_sign": ("满意度达97.8%", [("97.8%", 97.8, None, "percent", "exact")]),
    "percent_words": ("百分之四十的农户", [("百分之四十", 40, None, "percent", "exact")]),
    "percent_change": ("同比增长70%", [("70%", 70, None, "percent", "exact")]),
    "percentage_points": ("提高3个百分点", [("3个百分点", 3, None, "percent", "exact")]),
    "two_figures_batch_people": ("组织12批次2217名师生", [("12批次", 12, None, "event", "exact"),
                                                    ("2217名", 2217, None, "person", "exact")]),
    "two_figures_big_small": ("实施项目22 大项 47 小项", [("22 大项", 22, None, "project", "exact"),
                                                  ("47 小项", 47, None, "project", "exact")]),
    "two_figures_items": ("建成5个公交车充电站118个充电桩", [("5个", 5, None, "item", "exact"),
                                                ("118个", 118, None, "item", "exact")]),
    "spindles": ("新增纺纱产能20万锭", [("20万锭", 200_000, None, "item", "exact")]),
    "pairs_dui": ("结成师徒三百余对", [("三百余对", 300, None, "item", "at_least")]),
    "trips_tang": ("开行旅游专列12趟", [("12趟", 12, None, "event", "exact")]),
    "lone_yi_closing_list_item": ("新建教学楼两栋、学生宿舍一栋，", [("两栋", 2, None, "item", "exact"),
                                                          ("一栋", 1, None, "item", "exact")]),
}

QUALIFIERS = [  # (sentence, qualifier): before or after the number
    ("约500人参加", "approx"), ("近300人参加", "approx"), ("500人左右", "approx"), ("300人上下", "approx"),
    ("300余人", "at_least"), ("300多人", "at_least"), ("超300人", "at_least"), ("超过300人", "at_least"),
    ("逾300人", "at_least"), ("突破300人", "at_least"), ("300人以上", "at_least"), ("过300人", "at_least"),
    ("不到300人", "at_most"), ("300人以内", "at_most"), ("300人以下", "at_most"), ("累计达到300人", "exact"),
]


@pytest.mark.parametrize("rule", sorted(GRAMMAR))
def test_number_grammar_rule(rule):
    sentence, expected = GRAMMAR[rule]
    got = rows(sentence)
    assert [(s, u, q) for s, _v, _h, u, q in got] == [(s, u, q) for s, _v, _h, u, q in expected], got
    for (_s, v, h, _u, _q), (_s2, ev, eh, _u2, _q2) in zip(got, expected, strict=True):
        assert v == pytest.approx(ev)
        assert (h is None and eh is None) or h == pytest.approx(eh)


@pytest.mark.parametrize("sentence, qualifier", QUALIFIERS)
def test_qualifier_rule(sentence, qualifier):
    (m,) = find_mentions(sentence)
    assert (m.value, m.unit, m.qualifier) == (300 if "300" in sentence else 500, "person", qualifier)


# --- what is not a metric: one case per rule of the issue -------------------------------------------------------

NOT_METRICS = {
    "year": "2023年召开会议", "chinese_year": "二〇二三年工作总结", "day": "4月10日下午", "iso_date": "2025-04-13发布",
    "month_range": "1-9月完成", "clock_time": "19:32:21更新", "ordinal_batch": "第十一批援疆干部",
    "ordinal_session": "第134届广交会", "first": "首届论坛", "anniversary": "成立70周年", "duration_months": "工作3个月",
    "duration_days_range": "7-10天的培训", "duration_vague": "历时两年多", "rank_national": "全国第四",
    "rank_top": "考核前三名", "phone": "联系电话13912345678", "licence": "粤ICP备12345678号",
    "index_number": "索引号11440300MB2C9278X5", "5g": "5G网络", "4a": "4A级景区", "plan_name": "“十四五”规划",
    "slogan_sanjiao": "“三交”工作", "slogan_wuge": "“五个认同”教育", "slogan_yizhua": "“一抓双促”示范镇",
    "system_name": "1610工作体系", "scale_label_in_name": "建设万亩海水稻基地", "idiom": "成千上万的群众",
}


@pytest.mark.parametrize("rule", sorted(NOT_METRICS))
def test_not_a_metric_rule(rule):
    assert find_mentions(NOT_METRICS[rule]) == []


# --- exclusions as data: every key of exclusions.json has a test ---------------------------------------------

EXCLUSION_EXAMPLES = {
    "ordinal_prefixes": ["第三届比赛", "首批援疆干部", "编号12号", "序号3个"],
    "rank_prefixes": ["排名前5位", "位列第一", "考核前三名"],
    "vague_prefixes": ["数十家企业", "几百人参加", "若干个", "成百上千人"],
    "lone_numerals": ["一个个", "二期工程", "红星二场"],
    "fixed_names": [f"推进“{w}”建设" for w in EXCL["fixed_names"]],
    "identifier_min_digits": ["拨打1234567个"],
    "phase_units": ["塔县人民医院三期建设"],
    "lone_yi_counts_before": ["再一次，", "这一栋，"],
    "digit_run_chinese": ["三八节慰问", "三四个人"],
    "unit_before_number": ["开展1对1帮扶", "以3比2获胜"],
    "actor_groups": ["位居19个援疆省市之首", "19个省市的资金都已到位", "四个对口省市共同支援"],
    "slogan_counts": ["实施五个一工程", "实现两个一百年目标"],
    "actor_groups_far": ["10个对口支援兵团省市共同参与", "19个参与援疆的省市"],
    "actor_groups_giving": ["由温州、台州等5个市结对支援", "15个县结对帮扶当地乡村"],
    "size_classes": ["重点推进5000万元以上项目建设", "培育500万元以上企业"],
    "page_counters": ["评论0条 我要评论", "阅读：302条", "点赞12次"],
    "damaged_numbers": ["援疆资金累计达到.9亿元", "受援地人口万人", "援助项目个。", "投入资金50.亿元"],
    "numeral_place_names": ["援建五家渠市第一中学", "途经十三间房风区"],
}
#: keys that list exceptions to an exclusion (what IS a metric), tested in tests/test_web_rules.py
EXCEPTION_KEYS = {"vague_prefixes_not_after"}


def test_every_exclusion_key_has_examples():
    keys = {k for k in EXCL if not k.startswith("_") and k != "scale_label_followers"}
    assert keys == set(EXCLUSION_EXAMPLES) | EXCEPTION_KEYS


@pytest.mark.parametrize("key, sentence", [(k, s) for k, ss in EXCLUSION_EXAMPLES.items() for s in ss])
def test_exclusion_from_data(key, sentence):
    assert find_mentions(sentence) == [], key


@pytest.mark.parametrize("word", sorted(w for w, e in UNITS["units"].items() if e["unit"] is None))
def test_null_unit_words_are_not_metrics(word):
    assert find_mentions(f"已经过了12{word}") == []


@pytest.mark.parametrize("word", sorted(w for w, e in UNITS["units"].items() if e["unit"] is not None))
def test_unit_words_give_their_base_unit(word):
    entry = UNITS["units"][word]
    (m,) = find_mentions(f"累计达到12{word}。")
    assert m.unit == entry["unit"] or (word in UNITS["project_counting_units"] and m.unit == "item") or (
        word in UNITS["animal_units"]["units"] and m.unit == "item")  # 只/匹 with no animal named count things
    assert m.value == pytest.approx(12 * entry.get("factor", 1))


def test_every_unit_class_of_the_issue_exists_in_units_json():
    base = {e["unit"] for e in UNITS["units"].values() if e["unit"]}
    assert base == set(vocab.UNITS)  # money, people, person-times, households, projects, enterprises, items,
    # events, cases, percentages (and points), area, weight, power, length, livestock
    assert UNITS["units"]["个百分点"]["unit"] == "percent" and UNITS["units"]["公顷"]["factor"] == 15


def test_xiang_counts_projects_only_with_a_project_noun():
    assert [m.unit for m in find_mentions("实施援疆项目30项")] == ["project"]
    assert [m.unit for m in find_mentions("申报9项省级科技特派员重点派驻项目")] == ["project"]
    assert [m.unit for m in find_mentions("在比赛中获奖70项")] == ["item"]


# --- metric_type: how cues are chosen -------------------------------------------------------------------------

TYPES = [
    # the noun the measure word counts
    ("组织12家三甲医院开展远程会诊", "other"),  # hospitals with 家 are not enterprises
    ("援建3所乡镇卫生院", "facilities"),  # an institution that is built
    ("为156所乡村学校配备取暖设备", "facilities"),  # ... or equipped, the verb after it
    ("援疆教师分布在11所中小学", "other"),  # ... merely named
    ("组织2217名喀什师生赴深圳研学", "students"),
    ("建成卫星工厂240余个", "enterprises"),  # noun before the number
    ("提供就业岗位7000余个", "jobs"),
    ("接待游客超过15万人次", "other"),  # qualifier between noun and number
    ("开行旅游专列和包机36班次", "other"),
    ("开展示范课、公开课460节", "events"),
    ("组织5批次专家到当地开展培训", "personnel"),  # batches of experts dispatched
    # weak nouns: a verb in the clause decides
    ("选派援疆教师246名", "personnel"),
    ("结对帮带当地教师600余人", "trainees"),
    ("组织1200名中小学教师分3至5期赴北京跟岗研修", "trainees"),  # movement marker past another mention
    ("帮助销售农产品1.2万吨", "sales"),
    ("建成高标准农田5.6万亩", "agriculture"),
    # verbs that outrank the noun
    ("惠及师生近10万人", "beneficiaries"),
    # cue before vs after the figure; money without a cue
    ("投入援疆资金2亿元，带动社会投资5亿元", "funding"),
    ("每个月能拿3500元左右", "other"),
    ("跨越4000多公里", "other"),
    ("救治先心病患儿86名", "patients"),
    ("为藏书馆捐赠图书8万册", "facilities"),  # books are facilities when donated ...
    ("馆藏图书15万册", "other"),  # ... and not when merely held
    ("产业园规划用地3200亩", "other"),
]

SUBSET = [  # a clause opening with 其中 takes the previous figure's type unless it has its own verb or noun
    ("吸纳工人1300余名，其中脱贫人口800人", ["jobs", "jobs"]),
    ("选派干部120名，其中培训本地干部30名", ["personnel", "trainees"]),
    ("引进企业20家，其中医院3家", ["enterprises", "other"]),
]


@pytest.mark.parametrize("sentence, mtype", TYPES)
def test_metric_type_cue_choice(sentence, mtype):
    assert find_mentions(sentence)[0].metric_type == mtype


@pytest.mark.parametrize("sentence, types", SUBSET)
def test_subset_clause_inherits_the_type(sentence, types):
    assert [m.metric_type for m in find_mentions(sentence)] == types


def test_cue_after_the_figure_when_none_before():
    ms = find_mentions("投入援疆资金2亿元，带动社会投资5亿元")
    assert [m.metric_type for m in ms] == ["funding", "investment"]
    assert find_mentions("5亿元的销售额")[0].metric_type == "sales"


def test_cue_tables_use_the_contract_vocabulary():
    types = {g["type"] for g in CUES["cues"]} | {g["type"] for g in CUES["counted_nouns"]}
    types |= {g.get("built_type") for g in CUES["counted_nouns"] if g.get("built_type")}
    assert types <= set(vocab.METRIC_TYPES)
    assert set(CUES["unit_priors"]) == set(vocab.UNITS) and set(CUES["unit_priors"].values()) <= set(vocab.METRIC_TYPES)


# --- attribution: appended articles and years -----------------------------------------------------------------

def _sections(text, kinds):
    out, pos = [], 0
    for i, (line, kind) in enumerate(zip(text.split("\n"), kinds, strict=True)):
        out.append(Section(i, None, kind, "other", pos, pos + len(line), [Sentence(pos, pos + len(line))]))
        pos += len(line) + 1
    return out


def test_appended_article_keeps_its_own_donor_or_none():
    text = ("今年深圳援疆投入资金2亿元。\n"
            "4月10日，塔城地区招商推介会在深圳举办，签约项目35个。\n"
            "山东援疆干部另行捐赠图书5000册。")
    ms = extract_metrics(text, _sections(text, ["body", "appended", "appended"]), "深圳", ["喀什市"], "2023-05-01")
    by = {m.surface: m for m in ms}
    assert (by["2亿元"].donor, by["2亿元"].recipient, by["2亿元"].year) == ("深圳", "喀什市", 2023)
    assert by["35个"].donor is None and by["35个"].recipient == "塔城地区"  # a venue is not a donor
    assert by["5000册"].donor == "山东"  # its own donor, named with an aid word


def test_year_rules():
    assert year_of("2022年投入3亿元，2023年投入5亿元", None, 20) == 2023
    assert year_of("2022年投入3亿元，2023年投入5亿元", None, 7) == 2022
    assert year_of("二〇二三年投入5亿元", None) == 2023
    assert year_of("今年投入5亿元", "2024-05-01") == 2024
    assert year_of("去年投入5亿元", "2024-05-01") == 2023
    assert year_of("投入5亿元", "2024-05-01") is None


# --- hand-written reports scored with the evaluator -------------------------------------------------------------

def test_rule_reports_against_their_expected_rows():
    reports = sorted(RULES.glob("*.txt"))
    assert len(reports) >= 7
    pred = [r for p in reports for r in predict_file(p)]
    result = evaluate_metrics(pred, RULES)
    text = format_metrics_report(result, verbose=True)
    assert result["n_gold"] >= 120
    assert result["precision"] >= 0.97 and result["recall"] >= 0.97, text
    assert result["qualifier_accuracy"] >= 0.97 and result["value_high_accuracy"] >= 0.97, text
    assert result["metric_type_accuracy"] >= 0.85, text


def test_eval_report_prints_what_the_issue_asks():
    pred = [{"doc": "x.txt", "surface": "5亿元", "value": 5e8, "unit": "CNY", "qualifier": "exact",
             "metric_type": "funding", "value_high": None}]
    text = format_metrics_report(evaluate_metrics(pred, RULES), verbose=True)
    for needle in ("P=", "R=", "F1=", "qualifier=", "value_high=", "metric_type=", "per unit:", "misses (",
                   "extras (", "metric_type errors ("):
        assert needle in text
