"""The README's Python examples run as written against a warehouse the pipeline produced."""

import contextlib
import io
import os
import re
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", README.read_text(encoding="utf-8"), flags=re.S)


def test_readme_examples_run(pipeline_run, tmp_path):
    blocks = python_blocks()
    assert len(blocks) >= 3
    os.symlink(pipeline_run["warehouse"], tmp_path / "warehouse")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for block in blocks:
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                exec(compile(block, "README.md", "exec"), {})
            assert out.getvalue().strip(), block
    finally:
        os.chdir(cwd)


def test_readme_quickstart_names_the_two_commands():
    text = README.read_text(encoding="utf-8")
    assert "make run" in text and "make test" in text
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci
