"""Number grammar: Arabic, Chinese, mixed numerals, multipliers, ranges, percents."""


import pytest

from linear_work import assert_linear_work
from aid_pipeline.text.numbers import parse_chinese, parse_number, scan_numbers


@pytest.mark.parametrize(
    "s, expected",
    [
        ("2,300万", 23_000_000),
        ("６４２３", 6423),
        ("6423 万", 64_230_000),
        ("三千万", 30_000_000),
        ("一百二十", 120),
        ("两", 2),
        ("十余", 10),
        ("1.6万", 16_000),
        ("2.5万", 25_000),
        ("4.6亿", 460_000_000),
        ("1.1807亿", 118_070_000),
        ("420余万", 4_200_000),
        ("9万余", 90_000),
        ("百分之四十", 40),
        ("97.8%", 97.8),
        ("亿", 100_000_000),
        ("一万二千", 12_000),
        ("三亿五千万", 350_000_000),
        ("十二", 12),
        ("二十", 20),
        ("３.５", 3.5),
    ],
)
def test_parse_number(s, expected):
    assert parse_number(s) == pytest.approx(expected)


@pytest.mark.parametrize("s", ["", "abc", "元", "1-2", "援疆"])
def test_parse_number_rejects_non_numbers(s):
    assert parse_number(s) is None


def test_chinese_digit_run_reads_digit_by_digit():
    assert parse_chinese("二〇二三") == 2023
    assert parse_chinese("零") == 0


def _one(text):
    toks = scan_numbers(text)
    assert len(toks) == 1, toks
    return toks[0]


@pytest.mark.parametrize(
    "text, value, high",
    [("10-15个", 10, 15), ("3至5名", 3, 5), ("7—10家", 7, 10), ("三至五名", 3, 5), ("10-20万元", 1e5, 2e5),
     ("1万-2万元", 1e4, 2e4), ("5~8人", 5, 8)],
)
def test_ranges(text, value, high):
    t = _one(text)
    assert (t.value, t.value_high) == (pytest.approx(value), pytest.approx(high))


def test_multiplier_applied_once_and_inner_qualifier():
    t = _one("投入420余万元")
    assert t.value == 4_200_000 and t.inner_qualifier == "at_least"
    t = _one("覆盖 6.1 万多户")
    assert t.value == pytest.approx(61_000) and t.inner_qualifier == "at_least"
    assert _one("突破10.1\u00a0亿元").value == pytest.approx(1_010_000_000)


def test_dates_and_times_do_not_yield_spurious_pieces():
    # the pieces after a date/time separator are not separate numbers
    assert [t.value for t in scan_numbers("2025-04-13")] == []
    assert all(t.value != 32 for t in scan_numbers("19:32:21"))


def test_bare_multiplier_flag():
    assert _one("近万人次").bare_multiplier
    assert not _one("十余家").bare_multiplier
    assert _one("两所").lone == "两"


@pytest.mark.parametrize("unit", ["1", "(", "余", "(a)", "1,", "1-", "一"])
def test_scanner_is_linear(unit):
    assert_linear_work("aid_pipeline.text.numbers:scan_numbers", unit)


def test_traditional_and_fullwidth_forms():
    assert parse_number("5.3億") == pytest.approx(5.3e8)
    assert parse_number("兩萬") == 20_000
    assert parse_number("１,２００") == 1200


@pytest.mark.parametrize("text, value", [
    ("投入1 200万元", 12_000_000),        # a space groups thousands, as many pages print them
    ("培训1\u2009860人次", 1_860),         # thin space
    ("惠及1\u00a0036名", 1_036),           # no-break space
    ("累计1 200 300元", 1_200_300),
])
def test_space_between_thousands_groups_is_one_number(text, value):
    t = _one(text)
    assert t.value == value and " " not in text[:t.start]


@pytest.mark.parametrize("text, values", [
    ("2019 300万元", [2019, 3_000_000]),   # four digits before the space: a year and a figure, not 2,019,300
    ("第1 20个", [1, 20]),                 # the group after the space must be three digits
    ("1 2000元", [1, 2000]),
])
def test_space_that_is_not_a_thousands_separator_splits(text, values):
    assert [t.value for t in scan_numbers(text)] == values


@pytest.mark.parametrize("unit", ["1 ", "1 000", "12 3"])
def test_space_grouped_numbers_are_linear(unit):
    assert_linear_work("aid_pipeline.text.numbers:scan_numbers", unit)
