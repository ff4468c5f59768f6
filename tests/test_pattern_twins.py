"""Each regex the text modules compile in its fast form (patterns.TWINS) finds what its readable twin finds."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from aid_pipeline.text.patterns import TWINS

ROOT = Path(__file__).resolve().parents[1]
REAL_LINES = [line for path in sorted((ROOT / "seeds").glob("*.txt"))
              for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def spans(pattern: str, text: str) -> list[tuple[int, int]]:
    return [m.span() for m in re.finditer(pattern, text)]


def test_real_lines_exist():
    assert len(REAL_LINES) > 50  # the seeds' lines are the real-text half of the check


@pytest.mark.parametrize("name", sorted(TWINS))
def test_twins_match_alike_on_real_lines(name):
    twin = TWINS[name]
    text = "\n".join(REAL_LINES)
    assert spans(twin.fast, text) == spans(twin.readable, text)
    for line in REAL_LINES:
        assert spans(twin.fast, line) == spans(twin.readable, line), line


@pytest.mark.parametrize("name", sorted(TWINS))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_twins_match_alike_on_generated_text(name, data):
    twin = TWINS[name]
    # the twin's own alphabet, with pieces of real lines mixed in (words the alphabet alone rarely spells)
    pieces = st.one_of(st.text(alphabet=twin.alphabet, min_size=1, max_size=6),
                       st.sampled_from(REAL_LINES).map(lambda s: s[:12]))
    text = "".join(data.draw(st.lists(pieces, max_size=8)))
    assert spans(twin.fast, text) == spans(twin.readable, text)


def test_fast_twins_find_something_on_real_lines():
    # a twin pair that matches nothing tests nothing: the seeds hold sentence marks, dates and bylines
    text = "\n".join(REAL_LINES)
    for name in ("sentence_marks", "date", "blank_lines"):
        assert spans(TWINS[name].fast, text + "\n\n"), name


def test_handwritten_examples():
    assert spans(TWINS["byline"].fast, "（记者 王小明 摄）") == [(1, 7), (8, 10)]  # the name, the closing credit
    assert spans(TWINS["sentence_marks"].fast, "好。。“走”") == [(1, 3), (3, 4), (5, 6)]
    assert spans(TWINS["date_label"].fast, "更新时间：2023-09-20") == [(0, 15)]
    assert spans(TWINS["date_label"].fast, "截止时间：2023-09-20") == []  # 止 is no space or bracket
    assert spans(TWINS["line_edge_space"].fast, "  a b  \n c") == [(0, 2), (5, 7), (8, 9)]


@pytest.mark.parametrize("name", sorted(TWINS))
def test_modules_compile_the_fast_form(name):
    twin = TWINS[name]
    module = importlib.import_module(f"aid_pipeline.text.{twin.used_by}")
    compiled = [v for v in vars(module).values() if isinstance(v, re.Pattern)]
    compiled += [x[0] if isinstance(x, tuple) else x for v in vars(module).values() if isinstance(v, list)
                 for x in v if isinstance(x, re.Pattern) or (isinstance(x, tuple) and x and isinstance(x[0], re.Pattern))]
    assert any(twin.fast in p.pattern for p in compiled), f"{twin.used_by} does not compile {name}'s fast form"
