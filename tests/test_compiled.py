"""The text modules compiled with mypyc give exactly the rows the Python sources give, and an edited source is
never hidden behind an extension built before the edit."""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

import aid_pipeline.text as text_pkg
from aid_pipeline.text import compiled_modules

ROOT = Path(__file__).resolve().parents[1]

# every stage's rows for every report of some inboxes, pickled to stdout (run once compiled, once as Python)
STAGE_ROWS = r"""
import pickle, sys
from pathlib import Path
from aid_pipeline.bench.corpus import write_corpus
from aid_pipeline.warehouse.inbox import list_inbox
from aid_pipeline.runner.stages import QuarantineError, extract_report_metrics, normalise_report, read_raw, section_report
from aid_pipeline.text import compiled_modules

corpus = Path(sys.argv[1])
if not corpus.exists():
    write_corpus(corpus, 60, seed=11)
out = {"compiled": compiled_modules(), "rows": []}
for d in sys.argv[2:] + [str(corpus)]:
    for f in list_inbox(d):
        try:
            raw = read_raw(f)
            norm = normalise_report(raw)
        except QuarantineError as e:
            out["rows"].append((f.path.name, e.reason, e.detail))
            continue
        sections = section_report(norm)
        out["rows"].append((f.path.name, raw, norm, sections, extract_report_metrics(norm, sections)))
sys.stdout.buffer.write(pickle.dumps(out))
"""


# hostile texts: report pieces with pinyin, markup, mojibake, odd spaces, punctuation and numbers put in at
# random (seeded: the same texts in both processes); each text's stage outcome, or the error it raised
HOSTILE_ROWS = r"""
import pickle, random, sys
from pathlib import Path
from aid_pipeline.runner.stages import extract_report_metrics, normalise_report, section_report
from aid_pipeline.text import compiled_modules

rng = random.Random(7)
bases = [p.read_text(encoding="utf-8", errors="replace") for d in sys.argv[1:] for p in sorted(Path(d).glob("*.txt"))]
bits = ["?", "(rùn)", "(run)", "（shù）", "<p>", "</p>", "&nbsp;", "&#12288;", "\r\n", "\u2028", "\ufeff", "\u200b",
        "，，", ",,", "。。", " ", "\t", "\n", "\n\n", "　", "１２３", "(", ")", "?shù)", "厝罕娗猩", "\ufffd", "萬", "著",
        "12,345", "3:4", "a?b", "<br/>", "\x00", " 5 ", "5 万", "3至5", "二〇二三年", "一千二百余", "-4", "1.5亿元", "％",
        "深圳", "喀什", "(dāng dì)", "一、产业援疆\n", "【产业援疆】", "图为", "记者 张三", "2023-09-20 19:32:21 来源:中新网"]
out = {"compiled": compiled_modules(), "rows": []}
for i in range(300):
    base = rng.choice(bases)
    a = rng.randrange(len(base))
    t = list(base[a:a + rng.randrange(0, 800)])
    for _ in range(rng.randrange(0, 30)):
        t.insert(rng.randrange(len(t) + 1), rng.choice(bits))
    raw = {"report_id": f"f{i}", "raw_text": "".join(t), "sha256": None}
    try:
        norm = normalise_report(raw)
        sections = section_report(norm)
        out["rows"].append((norm, sections, extract_report_metrics(norm, sections)))
    except Exception as e:
        out["rows"].append((type(e).__name__, str(e)))
sys.stdout.buffer.write(pickle.dumps(out))
"""


def _hostile_rows(python_only: bool) -> dict:
    env = {**os.environ, "AID_PIPELINE_PURE": "1" if python_only else "0"}
    dirs = [ROOT / "seeds", ROOT / "tests/data/holdout/reports", ROOT / "tests/data/holdout2/reports"]
    proc = subprocess.run([sys.executable, "-c", HOSTILE_ROWS, *map(str, dirs)], env=env, capture_output=True, check=True)
    return pickle.loads(proc.stdout)


def _stage_rows(corpus: Path, python_only: bool) -> dict:
    env = {**os.environ, "AID_PIPELINE_PURE": "1" if python_only else "0"}
    dirs = [ROOT / "seeds", ROOT / "tests/data/holdout/reports", ROOT / "tests/data/holdout2/reports",
            ROOT / "tests/data/rules", ROOT / "tests/data/metrics_rules"]
    proc = subprocess.run([sys.executable, "-c", STAGE_ROWS, str(corpus), *map(str, dirs)], env=env,
                          capture_output=True, check=True)
    return pickle.loads(proc.stdout)


@pytest.mark.skipif(not compiled_modules(), reason="the text modules run as Python here (no compiled build)")
def test_compiled_text_modules_give_the_rows_the_python_sources_give(tmp_path):
    compiled = _stage_rows(tmp_path / "corpus", python_only=False)
    python = _stage_rows(tmp_path / "corpus", python_only=True)
    assert compiled["compiled"] and "normalise" in compiled["compiled"] and "metrics" in compiled["compiled"]
    assert python["compiled"] == []
    assert len(compiled["rows"]) > 90  # seeds, holdouts, rule reports and the synthetic corpus
    for got, want in zip(compiled["rows"], python["rows"], strict=True):
        assert got == want, got[0]


@pytest.mark.skipif(not compiled_modules(), reason="the text modules run as Python here (no compiled build)")
def test_compiled_and_python_agree_on_hostile_text_including_what_raises():
    compiled, python = _hostile_rows(python_only=False), _hostile_rows(python_only=True)
    assert compiled["compiled"] and python["compiled"] == []
    assert len(compiled["rows"]) == 300
    for i, (got, want) in enumerate(zip(compiled["rows"], python["rows"], strict=True)):
        assert got == want, i


def test_an_edited_source_is_found_stale(tmp_path, monkeypatch):
    (tmp_path / "normalise.py").write_text("x = 1\n")
    (tmp_path / "segment.py").write_text("y = 2\n")
    sha = {n: hashlib.sha256((tmp_path / f"{n}.py").read_bytes()).hexdigest() for n in ("normalise", "segment")}
    (tmp_path / "compiled_sources.json").write_text(json.dumps(sha))
    monkeypatch.setattr(text_pkg, "_HERE", tmp_path)
    monkeypatch.setattr(text_pkg, "_MANIFEST", tmp_path / "compiled_sources.json")
    assert text_pkg.stale_compiled_sources() == []
    (tmp_path / "segment.py").write_text("y = 3\n")
    assert text_pkg.stale_compiled_sources() == ["segment"]


def test_no_manifest_means_nothing_is_stale(tmp_path, monkeypatch):
    monkeypatch.setattr(text_pkg, "_MANIFEST", tmp_path / "compiled_sources.json")
    assert text_pkg.stale_compiled_sources() == []


def test_setup_compiles_the_modules_the_package_checks():
    import ast

    tree = ast.parse((ROOT / "setup.py").read_text())
    listed = next(ast.literal_eval(n.value) for n in ast.walk(tree)
                  if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", None) == "COMPILED")
    assert tuple(listed) == text_pkg.COMPILED
    assert "types" not in listed  # its frozen dataclasses are pickled; mypyc's native classes do not unpickle


def test_python_only_runs_no_extension():
    code = "from aid_pipeline.text import compiled_modules; print(compiled_modules())"
    out = subprocess.run([sys.executable, "-c", code], env={**os.environ, "AID_PIPELINE_PURE": "1"},
                         capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
