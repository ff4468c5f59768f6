"""The pandera models reject what a user would call bad data, and name the rows."""

import pandas as pd
import pandera.errors
import pytest

from aid_pipeline.contract.schemas import Metrics, NormalisedReports, failure_report_ids


def metric_row(**over):
    row = {
        "report_id": "r1", "metric_id": "r1:m0000", "section_id": "r1:s000", "sentence": "投入5亿元。",
        "surface": "5亿元", "start": 2, "end": 5, "raw_start": 2, "raw_end": 5, "value": 5e8, "value_high": None,
        "unit": "CNY", "qualifier": "exact", "metric_type": "funding", "category": "industry",
        "donor": "山东", "recipient": None, "year": 2023,
        "period": "year", "period_start": 2023, "period_end": 2023, "part_of": None, "scope": "aid",
        "donor_province": "山东",
    }
    row.update(over)
    return row


def test_a_good_metric_row_passes():
    Metrics.validate(pd.DataFrame([metric_row()]), lazy=True)


@pytest.mark.parametrize(
    "bad",
    [
        {"unit": "dollars"},
        {"value": -1.0},
        {"qualifier": "maybe"},
        {"end": 9},  # surface no longer spans end - start characters
        {"metric_type": "facilities"},  # money typed as a count
        {"value_high": 1.0},  # a range whose high end is below its value, and not qualified 'range'
        {"year": 1200},
        {"period": "sometime"},
        {"scope": "global"},
        {"period_start": 2024, "period_end": 2021},  # a period that ends before it starts
        {"part_of": "r2:m0009"},  # a whole that is not there
        {"scope": "context"},  # a context figure (a region's GDP) with a donor
    ],
)
def test_bad_metric_rows_fail_and_are_named(bad):
    df = pd.DataFrame([metric_row(), metric_row(report_id="r2", metric_id="r2:m0000", **bad)])
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        Metrics.validate(df, lazy=True)
    assert failure_report_ids(df, err.value) == {"r2"}


def test_a_part_larger_than_its_whole_fails():
    whole = metric_row(report_id="r2", metric_id="r2:m0000", value=1e8)
    part = metric_row(report_id="r2", metric_id="r2:m0001", value=3e8, part_of="r2:m0000")
    df = pd.DataFrame([metric_row(), whole, part])
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        Metrics.validate(df, lazy=True)
    assert failure_report_ids(df, err.value) == {"r2"}
    Metrics.validate(pd.DataFrame([metric_row(), whole, dict(part, value=6e7)]), lazy=True)  # within it: fine


def test_pinyin_left_in_normalised_text_fails():
    df = pd.DataFrame(
        [{"report_id": "r", "text": "珠水潤(rùn)天山", "offsets": list(range(11)), "offset_ends": list(range(1, 12)),
          "script": "traditional", "n_chars": 11, "n_chars_raw": 11, "n_corrupt_spans": 0,
          "title": None, "source": None, "donor": None}]
    )
    with pytest.raises(pandera.errors.SchemaErrors):
        NormalisedReports.validate(df, lazy=True)


def _as_stored(rows: list[dict], stage: str) -> pd.DataFrame:
    """Rows as the stage runner validates them: typed by the stage's Arrow schema, text Arrow-backed."""
    from aid_pipeline.warehouse import io

    return io.rows_to_arrow(rows, io.SCHEMAS[stage]).to_pandas(types_mapper=io._arrow_types_mapper)


def test_stored_metric_rows_are_checked_like_the_model():
    from aid_pipeline.runner.stage_runner import stored_rows_schema

    stored_rows_schema("report_metrics").validate(_as_stored([metric_row()], "report_metrics"), lazy=True)


@pytest.mark.parametrize("bad", [{"unit": "dollars"}, {"value": -1.0}, {"qualifier": "maybe"}, {"end": 9},
                                 {"metric_type": "facilities"}, {"value_high": 1.0}, {"year": 1200}])
def test_stored_bad_metric_rows_fail_and_are_named(bad):
    from aid_pipeline.runner.stage_runner import stored_rows_schema

    df = _as_stored([metric_row(), metric_row(report_id="r2", metric_id="r2:m0000", **bad)], "report_metrics")
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        stored_rows_schema("report_metrics").validate(df, lazy=True)
    assert failure_report_ids(df, err.value) == {"r2"}


def test_stored_normalised_rows_with_pinyin_left_fail_and_clean_ones_pass():
    """The pinyin rule runs on Arrow-backed text (RE2), which reads the pattern like Python's re."""
    from aid_pipeline.runner.stage_runner import stored_rows_schema

    def row(rid, text):
        n = len(text)
        return {"report_id": rid, "text": text, "offsets": list(range(n)), "offset_ends": list(range(1, n + 1)),
                "script": "traditional", "n_chars": n, "n_chars_raw": n, "n_corrupt_spans": 0}

    df = _as_stored([row("clean", "珠水润天山"), row("left", "珠水潤(rùn)天山"), row("latin", "EICU(rùn)")], "normalised_reports")
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        stored_rows_schema("normalised_reports").validate(df, lazy=True)
    assert failure_report_ids(df, err.value) == {"left"}
