"""Mojibake runs: built here by misaligning GBK bytes ourselves, then found and repaired."""

import pytest
from linear_work import assert_linear_work

from aid_pipeline.text.convert import to_simplified
from aid_pipeline.text.mojibake import LOST, find_corrupt_spans, realign_gbk


def _garble(prefix: str, lost: str, body: str, tail: str = "") -> str:
    """Simulate the corruption: the lead byte of ``lost`` becomes '?', the rest is read one byte late."""
    data = lost.encode("gbk")[1:] + body.encode("gbk") + tail.encode("ascii")
    # decode pairs; an odd last byte is shown as '?'
    out, i = [], 0
    while i + 1 < len(data):
        out.append(data[i : i + 2].decode("gbk"))
        i += 2
    if i < len(data):
        out.append("?")
    return prefix + "?" + "".join(out)


def test_realign_recovers_run():
    garbled = _garble("", "地", "群眾切身")[1:]  # '厝罕娗猩?'
    assert garbled.endswith("?")
    # the last character's trail byte is gone, so it comes back as LOST
    assert realign_gbk(garbled[:-1]) == "群眾切" + LOST


def test_span_with_pinyin_tail_is_found_and_repaired():
    raw = "受到" + "當(dāng)?shù)" + "厝罕娗猩砀惺艿絿" + "?guó)家援疆政策帶來的溫暖。"
    spans = find_corrupt_spans(raw)
    assert len(spans) == 1
    sp = spans[0]
    assert raw[sp.raw_start : sp.raw_end] == sp.raw
    assert sp.recovered and "群眾切身感受到" in sp.repaired
    assert "guó)" in sp.raw  # the dangling pinyin tail belongs to the span


def test_swallowed_ascii_letter_is_the_last_trail_byte():
    # 當 = ae94, 地 = b5d8, 醫 = e174 ('t'): the run '蒯t' realigns to 醫
    raw = "當(dāng)?shù)蒯t(yī)療水平"
    spans = find_corrupt_spans(raw)
    assert len(spans) == 1 and spans[0].repaired == "地醫"  # 數(shù) = 94b5 names the lost lead byte of 地


def test_clean_text_has_no_spans_even_with_question_marks():
    clean = "你去过喀什吗?我去过。投入资金(万元)?共计 5.3 亿元;(EICU)深圳(中国)"
    assert find_corrupt_spans(clean) == []


def test_clean_seeds_have_zero_spans(seeds_dir):
    for name in ("000", "001", "003"):
        path = next(seeds_dir.glob(f"{name}_*.txt"))
        assert find_corrupt_spans(path.read_text(encoding="utf-8")) == []


def test_corrupted_seeds_have_spans_and_recover_common_text(seeds_dir):
    path = next(seeds_dir.glob("004_*.txt"))
    spans = find_corrupt_spans(path.read_text(encoding="utf-8"))
    assert len(spans) >= 5
    repaired = to_simplified("".join(s.repaired or "" for s in spans))
    assert "群众" in repaired  # a common word comes back


@pytest.mark.parametrize(("unit", "suffix"), [("?", ""), ("中?", ""), ("厝罕", "?"), ("中?shù)", "")])
def test_linear_work_on_hostile_input(unit, suffix):
    assert_linear_work("aid_pipeline.text.mojibake:find_corrupt_spans", unit, suffix=suffix)
