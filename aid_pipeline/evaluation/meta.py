"""Evaluate report metadata, headings, boilerplate removal and captions against ``gold/meta.json``.

``predicted`` maps a report file name (``000_x.txt``) or report id (``000_x``) to a dict with keys
``title, subtitle, publish_date, source, donor, recipients, headings, text, captions`` (missing keys count as
``None``/empty; ``corrupt_spans``, a list of ``{raw, repaired}``, is optional). Strings are compared after NFKC folding (full-width punctuation → ASCII), whitespace
collapsing and the width-folding of Chinese quotes; ``publish_date`` compares the date part only;
``recipients`` compares as a set.
"""

from __future__ import annotations

import difflib
import json
import re
import unicodedata
from pathlib import Path

__all__ = ["evaluate_meta", "format_meta_report", "fold"]

FIELDS = ("title", "subtitle", "publish_date", "source", "donor", "recipients")
_WS_RE = re.compile(r"\s+")
_PUNCT_FOLD = str.maketrans({"“": '"', "”": '"', "‘": "'", "’": "'", "、": ",", "。": ".", "【": "[", "】": "]"})
_BRACKETS = "()[]（）【】"
_MIN_SUBSTRING = 8


def fold(s: str | None) -> str | None:
    """Comparable form of a string: NFKC, ASCII punctuation, single spaces.

    ``fold("产业援疆提质增效，为喀什发展注入新动能 ")`` → ``"产业援疆提质增效,为喀什发展注入新动能"``
    """
    if s is None:
        return None
    s = unicodedata.normalize("NFKC", str(s)).translate(_PUNCT_FOLD)
    return _WS_RE.sub(" ", s).strip()


def _squash(s: str) -> str:
    return _WS_RE.sub("", fold(s) or "")


def _date_part(s) -> str | None:
    if s is None:
        return None
    s = str(s).strip()
    m = re.match(r"\d{4}-\d{2}-\d{2}", s)
    return m.group() if m else s or None


def _lookup(predicted: dict[str, dict], doc: str) -> dict | None:
    if doc in predicted:
        return predicted[doc]
    stem = doc.split(".", 1)[0]
    if stem in predicted:
        return predicted[stem]
    for k, v in predicted.items():
        if k.split(".", 1)[0] == stem or Path(k).name.split(".", 1)[0] == stem:
            return v
    return None


def _field_ok(field: str, pred: dict, gold: dict) -> bool:
    p, g = pred.get(field), gold.get(field)
    if field == "recipients":
        return {fold(x) for x in (p or [])} == {fold(x) for x in (g or [])}
    if field == "publish_date":
        return _date_part(p) == _date_part(g)
    fp, fg = fold(p) or None, fold(g) or None
    return fp == fg


def _recovered_chars(gold_span: dict, pred_spans: list[dict]) -> tuple[int, int, str]:
    """Characters of a gold corrupted span that the prediction restores, total, and what it reads.

    The predicted span whose raw run overlaps the gold raw run most (at least 4 characters) is put in
    place of that run, the result is normalised like a report, and the characters matching the gold
    ``intended`` text in order are counted (U+FFFD never matches).
    ``_recovered_chars({"raw": "當?shù)剞r", "intended": "当地农"}, [{"raw": "?shù)剞r", "repaired": "地農"}])`` → ``(3, 3, "当地农")``
    """
    from aid_pipeline.text.normalise import normalise

    raw, intended = gold_span.get("raw") or "", _squash(gold_span.get("intended") or "")
    best = None
    for sp in pred_spans:
        praw = sp.get("raw") or ""
        m = difflib.SequenceMatcher(None, raw, praw, autojunk=False).find_longest_match(0, len(raw), 0, len(praw))
        if m.size >= min(4, len(praw)) and (best is None or m.size > best[0].size):
            best = (m, sp)
    if best is None:
        rebuilt = ""
    else:
        m, sp = best
        rebuilt = raw[: m.a] + (sp.get("repaired") or "\ufffd") + raw[m.a + m.size :]
        rebuilt = _squash(normalise(rebuilt).text)
    sm = difflib.SequenceMatcher(None, rebuilt, intended, autojunk=False)
    hit = sum(b.size for b in sm.get_matching_blocks())
    return hit, len(intended), rebuilt


def evaluate_meta(predicted: dict[str, dict], gold_path) -> dict:
    """Scores of predicted metadata against the gold file.

    ``evaluate_meta({"000_a": {"title": "T", "headings": ["H"]}}, "meta.json")["fields"]["title"]["rate"]`` → ``1.0``
    """
    gold_all = json.loads(Path(gold_path).read_text(encoding="utf-8"))
    fields = {f: {"correct": 0, "total": 0} for f in FIELDS}
    h_tp = h_fp = h_fn = 0
    bp_left = bp_total = 0
    cap_found = cap_total = cap_pred = 0
    cc_hit = cc_total = 0
    per_doc: dict[str, dict] = {}
    missing: list[str] = []

    for doc, gold in gold_all.items():
        if doc.startswith("_") or not isinstance(gold, dict):
            continue
        pred = _lookup(predicted, doc)
        if pred is None:
            missing.append(doc)
            pred = {}
        d: dict = {"fields": {}}
        for f in FIELDS:
            if f not in gold:
                continue
            ok = _field_ok(f, pred, gold)
            fields[f]["total"] += 1
            fields[f]["correct"] += int(ok)
            d["fields"][f] = {"ok": ok, "predicted": pred.get(f), "gold": gold.get(f)}

        if "headings" in gold:
            g_heads = [fold(h) for h in gold.get("headings") or []]
            p_heads = [fold(h) for h in pred.get("headings") or []]
            g_set, p_set = set(g_heads), set(p_heads)
            tp = len(g_set & p_set)
            h_tp += tp
            h_fp += len(p_set - g_set)
            h_fn += len(g_set - p_set)
            d["headings"] = {
                "tp": tp,
                "gold": len(g_set),
                "predicted": len(p_set),
                "missing": [h for h in g_heads if h not in p_set],
                "extra": [h for h in p_heads if h not in g_set],
            }

        raw_text = pred.get("text") or ""
        text = _squash(raw_text)
        text_lines = {_squash(ln) for ln in raw_text.split("\n")}
        # a short chrome line (中新网) counts only as a whole line; a longer one also inside a line
        left = [
            b
            for b in gold.get("boilerplate_lines") or []
            if _squash(b) and (_squash(b) in text_lines or (len(_squash(b)) >= _MIN_SUBSTRING and _squash(b) in text))
        ]
        bp_left += len(left)
        bp_total += len(gold.get("boilerplate_lines") or [])
        d["boilerplate_left"] = left

        g_caps = gold.get("captions") or []
        p_caps = {_squash(c).strip(_BRACKETS) for c in pred.get("captions") or []}
        found = [c for c in g_caps if _squash(c).strip(_BRACKETS) in p_caps]
        cap_found += len(found)
        cap_total += len(g_caps)
        cap_pred += len(p_caps)
        d["captions_missing"] = [c for c in g_caps if c not in found]

        d["corrupted"] = []
        for g in gold.get("corrupted_spans") or []:
            hit, tot, rebuilt = _recovered_chars(g, list(pred.get("corrupt_spans") or []))
            cc_hit += hit
            cc_total += tot
            d["corrupted"].append({"intended": g.get("intended"), "predicted": rebuilt, "recovered": hit, "total": tot})
        per_doc[doc] = d

    for f in fields.values():
        f["rate"] = f["correct"] / f["total"] if f["total"] else None
    prec = h_tp / (h_tp + h_fp) if h_tp + h_fp else None
    rec = h_tp / (h_tp + h_fn) if h_tp + h_fn else None
    f1 = 2 * prec * rec / (prec + rec) if prec and rec else (0.0 if prec is not None and rec is not None else None)
    return {
        "n_docs": len(per_doc),
        "missing_predictions": missing,
        "fields": fields,
        "headings": {"tp": h_tp, "fp": h_fp, "fn": h_fn, "precision": prec, "recall": rec, "f1": f1},
        "boilerplate": {"left": bp_left, "total": bp_total},
        "captions": {"found": cap_found, "total": cap_total, "predicted": cap_pred},
        "corrupted": {"recovered": cc_hit, "total": cc_total},
        "per_doc": per_doc,
    }


def _pct(x) -> str:
    return "  n/a" if x is None else f"{100 * x:5.1f}%"


def format_meta_report(result: dict) -> str:
    """Human-readable summary of :func:`evaluate_meta` output.

    ``format_meta_report(evaluate_meta(pred, gold)).splitlines()[0]`` → ``"metadata evaluation: 3 reports"``
    """
    lines = [f"metadata evaluation: {result['n_docs']} reports"]
    if result.get("missing_predictions"):
        lines.append(f"  no prediction for: {', '.join(result['missing_predictions'])}")
    for f, s in result["fields"].items():
        if s["total"]:
            lines.append(f"  {f:13s} {s['correct']}/{s['total']}  {_pct(s['rate'])}")
    h = result["headings"]
    lines.append(
        f"  headings      tp={h['tp']} fp={h['fp']} fn={h['fn']}  P={_pct(h['precision'])} R={_pct(h['recall'])}"
        f" F1={_pct(h['f1'])}"
    )
    b = result["boilerplate"]
    lines.append(f"  boilerplate   {b['left']}/{b['total']} gold chrome lines left in the body")
    c = result["captions"]
    lines.append(f"  captions      {c['found']}/{c['total']} gold captions found ({c['predicted']} predicted)")
    cc = result.get("corrupted") or {}
    if cc.get("total"):
        lines.append(f"  corrupted     {cc['recovered']}/{cc['total']} gold corrupted characters recovered")
    for doc, d in result["per_doc"].items():
        wrong = [f for f, v in d["fields"].items() if not v["ok"]]
        hd = d.get("headings", {})
        lines.append(
            f"  - {doc}: fields wrong={wrong or '-'} headings {hd.get('tp', 0)}/{hd.get('gold', 0)}"
            f" (+{len(hd.get('extra', []))} extra) chrome left={len(d['boilerplate_left'])}"
        )
        for f in wrong:
            v = d["fields"][f]
            lines.append(f"      {f}: predicted={v['predicted']!r} gold={v['gold']!r}")
        for m in hd.get("missing", []):
            lines.append(f"      missing heading: {m}")
        for m in hd.get("extra", []):
            lines.append(f"      extra heading:   {m}")
        for m in d["boilerplate_left"]:
            lines.append(f"      chrome left:     {m}")
    return "\n".join(lines)
