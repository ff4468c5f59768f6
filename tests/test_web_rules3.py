"""Issue 13, third round: phrasing of real 对口援疆 web pages that tests/data/web_dev and web_dev2 did not cover.

The sentences are written here in the style of real pages (no page text copied); the expected rows are read off
the text by hand with /work/shared/gold/GUIDE.md. The set tests/data/web_dev3 (14 reports) holds them in context.
"""

from pathlib import Path

import pytest

from aid_pipeline.text.metrics import find_mentions, metric_tuples

WEB_DEV3 = Path(__file__).resolve().parent / "data" / "web_dev3"


def rows(sentence):
    return [(m.surface, m.value, m.value_high, m.unit, m.qualifier) for m in find_mentions(sentence)]


def units_in_text(text):
    """(surface, unit) of every figure of a one-section text, sentences split as the pipeline splits them."""
    return [(text[a:b], unit) for a, b, _v, _vh, unit, *_ in metric_tuples(text, [("body", 0, len(text), [])],
                                                                           None, [], None)]


# --- money written without 元 ---------------------------------------------------------------------------------

def test_money_without_yuan_after_a_money_noun_even_before_de():
    # GUIDE: money -> CNY; 118亿 is money (援助资金), not a bare count
    assert rows("占全年计划援助资金118亿的64.7%。") == [
        ("118亿", 118e8, None, "CNY", "exact"), ("64.7%", 64.7, None, "percent", "exact")]
    assert rows("协议投资3亿的项目落地") == [("3亿", 3e8, None, "CNY", "exact")]


# --- counts whose noun is in a clause before a ； -------------------------------------------------------------

def test_a_count_after_a_semicolon_counts_projects_when_the_clauses_before_did():
    text = "今年安排项目148个，已开工146个，开工率98.6%；已完工97个。"
    assert units_in_text(text) == [("148个", "project"), ("146个", "project"), ("98.6%", "percent"),
                                   ("97个", "project")]


def test_a_semicolon_carries_nothing_when_no_project_was_counted():
    assert units_in_text("建成学校5个；新增岗位300个。") == [("5个", "item"), ("300个", "item")]
    # a count with its own noun after the ； is not elliptical
    assert units_in_text("新建项目12个；村里有卫生室5个。") == [("12个", "project"), ("5个", "item")]


# --- place names holding a numeral ------------------------------------------------------------------------------

def test_a_place_name_with_a_numeral_is_not_a_count():
    assert rows("山西援疆助力第六师五家渠市高质量发展") == []
    assert rows("援建的五家渠市第一中学可容纳学生2400人") == [("2400人", 2400, None, "person", "exact")]


# --- a qualifier before 占 ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("sentence, expected", [
    ("约占当地同期游客消费总额的三分之二。", [("三分之二", 66.666667, None, "percent", "approx")]),
    ("大约占全县的40%", [("40%", 40, None, "percent", "approx")]),
    ("占总额的三分之二", [("三分之二", 66.666667, None, "percent", "exact")]),
])
def test_a_qualifier_before_zhan_qualifies_the_share(sentence, expected):
    got = [(s, round(v, 6), vh, u, q) for s, v, vh, u, q in rows(sentence)]
    assert got == expected
