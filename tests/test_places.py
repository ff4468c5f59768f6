"""Place lexicon: donors, donor-side cities, recipients, compounds, aliases."""

import json
from importlib import resources

import pytest

from linear_work import assert_linear_work
from aid_pipeline.text.places import (
    DONORS,
    RECIPIENTS,
    donor_of,
    donors_in,
    find_places,
    parent_of,
    recipients_in,
    recipients_of,
)


def test_donor_entities_are_the_nineteen_plus_guangzhou():
    expected = {"北京", "天津", "上海", "广东", "深圳", "江苏", "浙江", "福建", "山东", "河南", "河北", "山西",
                "辽宁", "吉林", "黑龙江", "安徽", "江西", "湖北", "湖南", "广州"}
    assert set(DONORS) == expected


def test_donors_in_order_of_first_appearance_with_city_to_province():
    assert donors_in("东营援疆指挥部与上海市援疆干部，以及山东省") == ["山东", "上海"]
    assert donors_in("湖州市援疆指挥部在阿克苏") == ["浙江"]


def test_donor_cities_that_are_donors_report_themselves():
    assert donors_in("深圳市援疆") == ["深圳"]
    assert donors_in("广州援疆工作队和广东省") == ["广州", "广东"]


def test_compounds_name_donor_and_recipient():
    assert donors_in("深喀合作") == ["深圳"]
    assert recipients_in("深喀合作") == ["喀什市"]
    assert donors_in("穗疏情谊深") == ["广州"]
    assert recipients_in("穗疏情谊深") == ["疏附县"]
    assert recipients_in("湖柯一家亲") == ["柯坪县"]
    assert donors_in("鲁疆同心") == ["山东"]


def test_single_character_aliases_never_match_alone():
    assert donors_in("粤菜和鲁菜") == []
    assert donors_in("穗") == []


def test_recipient_aliases_are_canonical():
    assert recipients_in("支持塔县人民医院") == ["塔什库尔干塔吉克自治县"]
    assert recipients_in("助力一师阿拉尔市引进项目，兵团第一师") == ["第一师"]
    assert recipients_in("疏勒的企业落户英吉沙县") == ["疏勒县", "英吉沙县"]


def test_longest_form_wins():
    assert recipients_in("喀什市人民医院") == ["喀什市"]
    assert recipients_in("喀什地区和喀什") == ["喀什地区"]
    assert recipients_in("和田县和和田市") == ["和田县", "和田市"]


def test_geographic_words_are_not_provinces():
    assert donors_in("从太湖南岸到天山南麓") == []
    assert donors_in("天山东部的绿洲") == []
    assert donors_in("社会稳定和长治久安") == []
    assert donors_in("湖南省援疆") == ["湖南"]


def test_donor_of():
    assert donor_of("疏勒县") == "山东"
    assert donor_of("湖州") == "浙江"
    assert donor_of("湖州市") == "浙江"
    assert donor_of("柯坪县") == "浙江"
    assert donor_of("塔县") == "深圳"
    assert donor_of("深圳") == "深圳"
    assert donor_of("阿勒泰地区") is None  # shared by 吉林 and 黑龙江
    assert donor_of("火星") is None


def test_recipients_of_and_parent():
    assert set(recipients_of("深圳")) == {"喀什市", "塔什库尔干塔吉克自治县"}
    assert "疏附县" in recipients_of("广州")
    assert {"疏勒县", "英吉沙县", "岳普湖县", "麦盖提县", "喀什地区"} <= set(recipients_of("山东"))
    assert "柯坪县" in recipients_of("湖州")
    assert parent_of("疏勒县") == "喀什地区"
    assert parent_of("塔县") == "喀什地区"


def test_find_places_spans():
    text = "东营援疆指挥部在疏勒县"
    ms = find_places(text)
    assert [(m.surface, m.donor, m.recipient) for m in ms] == [("东营", "山东", None), ("疏勒县", None, "疏勒县")]
    assert all(text[m.start:m.end] == m.surface for m in ms)
    assert ms[0].donor_city == "东营"


def test_lexicon_integrity():
    data = json.loads(resources.files("aid_pipeline.data").joinpath("places.json").read_text(encoding="utf-8"))
    for name, r in data["recipients"].items():
        assert r["donors"], name
        assert all(d in DONORS for d in r["donors"]), name
        if "parent" in r:
            assert r["parent"] in RECIPIENTS, name
    for d in DONORS:
        assert recipients_of(d), d
    for form, c in data["compounds"].items():
        assert c["donor"] in DONORS and (c["recipient"] is None or c["recipient"] in RECIPIENTS), form


@pytest.mark.parametrize("unit", ["1", "(", "余", "(a)", "喀什", "湖南"])
def test_linear_work(unit):
    assert_linear_work(["aid_pipeline.text.places:donors_in", "aid_pipeline.text.places:recipients_in"], unit)


def test_province_of_a_donor_city():
    from aid_pipeline.text.places import province_of

    assert province_of("深圳") == "广东"
    assert province_of("山东") is None
