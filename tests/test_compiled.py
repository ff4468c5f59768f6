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
from aid_pipeline.inbox import list_inbox
from aid_pipeline.stages import QuarantineError, extract_report_metrics, normalise_report, read_raw, section_report
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
