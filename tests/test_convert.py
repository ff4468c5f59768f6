"""Every t2s backend gives the same normalisable text on the seeds, keeps length and is idempotent."""

import importlib.util
from pathlib import Path

import pytest

from aid_pipeline.text import convert
from aid_pipeline.text.decode import decode_bytes

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
HAS_PYO3 = importlib.util.find_spec("opencc_pyo3") is not None
BACKEND_NAMES = [
    "table",
    "reimplemented",
    pytest.param(
        "pyo3",
        marks=pytest.mark.skipif(
            not HAS_PYO3, reason="opencc-pyo3 is not installed (pip install -e '.[fast]'; the dev extra installs it)"
        ),
    ),
]


def seed_texts() -> dict[str, str]:
    return {p.name: decode_bytes(p.read_bytes()).text for p in sorted(SEEDS.iterdir()) if p.is_file()}


@pytest.fixture()
def backend(request):
    """Switch the module's backend for one test, then restore the one chosen by the environment."""
    chosen = convert.set_backend(request.param)
    yield chosen
    convert.set_backend(None)


@pytest.fixture(scope="module")
def reference() -> dict[str, str]:
    """The seeds through the always-installed table backend."""
    convert.set_backend("table")
    try:
        return {name: convert.to_simplified(t) for name, t in seed_texts().items()}
    finally:
        convert.set_backend(None)


@pytest.mark.parametrize("backend", BACKEND_NAMES, indirect=True)
def test_backend_matches_table_on_seeds(backend, reference):
    for name, text in seed_texts().items():
        out = convert.to_simplified(text)
        assert len(out) == len(text), name
        diff = [(i, text[max(0, i - 3) : i + 3], reference[name][i], out[i]) for i in range(len(out)) if out[i] != reference[name][i]]
        assert not diff, f"{backend.name} differs from table on {name}: {diff[:10]}"
        assert convert.to_simplified(out) == out, name


@pytest.mark.parametrize("backend", BACKEND_NAMES, indirect=True)
def test_zhu_rule_is_the_same_for_every_backend(backend):
    # 著 stays in 显著/著名/名著 (already Simplified or not), becomes 着 as a particle and in 着力
    src = "取得了显著成效，閃耀著銀色的光，人們正忙著施肥，著力打造，著名作家的名著，顯著提高"
    out = convert.to_simplified(src)
    assert out == "取得了显著成效，闪耀着银色的光，人们正忙着施肥，着力打造，著名作家的名著，显著提高"
    assert convert.to_simplified(out) == out


@pytest.mark.parametrize("backend", BACKEND_NAMES, indirect=True)
def test_backend_converts_phrases_and_keeps_length(backend):
    src = "網絡潤疆，乾隆年間乾淨的頭髮，後來發展"
    out = convert.to_simplified(src)
    assert out == "网络润疆，乾隆年间干净的头发，后来发展"
    assert len(backend.convert(src)) == len(src)


@pytest.mark.skipif(not HAS_PYO3, reason="opencc-pyo3 is not installed (pip install -e '.[fast]')")
def test_pyo3_is_idempotent_on_the_whole_character_table():
    b = convert.Pyo3Backend()
    chars = "".join(sorted({k for k in convert._read_dict("TSCharacters.txt") if len(k) == 1}))
    once = b.convert(chars)
    assert len(once) == len(chars)
    assert b.convert(once) == once


def test_env_var_picks_the_backend(monkeypatch):
    monkeypatch.setenv(convert.ENV_VAR, "reimplemented")
    assert convert.backend_from_env().name == "opencc"
    monkeypatch.setenv(convert.ENV_VAR, "table")
    assert convert.backend_from_env().name == "table"
    monkeypatch.setenv(convert.ENV_VAR, "nonsense")
    with pytest.raises(ValueError, match="AID_T2S_BACKEND"):
        convert.backend_from_env()
    monkeypatch.delenv(convert.ENV_VAR)
    assert convert.backend_from_env().name == ("pyo3" if HAS_PYO3 else "table")
    assert convert.available_backends()[-2:] == ["table", "reimplemented"]
