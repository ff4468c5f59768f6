"""Row-level lineage: a metric's raw span holds the characters its surface shows, modulo what normalising removes."""

from aid_pipeline.contract.lineage import fold, raw_span_matches


def test_conversion_width_and_spaces_are_folded():
    assert raw_span_matches("6423 萬元", "6423万元")
    assert raw_span_matches("１２３人", "123人")


def test_toned_and_toneless_pinyin_annotations_are_folded():
    assert raw_span_matches("420餘(yú)人", "420余人")
    assert raw_span_matches("420餘(yu)人", "420余人")  # toneless: the reading of 餘 is yu


def test_brackets_that_are_not_pinyin_stay():
    assert fold("医院(EICU)") == "医院(EICU)"
    assert not raw_span_matches("3項(a)", "3项")  # 'a' is not a reading of 項
    assert not raw_span_matches("420人", "42人")
