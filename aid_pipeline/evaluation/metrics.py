"""Evaluate extracted metric rows against the hand-annotated gold (``gold_dir/metrics_*.jsonl``).

No Dagster import. A predicted row matches a gold line of the same document when unit and value agree
(one-to-one, taken in reading order, greedy by closest position in the document's list).

    >>> evaluate_metrics([{"doc": "a.txt", "surface": "5亿元", "value": 5e8, "unit": "CNY",
    ...                    "qualifier": "exact", "metric_type": "funding", "value_high": None}], "gold")["f1"]
    1.0   # when gold/metrics_a.jsonl holds exactly that line
"""

from __future__ import annotations

import json
import math
from collections import defaultdict
from pathlib import Path


def _doc_key(row: dict) -> str:
    """Report id of a row: ``_doc_key({"doc": "000_ab.txt"}) -> "000_ab"``."""
    if row.get("report_id"):
        return str(row["report_id"])
    doc = str(row.get("doc") or "")
    name = Path(doc).name
    return name.split(".", 1)[0] if "." in name else name


def load_gold(gold_dir) -> dict[str, list[dict]]:
    """Gold lines by report id: ``load_gold("gold")["000_ab"] -> [{"surface": "350余家", ...}, ...]``."""
    out: dict[str, list[dict]] = defaultdict(list)
    for p in sorted(Path(gold_dir).glob("metrics_*.jsonl")):
        with open(p, encoding="utf-8") as f:
            for line in f:
                line = line.strip()
                if line:
                    row = json.loads(line)
                    out[_doc_key(row)].append(row)
    return dict(out)


def _missing(v) -> bool:
    """None, NaN and pandas NA all mean "no value" (Parquet nulls read back as NaN)."""
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v) in ("<NA>", "nan")


def _same_value(a, b) -> bool:
    a = None if _missing(a) else a
    b = None if _missing(b) else b
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)


def _match_doc(pred: list[dict], gold: list[dict]) -> list[tuple[int, int]]:
    """Greedy one-to-one pairs (pred index, gold index); each prediction takes the unused gold line with the
    same unit and value whose relative position in reading order is closest."""
    used: set[int] = set()
    pairs = []
    np_, ng = max(len(pred), 1), max(len(gold), 1)
    for i, p in enumerate(pred):
        best, best_d = None, None
        for j, g in enumerate(gold):
            if j in used or p.get("unit") != g.get("unit") or not _same_value(p.get("value"), g.get("value")):
                continue
            d = abs(i / np_ - j / ng)
            if best_d is None or d < best_d:
                best, best_d = j, d
        if best is not None:
            used.add(best)
            pairs.append((i, best))
    return pairs


def _prf(tp: int, n_pred: int, n_gold: int) -> tuple[float, float, float]:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def evaluate_metrics(predicted: list[dict], gold_dir) -> dict:
    """Precision/recall/F1 of predicted metric rows against the gold, plus attribute accuracy on matches.

    ``evaluate_metrics(rows, "../shared/gold")`` -> ``{"precision": 0.97, "recall": 0.96, "f1": ...,
    "qualifier_accuracy": ..., "value_high_accuracy": ..., "metric_type_accuracy": ..., "per_unit": {...},
    "misses": [...], "extras": [...], "type_errors": [...], "n_pred": .., "n_gold": .., "tp": ..}``.
    Only documents that have gold are scored.
    """
    gold = load_gold(gold_dir)
    by_doc: dict[str, list[dict]] = defaultdict(list)
    for row in predicted:
        k = _doc_key(row)
        if k in gold:
            by_doc[k].append(row)
    tp = n_pred = n_gold = 0
    q_ok = vh_ok = t_ok = 0
    unit_counts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])  # tp, pred, gold
    misses, extras, qual_err, type_err = [], [], [], []
    for doc, glines in gold.items():
        preds = by_doc.get(doc, [])
        pairs = _match_doc(preds, glines)
        tp += len(pairs)
        n_pred += len(preds)
        n_gold += len(glines)
        for p in preds:
            unit_counts[p.get("unit")][1] += 1
        for g in glines:
            unit_counts[g.get("unit")][2] += 1
        mp = {i for i, _ in pairs}
        mg = {j for _, j in pairs}
        for i, j in pairs:
            p, g = preds[i], glines[j]
            unit_counts[g.get("unit")][0] += 1
            if p.get("qualifier") == g.get("qualifier"):
                q_ok += 1
            else:
                qual_err.append((doc, g.get("surface"), g.get("qualifier"), p.get("qualifier")))
            if _same_value(p.get("value_high"), g.get("value_high")):
                vh_ok += 1
            if p.get("metric_type") == g.get("metric_type"):
                t_ok += 1
            else:
                type_err.append((doc, g.get("surface"), g.get("metric_type"), p.get("metric_type"), g.get("note")))
        misses += [(doc, g.get("surface"), g.get("value"), g.get("unit")) for j, g in enumerate(glines) if j not in mg]
        extras += [(doc, p.get("surface"), p.get("value"), p.get("unit")) for i, p in enumerate(preds) if i not in mp]
    prec, rec, f1 = _prf(tp, n_pred, n_gold)
    per_unit = {}
    for u, (utp, up, ug) in sorted(unit_counts.items(), key=lambda kv: str(kv[0])):
        pu, ru, fu = _prf(utp, up, ug)
        per_unit[u] = {"precision": pu, "recall": ru, "f1": fu, "tp": utp, "n_pred": up, "n_gold": ug}
    return {
        "n_docs": len(gold), "n_pred": n_pred, "n_gold": n_gold, "tp": tp,
        "precision": prec, "recall": rec, "f1": f1,
        "qualifier_accuracy": q_ok / tp if tp else 0.0,
        "value_high_accuracy": vh_ok / tp if tp else 0.0,
        "metric_type_accuracy": t_ok / tp if tp else 0.0,
        "per_unit": per_unit, "misses": misses, "extras": extras,
        "qualifier_errors": qual_err, "type_errors": type_err,
    }


def format_metrics_report(result: dict, verbose: bool = False) -> str:
    """Human-readable report: ``format_metrics_report(evaluate_metrics(rows, gold))`` ->
    ``"metrics: P=0.970 R=0.960 F1=0.965 (tp=131 pred=135 gold=137) ..."``."""
    r = result
    lines = [
        f"metrics: P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f} "
        f"(tp={r['tp']} pred={r['n_pred']} gold={r['n_gold']} docs={r['n_docs']})",
        f"on matched pairs: qualifier={r['qualifier_accuracy']:.3f} value_high={r['value_high_accuracy']:.3f} "
        f"metric_type={r['metric_type_accuracy']:.3f}",
        "per unit:",
    ]
    for u, d in r["per_unit"].items():
        lines.append(f"  {str(u):12s} P={d['precision']:.3f} R={d['recall']:.3f} "
                     f"(tp={d['tp']} pred={d['n_pred']} gold={d['n_gold']})")
    if verbose:
        lines.append(f"misses ({len(r['misses'])}):")
        lines += [f"  {d} {s!r} {v} {u}" for d, s, v, u in r["misses"]]
        lines.append(f"extras ({len(r['extras'])}):")
        lines += [f"  {d} {s!r} {v} {u}" for d, s, v, u in r["extras"]]
        lines.append(f"qualifier errors ({len(r['qualifier_errors'])}):")
        lines += [f"  {d} {s!r} gold={g} pred={p}" for d, s, g, p in r["qualifier_errors"]]
        lines.append(f"metric_type errors ({len(r['type_errors'])}):")
        lines += [f"  {d} {s!r} gold={g} pred={p}  # {n or ''}" for d, s, g, p, n in r["type_errors"]]
    return "\n".join(lines)


# --- running the extractor over report files ------------------------------------------------------


def predict_file(path) -> list[dict]:
    """Metric rows of one report file, through the same stage functions the pipeline runs (no Dagster).

    ``predict_file("seeds/000_x.txt")[0]["surface"] -> "350余家"``
    """
    from aid_pipeline.inbox import InboxFile, partition_key_of, report_id_of
    from aid_pipeline.stages import extract_report_metrics, normalise_report, read_raw, section_report

    p = Path(path)
    raw = read_raw(InboxFile(p, report_id_of(p.name), partition_key_of(p.name)))
    norm = normalise_report(raw)
    rows = extract_report_metrics(norm, section_report(norm))
    return [dict(r, doc=p.name) for r in rows]
