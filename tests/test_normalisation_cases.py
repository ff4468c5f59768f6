"""The normalisation cases of tests/data/normalisation_cases.json (written by hand, as ftfy's are): each raw text
normalises to what a reader expects, only the named steps change it, and the edits explain every change."""

import json
from pathlib import Path

import pytest

from aid_pipeline.text.normalise import NORMALISATION_STEPS, edits_at, normalise, normalise_and_explain

CASES = json.loads((Path(__file__).parent / "data" / "normalisation_cases.json").read_text(encoding="utf-8"))["cases"]


def _replay(raw, edits):
    """Apply the edits step after step, each step's edits (offsets into the text that step read) from the back,
    checking that each edit's ``before`` is what stands there."""
    text = raw
    i = 0
    while i < len(edits):
        j = i
        while j < len(edits) and edits[j].step == edits[i].step:
            j += 1
        for ed in sorted(edits[i:j], key=lambda x: x.start, reverse=True):
            assert text[ed.start:ed.end] == ed.before, ed
            text = text[:ed.start] + ed.after + text[ed.end:]
        i = j
    return text


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_case_normalises_as_a_reader_expects(case):
    norm = normalise(case["raw"], page=case.get("page", False))
    assert norm.text == case["normalised"], case["expect"]
    assert {e.step for e in norm.edits} == set(case["steps"]), case["expect"]


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_edits_explain_the_change(case):
    raw = case["raw"]
    norm, edits = normalise_and_explain(raw, page=case.get("page", False))
    assert _replay(raw, edits) == norm.text == case["normalised"]
    assert [e.step for e in edits] == [e.step for e in norm.edits]  # the same edits, in raw offsets
    # every normalised character maps back to raw characters; one that differs from them was changed by an edit
    assert len(norm.starts) == len(norm.ends) == len(norm.text)
    assert all(a <= b for a, b in zip(norm.starts, norm.starts[1:]))
    for i, c in enumerate(norm.text):
        a, b = norm.starts[i], norm.ends[i]
        assert 0 <= a <= b <= len(raw)
        if raw[a:b] != c:
            assert edits_at(norm, i), (i, c, raw[a:b])
    for ed in norm.edits:  # each edit's raw span holds raw characters (or is an insertion point)
        assert 0 <= ed.raw_start <= ed.raw_end <= len(raw)


def test_every_step_has_a_case():
    covered = {s for c in CASES for s in c["steps"]}
    assert {s.name for s in NORMALISATION_STEPS} <= covered
    assert len(CASES) >= 30


def test_steps_listed_once_in_order_with_a_doc():
    names = [s.name for s in NORMALISATION_STEPS]
    assert len(names) == len(set(names))
    assert names[0] == "mojibake" and names[-1] == "chrome_lines"  # repairs on the raw text; chrome on whole lines
    assert all(s.doc for s in NORMALISATION_STEPS)
    # each step function has a docstring in the source (the mypyc-compiled build drops ``__doc__``)
    import ast
    import aid_pipeline.text as text_pkg
    from pathlib import Path

    tree = ast.parse((Path(text_pkg.__file__).parent / "normalise.py").read_text(encoding="utf-8"))
    documented = {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and ast.get_docstring(n)}
    assert {s.function.__name__ for s in NORMALISATION_STEPS} <= documented


def test_a_user_sees_which_steps_touched_a_character():
    norm = normalise("潤(rùn)疆,,投入 6423 萬元")
    assert norm.text == "润疆，投入6423万元"
    assert [e.step for e in edits_at(norm, 0)] == ["traditional"]  # 润 was 潤
    assert [e.step for e in edits_at(norm, 2)] == ["ascii_punct", "ascii_punct", "punct_runs"]  # ，was ,,
    assert edits_at(norm, 5) == []  # 6 is as it was
    assert [(e.raw_start, e.raw_end, e.before) for e in norm.edits if e.step == "pinyin"] == [(1, 6, "(rùn)")]


def test_counters_are_counted_from_the_edits():
    norm = normalise("潤(rùn)疆,,投入 6423 萬元")
    assert norm.stats["traditional_converted"] == 2  # 潤, 萬
    # a phrase is one edit; its unchanged characters were not touched
    phrase = normalise("網絡援疆資金")
    assert [(e.before, e.after) for e in phrase.edits] == [("網絡援疆資", "网络援疆资")]
    assert phrase.stats["traditional_converted"] == 3
    assert [e.step for e in edits_at(phrase, 2)] == []  # 援 was 援
    assert norm.stats["pinyin_removed"] == 1
    assert norm.stats["punct_collapsed"] == 1
    assert norm.stats["spaces_removed"] == 2


def test_edits_table_shows_which_steps_touched_a_character(pipeline_run):
    import duckdb

    wh = pipeline_run["warehouse"]
    con = duckdb.connect()
    texts = con.execute(f"select report_id, raw_text, text, offsets, offset_ends from '{wh}/texts.parquet'").df()
    row = next(r for r in texts.itertuples() if "塔孜洪乡卫生院" in r.text)  # seed 002: 塔孜洪鄉(xiāng)衛(wèi)生院
    i = row.text.index("塔孜洪乡卫生院") + 3  # 乡
    lo, hi = int(row.offsets[i]), int(row.offset_ends[i])
    assert row.raw_text[lo:hi] == "鄉"
    steps = con.execute(
        f"select step, raw_start, before, after from '{wh}/edits.parquet' where report_id = ? and raw_start < ? and ? < raw_end "
        "order by ordinal", [row.report_id, hi, lo]).fetchall()
    assert [s for s, *_ in steps] == ["traditional"]  # a phrase converted at once: 鄉 is one of its characters
    _, start, before, after = steps[0]
    assert (before[lo - start], after[lo - start]) == ("鄉", "乡")
    after = con.execute(  # the annotation right after it went in the pinyin step
        f"select step, before from '{wh}/edits.parquet' where report_id = ? and raw_start = ?", [row.report_id, hi]).fetchall()
    assert ("pinyin", "(xiāng)") in after
    # the counters of reports are counts of the edits
    counts = con.execute(
        f"select r.report_id, r.n_pinyin_removed, (select count(*) from '{wh}/edits.parquet' e "
        f"where e.report_id = r.report_id and e.step = 'pinyin') from '{wh}/reports.parquet' r").fetchall()
    assert counts and all(n == m for _, n, m in counts)
    assert any(n > 0 for _, n, _ in counts)


@pytest.mark.parametrize("case", CASES, ids=[c["label"] for c in CASES])
def test_counters_recount_from_the_listed_edits(case):
    from aid_pipeline.text.normalise import _stats

    norm = normalise(case["raw"], page=case.get("page", False))
    assert _stats(norm.edits) == norm.stats


def test_a_step_can_be_switched_off_to_see_what_it_does():
    norm, edits = normalise_and_explain("潤(rùn)疆,,投入", skip=frozenset({"traditional", "punct_runs"}))
    assert norm.text == "潤疆，，投入"  # still Traditional, the two commas full-width but not collapsed
    assert {e.step for e in edits} == {"pinyin", "ascii_punct"}


def test_the_edit_log_reads_as_textedits_and_as_table_rows():
    import pickle

    from aid_pipeline.text.types import EditLog, TextEdit

    norm = normalise("潤(rùn)疆,,投入")
    log = norm.edits
    assert isinstance(log, EditLog)
    # 潤(rùn)疆,,投入: the annotation goes, the two commas turn full-width and collapse to one, 潤 is converted
    assert [(e.step, e.raw_start, e.raw_end, e.before, e.after) for e in log] == [
        ("pinyin", 1, 6, "(rùn)", ""), ("traditional", 0, 1, "潤", "润"),
        ("ascii_punct", 7, 8, ",", "，"), ("ascii_punct", 8, 9, ",", "，"), ("punct_runs", 7, 9, "，，", "，")]
    assert log[0] == TextEdit("pinyin", 1, 6, "(rùn)", "") and len(log) == 5
    assert log.rows()[1] == ("traditional", 0, 1, "潤", "润") and type(log.rows()[1]) is tuple
    assert pickle.loads(pickle.dumps(log)) == log == list(log)


def test_a_traditional_phrase_is_cut_where_an_annotation_was_removed():
    # 鄉(xiāng)衛生院: the annotation between 鄉 and 衛 is gone, so their raw characters are not next to each other;
    # 鄉 and 衛 are two edits, each over raw characters that are next to each other
    norm = normalise("塔孜洪鄉(xiāng)衛生院")
    assert norm.text == "塔孜洪乡卫生院"
    assert [(e.raw_start, e.raw_end, e.before, e.after) for e in norm.edits if e.step == "traditional"] == [
        (3, 4, "鄉", "乡"), (11, 12, "衛", "卫")]
    assert norm.stats["traditional_converted"] == 2


def test_a_step_returns_columns_and_explains_them_on_request():
    from aid_pipeline.text.normalise import Edit, StepEdits, pinyin_annotations

    found = pinyin_annotations("潤(rùn)疆(jiāng)")
    assert isinstance(found, StepEdits)
    assert (found.starts, found.ends, found.afters) == ([1, 7], [6, 14], ["", ""])  # 潤 0, (rùn) 1-5, 疆 6, (jiāng) 7-13
    assert found.edits() == [Edit("pinyin", 1, 6, "(rùn)", ""), Edit("pinyin", 7, 14, "(jiāng)", "")]
