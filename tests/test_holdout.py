"""Extraction quality on tests/data/holdout: reports and annotations written blind to the extractor.

These floors say how the pipeline does on reports nobody tuned it on. Do not tune rules against these
files; add new blind reports instead when the set stops being blind.
"""

from pathlib import Path

from aid_pipeline.evaluation.metrics import evaluate_metrics, format_metrics_report, predict_file

HOLDOUT = Path(__file__).resolve().parent / "data" / "holdout"


def test_holdout_metric_mentions_found_and_valued():
    rows = [r for p in sorted((HOLDOUT / "reports").glob("*.txt")) for r in predict_file(p)]
    result = evaluate_metrics(rows, HOLDOUT)
    report = format_metrics_report(result, verbose=True)
    assert result["n_gold"] >= 200
    assert result["precision"] >= 0.95, report
    assert result["recall"] >= 0.95, report
    assert result["qualifier_accuracy"] >= 0.95, report
    assert result["value_high_accuracy"] >= 0.95, report
