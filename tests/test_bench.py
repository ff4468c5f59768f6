"""The benchmark's corpus generator: deterministic, varied, decodable (no timing here)."""

import collections

from aid_pipeline.bench.corpus import make_report, write_corpus
from aid_pipeline.bench.run_bench import growth_exponents
from aid_pipeline.warehouse.inbox import list_inbox
from aid_pipeline.runner.stages import read_raw
from aid_pipeline.text.convert import script_of


def test_corpus_is_deterministic_and_seeded(tmp_path):
    a = write_corpus(tmp_path / "a", 30, seed=1)
    b = write_corpus(tmp_path / "b", 30, seed=1)
    assert a == b
    for r in a:
        assert (tmp_path / "a" / r.name).read_bytes() == (tmp_path / "b" / r.name).read_bytes()
    assert make_report(3, seed=2)[1] != make_report(3, seed=1)[1]
    assert len({r.name for r in a}) == 30


def test_corpus_varies_script_encoding_and_figures(tmp_path):
    reps = write_corpus(tmp_path, 120, seed=0)
    encodings = collections.Counter(r.encoding for r in reps)
    assert {"utf-8", "utf-8-sig", "gb18030", "big5", "utf-16"} <= set(encodings)
    scripts = collections.Counter(r.script for r in reps)
    assert scripts["traditional"] > 10 and scripts["simplified"] > 50
    # the same frame (i and i+5 share a seed) with other paragraphs and figures
    assert make_report(0)[1] != make_report(5)[1]


def test_every_corpus_file_decodes_to_its_script(tmp_path):
    reps = {r.name: r for r in write_corpus(tmp_path, 40, seed=3)}
    for f in list_inbox(tmp_path):
        raw = read_raw(f)
        rep = reps[f.path.name]
        assert raw["encoding"].replace("_", "-").lower().startswith(rep.encoding.split("-sig")[0].split("-")[0])
        if rep.script == "traditional":  # converted by the generator (the others keep their seed's script)
            assert script_of(raw["raw_text"]) == "traditional"


def test_growth_exponent_is_the_log_log_slope():
    rows = [{"n_reports": 100, "run_wall_s": 10.0}, {"n_reports": 1000, "run_wall_s": 100.0}, {"n_reports": 10000, "run_wall_s": 2000.0}]
    got = {(g["from"], g["to"]): g["exponent"] for g in growth_exponents(rows)}
    assert got[(100, 1000)] == 1.0
    assert got[(1000, 10000)] == 1.301
    assert got[(100, 10000)] == 1.151


def test_bench_runs_end_to_end_and_accounts_for_the_run(tmp_path):
    """A small bench: the pipeline run and the +1 run succeed, the +1 run processes one report, and
    the CPU accounting holds together (text CPU is part of the run's CPU, both shares are fractions)."""
    from aid_pipeline.bench.run_bench import run_bench

    result = run_bench([12], json_path=str(tmp_path / "bench.json"), keep=str(tmp_path / "work"),
                       text_chars=50_000, backends=["table"])
    (row,) = result["sizes"]
    assert row["ok"] and row["incr_n_processed"] == 1 and row["n_processed"] == 12
    assert 0 < row["text_s"] < row["cpu_s"]
    assert 0 < row["non_text_cpu_share"] < 1 and 0 < row["non_text_share"] < 1
    assert (tmp_path / "bench.json").exists()


def test_hostile_inputs_are_timed_in_the_bench_not_the_suite(capsys):
    # `aid-pipeline bench --hostile` prints one line per hostile input and function; nothing is asserted on the seconds
    from aid_pipeline.bench.hostile import CASES
    from aid_pipeline.cli import main

    assert main(["bench", "--hostile", "--hostile-scale", "0.0005"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[0].split()[:4] == ["function", "input", "chars", "seconds"]
    assert len(lines) == 1 + len(CASES)
    assert any(ln.startswith("numbers.scan_numbers") for ln in lines) and any(ln.startswith("segment.segment") for ln in lines)


def test_incremental_bench_adds_changes_and_deletes_one_report_and_judges_the_floors(tmp_path):
    """The incremental section: after N reports, one added report is processed, one changed report is processed,
    a deleted one processes nothing, every run succeeds, and each floor of issue 14 gets a verdict (no timing asserted)."""
    from aid_pipeline.bench.run_bench import incremental_verdicts, run_incremental_bench

    result = run_incremental_bench([12], keep=str(tmp_path / "work"))
    (row,) = result["sizes"]
    assert row["prep_returncode"] == 0
    assert {k: (s["returncode"], s["n_processed"]) for k, s in row["steps"].items()} == {
        "add": (0, 1), "change": (0, 1), "delete": (0, 0)}
    assert set(result["verdicts"]) == {"wall_under_3s", "wall_within_1.3x", "rss_under_600mb", "rss_within_1.3x",
                                       "changed_and_deleted_cost_the_same"}
    fast = {"n_reports": 1, "steps": {k: {"wall_s": 1.0, "peak_rss_mb": 100, "peak_tree_mb": None} for k in ("add", "change", "delete")}}
    slow = {"n_reports": 2, "steps": {k: {"wall_s": 2.0, "peak_rss_mb": 700, "peak_tree_mb": None} for k in ("add", "change", "delete")}}
    got = incremental_verdicts([fast, slow])
    assert got["wall_under_3s"] and not got["wall_within_1.3x"] and not got["rss_under_600mb"]
    assert got["changed_and_deleted_cost_the_same"]



def test_warehouse_corpus_spreads_reports_over_pairs_and_years_and_restates_figures():
    """The default corpus reads like a warehouse: reports on many counterpart pairs and years (names from the
    lexicon, not the seeds' few), and two reports on one pair and year restate the same paragraphs with the same
    figures (one fact, two mentions), where the recombined corpus gives every report its own figures."""
    import json
    import re
    from pathlib import Path

    from aid_pipeline.bench.corpus import _to_pair, report_cell
    from aid_pipeline.text.decode import decode_bytes

    places = json.loads((Path(__file__).resolve().parents[1] / "aid_pipeline/data/places.json").read_text(encoding="utf-8"))
    texts = [decode_bytes(make_report(i)[1]).text for i in range(60)]
    recipients = {r for t in texts for r in places["recipients"] if r in t}
    assert len(recipients) >= 15  # the seeds name about five
    years = {int(y) for t in texts for y in re.findall(r"(20[0-9]{2})-[0-9]{2}-[0-9]{2}", t)}
    assert len(years) >= 6
    # a name of the lexicon becomes the pair's, a date year moves, a figure stays (for the figure step)
    assert _to_pair("2023年深圳市投入5.3亿元支援喀什市", "北京", "和田县", -3) == "2020年北京市投入5.3亿元支援和田县"

    # two reports of one frame (i = j mod 5; the frame of 003, a long report) on the same pair and year
    seen, twins = {}, None
    for i in range(3, 5000, 5):
        cell = (i % 5, *report_cell(i))
        if cell in seen:
            twins = seen[cell], i
            break
        seen[cell] = i
    assert twins is not None

    def figures(i, mode):  # the amounts a report states (figures before 万/亿), as a multiset
        text = decode_bytes(make_report(i, mode=mode)[1]).text
        return collections.Counter(re.findall(r"[0-9][0-9.]*[万亿]", text.translate(str.maketrans("萬億", "万亿"))))

    a, b = (figures(i, "warehouse") for i in twins)
    assert sum((a & b).values()) >= 0.5 * min(sum(a.values()), sum(b.values())) > 0
    a, b = (figures(i, "recombined") for i in twins)
    assert sum((a & b).values()) <= 0.2 * min(sum(a.values()), sum(b.values()))
