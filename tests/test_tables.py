import pandas as pd

from aid_pipeline import tables


def metrics_frame():
    return pd.DataFrame(
        {
            "report_id": ["a", "a", "b", "b"],
            "donor": ["山东", "山东", "山东", None],
            "recipient": ["疏勒县", "疏勒县", "疏勒县", None],
            "year": [2023, 2023, 2023, None],
            "metric_type": ["funding", "funding", "funding", "personnel"],
            "unit": ["CNY", "CNY", "CNY", "person"],
            "value": [1e6, 2e6, 5e5, 30.0],
            "category": ["health", "health", "education", "talent"],
        }
    )


def test_funding_sums_cny_by_donor_recipient_year_type():
    out = tables.funding_by_donor_year(metrics_frame())
    assert len(out) == 1
    row = out.iloc[0]
    assert (row["donor"], row["recipient"], row["year"], row["metric_type"]) == ("山东", "疏勒县", 2023, "funding")
    assert row["value_cny"] == 3.5e6 and row["n_mentions"] == 3 and row["n_reports"] == 2


def test_metrics_by_category_counts_every_mention():
    out = tables.metrics_by_category(metrics_frame())
    assert out["n_mentions"].sum() == 4
    assert set(out["category"]) == {"health", "education", "talent"}


def test_report_summary_totals():
    reports = pd.DataFrame(
        {"report_id": ["a", "b"], "title": ["t", None], "publish_date": [None, None], "donor": ["山东", None],
         "n_sections": [2, 1], "n_metrics": [2, 2], "n_corrupt_spans": [0, 1]}
    )
    out = tables.report_summary(reports, metrics_frame()).set_index("report_id")
    assert out.loc["a", "funding_cny"] == 3e6
    assert out.loc["b", "people"] == 30.0
