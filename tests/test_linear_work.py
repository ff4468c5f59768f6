"""Issue 16, item 11: the metric stage's work is linear in the figures of one sentence and in the sections.

Measured without clocks: memory by tracemalloc (with a bound far above the linear need and far below the
quadratic one) and work by counting how often the section list is walked.
"""

import random
import tracemalloc

import pytest

from aid_pipeline.runner import stages
from aid_pipeline.warehouse.inbox import InboxFile
from aid_pipeline.text.metrics import SENTENCE_MAX_CHARS, figure_context


def _stage_rows(tmp_path, text):
    p = tmp_path / "long.txt"
    p.write_text(text, encoding="utf-8")
    norm = stages.normalise_report(stages.read_raw(InboxFile(p, "long", "long")))
    secs = stages.section_report(norm)
    tracemalloc.start()
    try:
        rows = stages.extract_report_metrics(norm, secs)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return norm, rows, peak


def test_many_figures_in_one_sentence_take_linear_memory(tmp_path):
    # 4,000 figures in one 40,000-character sentence (no sentence end): each row carried the whole sentence,
    # 4,000 x 40,000 characters (a 260 MB peak here; a 450 KB page ran out of 4 GB); its context is bounded now
    clauses = "".join(f"第{i}批投入资金{i}万元，" for i in range(1, 4001))
    norm, rows, peak = _stage_rows(tmp_path, "深圳援疆工作报告\n" + clauses + "完成。\n")
    assert len(rows) == 4000
    assert peak < 40_000_000, peak
    text = norm["text"]
    for r in rows[:50] + rows[-50:]:
        assert r["surface"] in r["sentence"] and r["sentence"] in text
        assert len(r["sentence"]) <= 2 * 200 + len(r["surface"])  # whole clauses around the figure
        assert r["sentence"].startswith("第")  # starts at a clause start
    assert rows[9]["sentence"].startswith("第1批")  # near the start: back to the sentence's start


def test_figure_context_is_the_sentence_when_it_is_short():
    s = "投入资金5亿元，建成学校3所。"
    assert figure_context(s, 4, 7) == (0, len(s))
    long = "甲，" * SENTENCE_MAX_CHARS + "投入5亿元，" + "乙，" * 10
    a = long.index("5亿元")
    lo, hi = figure_context(long, a, a + 3)
    assert long[lo - 1] == "，" and long[lo:a] == "甲，" * 99 + "投入"
    assert hi == len(long)  # the sentence ends within reach
    text = "前言。" + long + "后记。"  # the same sentence inside a report: offsets in the report
    assert figure_context(text, a + 3, a + 6, 3, 3 + len(long)) == (lo + 3, hi + 3)


def test_long_sentence_keeps_its_bounds_for_the_facts():
    # the metric tuples still give the true sentence; only the stored text is the figure's stretch
    from aid_pipeline.text.metrics import metric_tuples

    text = "投入资金5亿元，" * 200 + "完成。"
    rows = metric_tuples(text, [("body", 0, len(text), [(0, len(text))])], None, [], None)
    assert len(rows) == 200 and all((r[7], r[8]) == (0, len(text)) for r in rows)


class _CountingList(list):
    """A list that counts how often it is walked from the start."""

    walks = 0

    def __iter__(self):
        type(self).walks += 1
        return super().__iter__()


def _reference_owners(spans):
    points = sorted({p for span in spans for p in span})
    owners = []
    for p in points:
        owners.append(next((i for i, (a, b) in enumerate(spans) if a <= p < b), -1))
    return points, owners


def test_section_lookup_walks_the_sections_a_fixed_number_of_times():
    # 400K characters of short sections: every bound looked at every section (53 s); now one sweep
    spans = _CountingList((i * 10, i * 10 + 10) for i in range(5000))
    _CountingList.walks = 0
    points, owners = stages._first_section_at(spans)
    assert _CountingList.walks <= 3  # not once per bound (10,001 bounds)
    assert owners[:3] == [0, 1, 2] and owners[-1] == -1 and len(points) == 5001


def test_section_lookup_gives_the_first_section_holding_each_stretch():
    rng = random.Random(7)
    for _ in range(2000):
        spans = [tuple(sorted((rng.randint(0, 30), rng.randint(0, 30)))) for _ in range(rng.randint(0, 8))]
        assert stages._first_section_at(spans) == _reference_owners(spans), spans


def test_the_line_count_check_catches_quadratic_work(tmp_path, monkeypatch):
    # the clock-free check the text tests use: a nested loop over the input fails it, a single loop passes
    from linear_work import assert_linear_work

    (tmp_path / "toy_work.py").write_text(
        "def quadratic(s):\n    for i in range(len(s) // 50):\n        for j in range(i):\n            pass\n"
        "def linear(s):\n    for c in s:\n        pass\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    assert_linear_work("toy_work:linear", "ab")
    with pytest.raises(AssertionError, match="more than linear"):
        assert_linear_work("toy_work:quadratic", "ab")
