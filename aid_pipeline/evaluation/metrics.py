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
    facts = _FactScore()
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
        facts.add(doc, preds, glines, pairs)
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
        **facts.result(),
    }


_FACT_FIELDS = ("period", "scope", "donor")


class _FactScore:
    """Accuracy of the fact fields (period, period_start/end, scope, donor) over matched pairs whose gold line
    carries the field, and precision/recall of part_of links (a predicted link is right when both ends match the
    gold line and its whole). Gold ``part_of`` is a 0-based line index in the document; predicted, a metric_id."""

    def __init__(self):
        self.ok = {f: 0 for f in (*_FACT_FIELDS, "period_years")}
        self.n = {f: 0 for f in (*_FACT_FIELDS, "period_years")}
        self.errors: dict[str, list] = {f: [] for f in (*_FACT_FIELDS, "period_years", "part_of")}
        self.links_ok = self.links_pred = self.links_gold = 0

    def add(self, doc: str, preds: list[dict], glines: list[dict], pairs: list[tuple[int, int]]) -> None:
        g_of = dict(pairs)
        p_of = {j: i for i, j in pairs}
        idx = {str(p.get("metric_id")): i for i, p in enumerate(preds) if p.get("metric_id") is not None}
        for i, j in pairs:
            p, g = preds[i], glines[j]
            for f in _FACT_FIELDS:
                if f not in g:
                    continue
                self.n[f] += 1
                pv, gv = None if _missing(p.get(f)) else p.get(f), g.get(f)
                if pv == gv:
                    self.ok[f] += 1
                else:
                    self.errors[f].append((doc, j, g.get("surface"), gv, pv))
            if "period_start" in g:
                self.n["period_years"] += 1
                got = tuple(None if _missing(p.get(k)) else int(p.get(k)) for k in ("period_start", "period_end"))
                want = (g.get("period_start"), g.get("period_end"))
                if got == want:
                    self.ok["period_years"] += 1
                else:
                    self.errors["period_years"].append((doc, j, g.get("surface"), want, got))
        if not any("part_of" in g for g in glines):
            return
        gold_links = {(j, int(g["part_of"])) for j, g in enumerate(glines) if not _missing(g.get("part_of"))}
        pred_links = set()
        for i, p in enumerate(preds):
            w = p.get("part_of")
            if _missing(w) or i not in g_of:
                continue
            wi = idx.get(str(w))
            pred_links.add((g_of[i], g_of.get(wi, -1) if wi is not None else -1))
        self.links_gold += len(gold_links)
        self.links_pred += len(pred_links)
        self.links_ok += len(gold_links & pred_links)
        for j, w in sorted(gold_links ^ pred_links):
            self.errors["part_of"].append((doc, j, glines[j].get("surface"), "gold" if (j, w) in gold_links else "pred",
                                           w, p_of.get(j)))

    def result(self) -> dict:
        acc = {f"{f}_accuracy": (self.ok[f] / self.n[f] if self.n[f] else None) for f in self.ok}
        lp, lr, lf = _prf(self.links_ok, self.links_pred, self.links_gold)
        return {**acc, "fact_counts": dict(self.n), "fact_errors": self.errors,
                "part_of": {"precision": lp if self.links_pred else (1.0 if not self.links_gold else 0.0),
                            "recall": lr if self.links_gold else 1.0, "f1": lf,
                            "tp": self.links_ok, "n_pred": self.links_pred, "n_gold": self.links_gold}}


def format_metrics_report(result: dict, verbose: bool = False) -> str:
    """Human-readable report: ``format_metrics_report(evaluate_metrics(rows, gold))`` ->
    ``"metrics: P=0.970 R=0.960 F1=0.965 (tp=131 pred=135 gold=137) ..."``."""
    r = result
    lines = [
        f"metrics: P={r['precision']:.3f} R={r['recall']:.3f} F1={r['f1']:.3f} "
        f"(tp={r['tp']} pred={r['n_pred']} gold={r['n_gold']} docs={r['n_docs']})",
        f"on matched pairs: qualifier={r['qualifier_accuracy']:.3f} value_high={r['value_high_accuracy']:.3f} "
        f"metric_type={r['metric_type_accuracy']:.3f}",
    ]
    if r.get("fact_counts") and r["fact_counts"].get("period"):
        n = r["fact_counts"]
        po = r["part_of"]

        def acc(f):
            v = r.get(f"{f}_accuracy")
            return "n/a" if v is None else f"{v:.3f}"

        lines.append(f"facts on matched pairs: period={acc('period')} period_years={acc('period_years')} "
                     f"scope={acc('scope')} donor={acc('donor')} (n={n['period']}); part_of links: "
                     f"P={po['precision']:.3f} R={po['recall']:.3f} (tp={po['tp']} pred={po['n_pred']} gold={po['n_gold']})")
    lines.append("per unit:")
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
        for f, errs in (r.get("fact_errors") or {}).items():
            lines.append(f"{f} errors ({len(errs)}):")
            lines += [f"  {e[0]} line {e[1]} {e[2]!r} gold={e[3]} pred={e[4]}" + (f" whole={e[5]}" if len(e) > 5 else "")
                      for e in errs]
    return "\n".join(lines)


# --- running the extractor over report files ------------------------------------------------------


def predict_file(path) -> list[dict]:
    """Metric rows of one report file, through the same stage functions the pipeline runs (no Dagster).

    ``predict_file("seeds/000_x.txt")[0]["surface"] -> "350余家"``
    """
    from aid_pipeline.warehouse.inbox import InboxFile, partition_key_of, report_id_of
    from aid_pipeline.runner.stages import extract_report_metrics, normalise_report, read_raw, section_report

    p = Path(path)
    raw = read_raw(InboxFile(p, report_id_of(p.name), partition_key_of(p.name)))
    norm = normalise_report(raw)
    rows = extract_report_metrics(norm, section_report(norm))
    return [dict(r, doc=p.name) for r in rows]
