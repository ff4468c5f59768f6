"""Peer comparison: jionlp's money extraction against ours, on the CNY gold lines (benchmark, not a test).

    .venv/bin/pip install -e '.[bench]'      # jionlp, a benchmark-only extra
    .venv/bin/python bench/peer_money.py [--repeat 3]

Both extractors read the same text: the pipeline's normalised text of each report (what the gold annotates),
with non-breaking spaces replaced by plain spaces (jionlp mis-values ``6423\u00a0万元`` otherwise), one line at a
time. A prediction matches a gold line when the unit is CNY and the value agrees (the evaluator of
``aid-pipeline eval``). Throughput is characters of text per second of extraction alone, best of ``--repeat``.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from pathlib import Path

from aid_pipeline.evaluation.metrics import evaluate_metrics
from aid_pipeline.warehouse.inbox import InboxFile, partition_key_of, report_id_of
from aid_pipeline.runner.stages import normalise_report, read_raw
from aid_pipeline.text.metrics import find_mentions

ROOT = Path(__file__).resolve().parent.parent
SETS = {  # name: (report folder, gold folder)
    "shared gold (seeds)": (ROOT / "seeds", ROOT.parent / "shared" / "gold"),
    "holdout (dev)": (ROOT / "tests/data/holdout/reports", ROOT / "tests/data/holdout"),
    "holdout2 (test)": (ROOT / "tests/data/holdout2/reports", ROOT / "tests/data/holdout2"),
}


def normalised_lines(path: Path) -> list[str]:
    """Lines of a report's normalised text, NBSP -> space: ``normalised_lines(Path("seeds/000_x.txt"))[0]``."""
    raw = read_raw(InboxFile(path, report_id_of(path.name), partition_key_of(path.name)))
    text = str(normalise_report(raw)["text"])
    return [ln.replace("\u00a0", " ") for ln in text.split("\n") if ln.strip()]


def ours(doc: str, lines: list[str]) -> list[dict]:
    """Our CNY mentions as evaluator rows: ``ours("a.txt", ["投入5亿元"])[0]["value"] -> 500000000.0``."""
    return [{"doc": doc, "surface": m.surface, "value": m.value, "value_high": m.value_high, "unit": m.unit,
             "qualifier": m.qualifier, "metric_type": m.metric_type}
            for ln in lines for m in find_mentions(ln) if m.unit == "CNY"]


def peer(doc: str, lines: list[str], jio) -> list[dict]:
    """jionlp's money mentions in yuan as evaluator rows (other currencies dropped)."""
    out = []
    for ln in lines:
        for item in jio.ner.extract_money(ln, with_parsing=True):
            detail = item.get("detail") or {}
            if detail.get("case") != "元":
                continue
            try:
                value = float(detail["num"])
            except (KeyError, TypeError, ValueError):
                continue
            out.append({"doc": doc, "surface": item["text"], "value": value, "value_high": None, "unit": "CNY",
                        "qualifier": "exact", "metric_type": "other"})
    return out


def timed(fn, docs, repeat: int) -> tuple[list[dict], float]:
    best, rows = float("inf"), []
    for _ in range(repeat):
        t0 = time.perf_counter()
        rows = [r for doc, lines in docs for r in fn(doc, lines)]
        best = min(best, time.perf_counter() - t0)
    return rows, best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    with contextlib.redirect_stdout(io.StringIO()):  # jionlp prints a banner on import
        import jionlp as jio
    print(f"jionlp {jio.__version__} vs aid_pipeline, CNY mentions (match = unit CNY and value)\n")
    print(f"{'set':22s} {'extractor':12s} {'P':>6s} {'R':>6s} {'F1':>6s} {'tp':>4s} {'pred':>5s} {'gold':>5s} "
          f"{'chars/s':>10s}")
    for name, (reports, gold) in SETS.items():
        paths = sorted(reports.glob("*.txt"))
        docs = [(p.name, normalised_lines(p)) for p in paths]
        n_chars = sum(len(ln) for _, lines in docs for ln in lines)
        for label, fn in (("aid_pipeline", ours), ("jionlp", lambda d, ls: peer(d, ls, jio))):
            rows, secs = timed(fn, docs, args.repeat)
            cny = evaluate_metrics(rows, gold)["per_unit"].get("CNY", {})
            print(f"{name:22s} {label:12s} {cny.get('precision', 0):6.3f} {cny.get('recall', 0):6.3f} "
                  f"{cny.get('f1', 0):6.3f} {cny.get('tp', 0):4d} {cny.get('n_pred', 0):5d} {cny.get('n_gold', 0):5d} "
                  f"{n_chars / secs:10,.0f}")
    print("\nchars/s: normalised characters per second of extraction (ours: every unit, typed; jionlp: money only).")


if __name__ == "__main__":
    main()
