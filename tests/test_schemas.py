"""The pandera models reject what a user would call bad data, and name the rows."""

import pandas as pd
import pandera.errors
import pytest

from aid_pipeline.checks.schemas import Metrics, NormalisedReports, failure_report_ids


def metric_row(**over):
    row = {
        "report_id": "r1", "metric_id": "r1:m0000", "section_id": "r1:s000", "sentence": "投入5亿元。",
        "surface": "5亿元", "start": 2, "end": 5, "raw_start": 2, "raw_end": 5, "value": 5e8, "value_high": None,
        "unit": "CNY", "qualifier": "exact", "metric_type": "funding", "category": "industry",
        "donor": "山东", "recipient": None, "year": 2023,
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
    ],
)
def test_bad_metric_rows_fail_and_are_named(bad):
    df = pd.DataFrame([metric_row(), metric_row(report_id="r2", metric_id="r2:m0000", **bad)])
    with pytest.raises(pandera.errors.SchemaErrors) as err:
        Metrics.validate(df, lazy=True)
    assert failure_report_ids(df, err.value) == {"r2"}


def test_pinyin_left_in_normalised_text_fails():
    df = pd.DataFrame(
        [{"report_id": "r", "text": "珠水潤(rùn)天山", "offsets": list(range(11)), "offset_ends": list(range(1, 12)),
          "script": "traditional", "n_chars": 11, "n_chars_raw": 11, "n_corrupt_spans": 0,
          "title": None, "source": None, "donor": None}]
    )
    with pytest.raises(pandera.errors.SchemaErrors):
        NormalisedReports.validate(df, lazy=True)
