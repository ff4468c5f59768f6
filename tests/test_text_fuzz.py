"""Property-based fuzzing of the text functions: any input gives data, never an exception, and every
offset the functions return stays in range and slices what it claims to."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from aid_pipeline.runner.stages import extract_report_metrics, normalise_report, section_report
from aid_pipeline.text.normalise import normalise

# Pieces real reports are made of, including the damage they carry.
PIECES = [
    "援疆", "資金", "投入", "萬元", "億元", "亿元", "万元", "人次", "名", "个", "项", "家", "户", "%", "余", "多", "约", "近",
    "超过", "以上", "左右", "第", "十", "百", "千", "两", "三", "〇", "年", "月", "日", "-", "—", "至", "、", "，", ",", ",,",
    "。", ",。", "！", "？", "；", "：", ":", "(", ")", "（", "）", "潤(rùn)", "網(wǎng)", "(EICU)", "(中国)", "?", "當?shù)",
    "/p>", "</p>", "<br>", "&nbsp;", "\u00a0", "\u3000", " ", "\n", "\r\n", "\n\n", "１２３", "1", "2.5", "3,000", "0",
    "【编辑:某某】", "分享到:", "图为", "一、", "(一)", "【产业援疆】", "深圳", "喀什", "塔县", "山东", "疏勒县", "\ufffd",
]
texts = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=60).map("".join)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_normalise_offsets_always_in_range(raw):
    n = normalise(raw)
    assert len(n.starts) == len(n.ends) == len(n.text)
    for a, b in zip(n.starts, n.ends):
        assert 0 <= a <= b <= len(raw)


@settings(max_examples=300, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(texts)
def test_stages_never_raise_and_metric_surfaces_slice_the_text(raw):
    raw_row = {"report_id": "r", "raw_text": raw, "sha256": "0" * 64}
    try:
        norm = normalise_report(raw_row)
    except Exception as exc:  # only the documented quarantine of an empty article is allowed
        assert type(exc).__name__ == "QuarantineError", exc
        return
    sections = section_report(norm)
    text = norm["text"]
    for s in sections:
        assert 0 <= s["start"] <= s["end"] <= len(text)
        assert s["text"] == text[s["start"] : s["end"]]
    for m in extract_report_metrics(norm, sections):
        assert text[m["start"] : m["end"]] == m["surface"]
        assert 0 <= m["raw_start"] < m["raw_end"] <= len(raw)
        assert m["value"] >= 0
