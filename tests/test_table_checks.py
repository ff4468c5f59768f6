"""The table checks fail, naming the report or metric, when the data breaks their rule."""

import pandas as pd

from aid_pipeline import io
from aid_pipeline.checks.asset_checks import metrics_trace_to_text, texts_are_simplified
from aid_pipeline.resources import PipelineSettings


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
