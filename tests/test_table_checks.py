"""The table checks fail, naming the report or metric, when the data breaks their rule."""

import pandas as pd

from aid_pipeline.warehouse import io
from aid_pipeline.orchestration.asset_checks import metrics_trace_to_text, texts_are_simplified
from aid_pipeline.orchestration.resources import PipelineSettings


def _texts(wh, texts: dict[str, tuple[str, str]]):
    rows = [{"report_id": rid, "text": t, "raw_text": raw, "offsets": list(range(len(t)))} for rid, (t, raw) in texts.items()]
    io.write_frame(pd.DataFrame(rows), io.table_path(wh, "texts"), "texts")


def test_texts_are_simplified_names_the_reports_left_traditional_or_with_pinyin(tmp_path):
    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    _texts(tmp_path, {"ok": ("投入资金", "投入資金"), "trad": ("投入資金", "投入資金"), "pinyin": ("润(rùn)泽", "潤(rùn)澤")})
    result = texts_are_simplified(settings)
    assert not result.passed
    assert result.metadata["reports_failing"].value == 2
    failures = result.metadata["failures"].value
    assert "trad" in failures and "資" in failures and "pinyin" in failures and "| ok " not in failures

    _texts(tmp_path, {"ok": ("投入资金", "投入資金")})
    assert texts_are_simplified(settings).passed


def test_metrics_trace_to_text_names_a_metric_whose_offsets_are_wrong(tmp_path):
    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    _texts(tmp_path, {"r": ("投入6423万元。", "投入 6423 萬元。")})
    metrics = pd.DataFrame(
        [
            {"report_id": "r", "metric_id": "r:m1", "surface": "6423万元", "start": 2, "end": 8, "raw_start": 3, "raw_end": 10},
            {"report_id": "r", "metric_id": "r:m2", "surface": "6423万元", "start": 2, "end": 8, "raw_start": 0, "raw_end": 4},
        ]
    )
    io.write_frame(metrics, io.table_path(tmp_path, "metrics"), "metrics")
    result = metrics_trace_to_text(settings)
    assert not result.passed
    assert result.metadata["metrics_failing"].value == 1
    assert "r:m2" in result.metadata["failures"].value and "r:m1" not in result.metadata["failures"].value


def test_metrics_trace_to_text_checks_each_report_against_its_own_text(tmp_path):
    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    _texts(tmp_path, {"a": ("投入6423万元。", "投入 6423 萬元。"), "b": ("新建学校3所。", "新建學校3所。")})
    rows = [
        # b's figure with a's offsets: right in a, wrong in b
        {"report_id": "a", "metric_id": "a:m1", "surface": "6423万元", "start": 2, "end": 8, "raw_start": 3, "raw_end": 10},
        {"report_id": "b", "metric_id": "b:m1", "surface": "3所", "start": 4, "end": 6, "raw_start": 4, "raw_end": 6},
        {"report_id": "b", "metric_id": "b:m2", "surface": "6423万元", "start": 2, "end": 8, "raw_start": 3, "raw_end": 10},
        {"report_id": "gone", "metric_id": "gone:m1", "surface": "3所", "start": 0, "end": 2, "raw_start": 0, "raw_end": 2},
    ]
    io.write_frame(pd.DataFrame(rows), io.table_path(tmp_path, "metrics"), "metrics")
    result = metrics_trace_to_text(settings)
    failures = result.metadata["failures"].value
    assert result.metadata["metrics_failing"].value == 2
    assert "b:m2" in failures and "gone:m1" in failures and "report missing" in failures
    assert "a:m1" not in failures and "b:m1" not in failures


def test_texts_schema_check_finds_offsets_that_do_not_cover_the_text(tmp_path):
    from aid_pipeline.orchestration.asset_checks import schema_checks

    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    texts_schema = next(c for c in schema_checks if "texts_schema" in str(c.check_specs_by_output_name))
    rows = [
        {"report_id": "ok", "text": "投入资金", "raw_text": "投入資金", "offsets": [0, 1, 2, 3], "offset_ends": [1, 2, 3, 4]},
        {"report_id": "short", "text": "投入资金", "raw_text": "投入資金", "offsets": [0, 1], "offset_ends": [1, 2]},
        {"report_id": "outside", "text": "资金", "raw_text": "資金", "offsets": [0, 1], "offset_ends": [1, 9]},
    ]
    io.write_frame(pd.DataFrame(rows), io.table_path(tmp_path, "texts"), "texts")
    result = texts_schema(settings)
    assert not result.passed
    assert result.metadata["rows_failing"].value == 2
    assert sorted(result.metadata["failing_reports"].value) == ["outside", "short"]

    io.write_frame(pd.DataFrame(rows[:1]), io.table_path(tmp_path, "texts"), "texts")
    assert texts_schema(settings).passed


def test_list_helpers_agree_on_arrow_and_numpy_columns():
    import numpy as np
    import pyarrow as pa

    from aid_pipeline.contract.schemas import list_lengths, list_maxima

    values = [[1, 7], [], None, [5], [2, 9, 3]]
    arrow = pa.array(values, type=pa.list_(pa.int32()))
    for arr in (arrow, arrow.slice(1), pa.chunked_array([arrow.slice(0, 2), arrow.slice(2)])):
        s = pd.Series(pd.arrays.ArrowExtensionArray(arr))
        expected = [v for v in values][len(values) - len(s):]
        assert list_lengths(s).tolist() == [len(v or []) for v in expected]
        assert list_maxima(s).tolist() == [max(v) if v else 0 for v in expected]
    numpy_col = pd.Series([np.array(v) for v in ([1, 7], [], [5])], dtype=object)
    assert list_lengths(numpy_col).tolist() == [2, 0, 1]
    assert list_maxima(numpy_col).tolist() == [7, 0, 5]


def test_texts_are_simplified_looks_inside_every_chunk(tmp_path):
    """Texts are converted a chunk at a time; a Traditional report in a later chunk is still named."""
    import pyarrow as pa

    from aid_pipeline.orchestration.asset_checks import _unsimplified_candidates

    ids = [f"r{i}" for i in range(7)]
    bodies = ["投入资金"] * 7
    bodies[5] = "投入資金"
    texts = pa.table({"report_id": ids, "text": bodies})
    candidates = dict(_unsimplified_candidates(texts, chunk=2))
    assert "r5" in candidates and set(candidates) <= {"r4", "r5"}  # only r5's chunk is looked at

    settings = PipelineSettings(inbox=str(tmp_path), warehouse=str(tmp_path))
    _texts(tmp_path, {rid: (body, body) for rid, body in zip(ids, bodies)})
    result = texts_are_simplified(settings)
    assert not result.passed and result.metadata["reports_failing"].value == 1
