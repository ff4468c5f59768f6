"""From metric mentions to facts, and the aggregates built on facts (pandas, no Dagster).

A *mention* is one figure in one report (a ``metrics`` row). A *fact* is what an analyst counts: the
same figure repeated in a title and a body, or restated by a second outlet, is one fact. The rules
(``../shared/gold/GUIDE.md``, section "Facts"; issue 12):

**Key.** Mentions can only be one fact when they agree on the *fact key*: ``donor_province, donor,
recipient, metric_type, unit, period, period_start, period_end, scope`` (nulls equal nulls). The
qualifier is not part of the key (``420余万元`` and ``420万元`` are one figure); ``value_high`` is.

**Same figure within rounding.** Two values of one key are the same figure when the finer one lies in
the rounding interval of the coarser one: ``|a - b| <= max(prec_a, prec_b) / 2`` (plus 1e-9 relative
for float noise), where a mention's precision is one unit of the last digit its surface writes
(``5.3亿元`` → 0.1亿 = 1e7; ``53000万元`` → 1万; ``6423万元`` → 1万). A surface without Arabic
digits (``两次``, ``亿``) has precision 0: only an equal value matches it. Mentions of a key are
grouped by connected components of this relation (order-independent). The fact's value, value_high and
qualifier are those of its most precise mention (then the smallest value): never an average.

**Conflict.** Facts of one key with different values are kept apart. They are flagged as conflicting
with each other only when they look like two claims about *one* quantity:

- no report states both (one report giving two values of a key is describing two things, e.g. two
  sectors' spending, not contradicting itself);
- they have the same parent fact (both wholes, or parts of the same whole);
- some mention of each has a similar context: the clause around the figure, with the figure and
  every other Arabic number masked, has a character-bigram Dice similarity >= ``CONTEXT_MIN`` (and
  says at least ``CONTEXT_MIN_CHARS`` characters besides the masks: ``投入#`` is no evidence).

An aggregate resolves a conflict by report: among conflicting facts it counts those the latest report
states (then the report of the fact more reports state, then the smaller fact_id) and leaves out the
facts that conflict with them (listed in ``conflict_fact_ids``); what conflicts with nothing counted
is resolved the same way in turn. Never a sum or a mean of the rival values.

**Parts.** ``parent_fact_id`` is the fact of the mention's ``part_of`` metric (the most common one
over the fact's mentions, then the smallest id). An aggregate counts a fact only if none of its
ancestors is eligible for the same aggregate (wholes before parts; a part counts where its whole is
absent).

**Ids and order.** ``fact_id`` is ``f`` + 16 hex of the SHA-256 of the key and the fact's value, so it is
the same on every rerun, whatever the file names or their order. Rows are sorted by the key, value
and fact_id; list columns are sorted.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections import Counter, defaultdict

import numpy as np
import pandas as pd

from ..contract.vocab import PERIODS, SCOPES  # noqa: F401  (the values period and scope take)

FACT_KEY = ["donor_province", "donor", "recipient", "metric_type", "unit", "period", "period_start", "period_end", "scope"]
CONTEXT_MIN = 0.7
CONTEXT_MIN_CHARS = 4  # a context needs this many characters besides the masks to count as evidence
# what the facts need of the metrics table (the new period/part_of/scope columns default when absent)
METRIC_COLUMNS = [
    "report_id", "metric_id", "sentence", "surface", "start", "value", "value_high", "unit", "qualifier",
    "metric_type", "donor", "donor_province", "recipient", "year", "period", "period_start", "period_end",
    "part_of", "scope",
]
FACT_COLUMNS = [
    "fact_id", "donor", "donor_province", "recipient", "metric_type", "unit", "period", "period_start",
    "period_end", "value", "value_high", "qualifier", "scope", "parent_fact_id", "n_mentions", "n_reports",
    "metric_ids", "first_report_id", "conflict", "report_ids", "first_publish_date", "last_report_id",
    "last_publish_date",
]

_NUMBER = re.compile(r"[0-9][0-9,]*(?:\.([0-9]+))?")
_ARABIC = re.compile(r"[0-9][0-9.,]*")
_CLAUSE_END = "，。；！？,;!?：:\n"


# ---- mentions -----------------------------------------------------------------------------------

def stated_precision(surface: str, value: float) -> float:
    """One unit of the last digit the surface writes, in base units: ``stated_precision('5.3亿元', 5.3e8)``
    → ``1e7``; ``('53000万元', 5.3e8)`` → ``1e4``; ``('两次', 2)`` → ``0.0`` (no Arabic digits: exact only)."""
    if not isinstance(surface, str) or value is None or not math.isfinite(float(value)):
        return 0.0
    m = _NUMBER.search(surface.replace(" ", ""))
    if m is None:
        return 0.0
    number = float(m.group(0).replace(",", ""))
    if number == 0:
        return 0.0
    decimals = len(m.group(1) or "")
    multiplier = float(value) / number
    return abs(multiplier) * 10.0 ** (-decimals)


def same_figure(a: float, prec_a: float, b: float, prec_b: float) -> bool:
    """Whether two values are one figure written with other rounding: ``same_figure(5.3e8, 1e7, 5.27e8, 1e6)``
    → ``True`` (5.27亿 rounds to 5.3亿); ``(5.3e8, 1e7, 5.5e8, 1e7)`` → ``False``."""
    tol = max(prec_a, prec_b) / 2 + 1e-9 * max(abs(a), abs(b), 1.0)
    return abs(a - b) <= tol


def context_of(sentence: str, surface: str) -> str:
    """The clause around a figure with the figure and every other Arabic number masked (``#``), spaces removed:
    ``context_of('2023年，广州投入5.3亿元用于住房。', '5.3亿元')`` → ``'广州投入#用于住房'``."""
    if not isinstance(sentence, str):
        return ""
    at = sentence.find(surface) if isinstance(surface, str) and surface else -1
    if at < 0:
        clause = sentence
    else:
        lo = max(sentence.rfind(c, 0, at) for c in _CLAUSE_END) + 1
        ends = [i for i in (sentence.find(c, at + len(surface)) for c in _CLAUSE_END) if i >= 0]
        hi = min(ends) if ends else len(sentence)
        clause = sentence[lo:at] + "\x00" + sentence[at + len(surface):hi]
    clause = _ARABIC.sub("#", clause.replace(" ", "")).replace("\x00", "#")
    return clause.strip(_CLAUSE_END)


def context_similarity(a: str, b: str) -> float:
    """Dice coefficient of the character bigrams: ``context_similarity('投入#用于住房', '投入#用于住房')`` → ``1.0``."""
    if min(len(a.replace("#", "")), len(b.replace("#", ""))) < CONTEXT_MIN_CHARS:
        return 0.0  # too little said around the figure to tell whether it is the same quantity
    ga = Counter(a[i:i + 2] for i in range(len(a) - 1))
    gb = Counter(b[i:i + 2] for i in range(len(b) - 1))
    return 2 * sum((ga & gb).values()) / (sum(ga.values()) + sum(gb.values()))


def with_fact_columns(metrics: pd.DataFrame) -> pd.DataFrame:
    """The metrics with every column the facts need; a warehouse built before the facts columns existed
    gets: period ``year`` where ``year`` is known (else ``unspecified``), scope ``aid``, no part_of,
    donor_province = donor."""
    m = metrics.copy()
    if "year" not in m:
        m["year"] = pd.NA
    if "period" not in m:
        m["period"] = np.where(m["year"].notna(), "year", "unspecified")
        m["period_start"] = m["year"]
        m["period_end"] = m["year"]
    for col, default in (("scope", "aid"), ("part_of", None), ("value_high", np.nan), ("qualifier", "exact"),
                         ("sentence", ""), ("surface", ""), ("start", 0), ("period_start", pd.NA), ("period_end", pd.NA)):
        if col not in m:
            m[col] = default
    for col in ("donor", "recipient"):
        if col not in m:
            m[col] = None
    if "donor_province" not in m:
        m["donor_province"] = m["donor"]
    for col in ("donor", "donor_province", "recipient", "part_of", "period", "scope"):
        m[col] = m[col].astype(object).where(m[col].notna(), None)
    for col in ("period_start", "period_end"):
        m[col] = pd.to_numeric(m[col], errors="coerce").astype("Int64")
    return m


# ---- consolidation ------------------------------------------------------------------------------

def _key_tuple(row) -> tuple:
    return tuple(None if _na(v) else (int(v) if k in ("period_start", "period_end") else v) for k, v in zip(FACT_KEY, row))


def _na(v) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def fact_id_of(key: tuple, value: float, value_high) -> str:
    """``f`` + 16 hex digits of the SHA-256 of the key and the value (12 significant digits), e.g. ``f3a9…``."""
    body = json.dumps([list(key), f"{float(value):.12g}", None if _na(value_high) else f"{float(value_high):.12g}"],
                      ensure_ascii=False)
    return "f" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]


def _components(values: np.ndarray, highs: np.ndarray, precs: np.ndarray) -> list[int]:
    """Connected components of ``same_figure`` (value and value_high) among one key's mentions: a label each.

    Linear in the mentions and their matches, not quadratic: equal (value, value_high, precision) mentions are one
    node; the nodes are sorted by value and each is compared only with those within its own rounding interval
    (a match lies in the interval of the coarser of the two, so every matching pair is seen from one side)."""
    n = len(values)
    if n == 0:
        return []
    highs_key = np.where(np.isnan(highs), -np.inf, highs)  # NaN (no range) as one comparable value
    nodes, node_of = np.unique(np.stack([values, highs_key, precs], axis=1), axis=0, return_inverse=True)
    node_of = node_of.reshape(-1)
    v, h, p = nodes[:, 0], nodes[:, 1], nodes[:, 2]
    h = np.where(np.isneginf(h), np.nan, h)
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    widths = p / 2 + 2e-9 * np.maximum(np.abs(v) + p, 1.0)  # at least every tolerance where this node is the coarser
    los = np.searchsorted(v, v - widths, side="left")
    his = np.searchsorted(v, v + widths, side="right")
    for i in np.flatnonzero(his - los > 1):
        js = np.arange(los[i], his[i])
        js = js[js != i]
        vb, hb = v[js], h[js]
        tol = np.maximum(p[i], p[js]) / 2 + 1e-9 * np.maximum(np.maximum(abs(v[i]), np.abs(vb)), 1.0)
        with np.errstate(invalid="ignore"):
            ok = (np.abs(v[i] - vb) <= tol) & ((np.isnan(h[i]) & np.isnan(hb)) | (np.abs(h[i] - hb) <= tol))
        for j in js[ok]:
            ri, rj = find(int(i)), find(int(j))
            if ri != rj:
                parent[max(ri, rj)] = min(ri, rj)
    return [find(int(node_of[i])) for i in range(n)]


def build_facts(metrics: pd.DataFrame, reports: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row per fact (columns ``FACT_COLUMNS``) from metric mentions; ``reports`` gives publish dates.

    ``build_facts(<'5.3亿元' in report a, '53000万元' in report b, same key>)`` → one fact, value 5.3e8,
    n_mentions 2, n_reports 2, metric_ids ``['a:m0000', 'b:m0003']``.
    """
    return update_facts(None, metrics, reports, None)


def update_facts(old: pd.DataFrame | None, metrics: pd.DataFrame, reports: pd.DataFrame | None,
                 changed_reports: set[str] | None) -> pd.DataFrame:
    """``build_facts(metrics, reports)``, computed only for the keys the change touches when ``old`` (the facts
    table built before) and ``changed_reports`` (every report new, changed or removed since) are given.

    A fact depends on its key's mentions, their reports' dates, its parent (the fact of its mentions'
    part_of metrics, then the loops broken over all facts) and, for its conflicts, the other facts of its
    key. So the keys recomputed are those with a mention in a changed report (before or after), then
    those whose parent came out otherwise; every other row is ``old``'s as it was.
    ``update_facts(facts, metrics, reports, {'r9'})`` == ``build_facts(metrics, reports)``.
    """
    if metrics is None or metrics.empty:
        return pd.DataFrame(columns=FACT_COLUMNS)
    m = with_fact_columns(metrics).reset_index(drop=True)
    dates: dict[str, object] = {}
    if reports is not None and len(reports) and "publish_date" in reports:
        dates = {r: (None if _na(d) else pd.Timestamp(d).date()) for r, d in zip(reports["report_id"], reports["publish_date"])}
    incremental = old is not None and changed_reports is not None and len(old) > 0
    if incremental:
        old = old.reset_index(drop=True)
    # one integer per fact key (vectorised; a key tuple is made only for the keys recomputed)
    keys, old_keys = _key_codes(m, old if incremental else None)
    mid_col = [str(x) for x in m["metric_id"].tolist()]
    rid_col = [str(x) for x in m["report_id"].tolist()]
    part_col = m["part_of"].tolist()
    if incremental:
        changed_rows = m["report_id"].isin(list(changed_reports)).to_numpy()
        touched = set(np.unique(keys[changed_rows]).tolist())
        touched |= {k for k, rids in zip(old_keys.tolist(), old["report_ids"].tolist())
                    if not changed_reports.isdisjoint(_as_list(rids))}
    else:
        touched = set(np.unique(keys).tolist())
    facts, fact_of_row, ctx = _facts_of_keys(m, keys, touched, dates, mid_col, rid_col)

    # parents: the fact of each mention's part_of metric, over every fact (then loops broken over all of them)
    part_rows = [r for r, p in enumerate(part_col) if p is not None]
    new_fact_of_metric = {mid_col[r]: f for r, f in fact_of_row.items()}
    old_fact_of_metric: dict[str, str] = {}
    if incremental:
        needed = {str(part_col[r]) for r in part_rows} | {mid_col[r] for r in part_rows}
        for k, fid, ids in zip(old_keys.tolist(), old["fact_id"].tolist(), old["metric_ids"].tolist()):
            if k not in touched:
                for x in _as_list(ids):
                    if x in needed:
                        old_fact_of_metric[x] = fid

    def fact_of_metric(x: str) -> str | None:
        got = new_fact_of_metric.get(x)
        return got if got is not None else old_fact_of_metric.get(x)

    counts: dict[str, Counter] = defaultdict(Counter)
    for r in part_rows:
        f = fact_of_metric(mid_col[r])
        if f is not None:
            counts[f][fact_of_metric(str(part_col[r]))] += 1
    graph: dict[str, dict] = {}
    for f, parents in counts.items():
        parents.pop(None, None)
        parents.pop(f, None)
        if parents:
            graph[f] = {"parent_fact_id": min(parents, key=lambda p: (-parents[p], p))}
    _break_cycles(graph)  # facts without a parent end every chain: the loops are among these
    parent_of = {f: g["parent_fact_id"] for f, g in graph.items()}
    for fid, f in facts.items():
        f["parent_fact_id"] = parent_of.get(fid)
    kept = []
    if incremental:  # a fact whose parent changed: its key's conflicts are compared again
        moved = {k for k, fid, p in zip(old_keys.tolist(), old["fact_id"].tolist(), old["parent_fact_id"].tolist())
                 if k not in touched and parent_of.get(fid) != (None if _na(p) else p)}
        if moved:
            more, more_rows, more_ctx = _facts_of_keys(m, keys, moved, dates, mid_col, rid_col)
            for fid, f in more.items():
                f["parent_fact_id"] = parent_of.get(fid)
            facts.update(more)
            ctx.update(more_ctx)
            touched |= moved
        kept = np.flatnonzero(~np.isin(old_keys, list(touched))).tolist()
    conflicts = _conflicts(facts, ctx)
    rows = []
    for f in facts.values():
        f.pop("_rows")
        f["conflict"] = sorted(conflicts.get(f["fact_id"], ()))
        rows.append(f)
    out = pd.DataFrame(rows, columns=FACT_COLUMNS)
    if kept:
        rest = old.iloc[kept][FACT_COLUMNS]
        # columns all null in the new rows (value_high …) are null there: their dtype comes from the kept rows
        out = pd.concat([rest, out.astype({c: rest[c].dtype for c in FACT_COLUMNS if out[c].isna().all()})],
                        ignore_index=True) if len(out) else rest.reset_index(drop=True)
    for col in ("period_start", "period_end"):
        out[col] = out[col].astype("Int64")
    return sort_facts(out)


def _key_codes(m: pd.DataFrame, old: pd.DataFrame | None) -> tuple[np.ndarray, np.ndarray]:
    """An integer per row of ``m`` (mentions) and of ``old`` (facts) for its fact key: equal keys, equal codes,
    across both frames (nulls equal nulls). ``_key_codes(<mentions of keys A, B, A>, None)`` → ``([0, 1, 0], [])``."""
    frames = [m[FACT_KEY]] + ([old[FACT_KEY]] if old is not None else [])
    both = pd.concat(frames, ignore_index=True)
    for col in ("period_start", "period_end"):
        both[col] = pd.to_numeric(both[col], errors="coerce").astype(float)
    for col in FACT_KEY:
        if col not in ("period_start", "period_end"):
            both[col] = both[col].astype(object).where(both[col].notna(), None)
    codes = both.groupby(FACT_KEY, dropna=False, sort=False).ngroup().to_numpy()
    return codes[:len(m)], codes[len(m):]


def _facts_of_keys(m: pd.DataFrame, keys: np.ndarray, wanted: set, dates: dict, mid_col: list[str],
                   rid_col: list[str]) -> tuple[dict[str, dict], dict[int, str], dict[int, str]]:
    """The facts of the fact keys ``wanted`` (codes of ``_key_codes``) from their mentions (rows of ``m``; ``keys[i]``
    is row i's key code): ``(facts by id, each with its mention rows in "_rows"; fact_id by row; masked context by row)``."""
    rows_of: dict[tuple, list[int]] = {}
    at = np.flatnonzero(np.isin(keys, list(wanted)))
    by_code: dict[int, list[int]] = defaultdict(list)
    for r, k in zip(at.tolist(), keys[at].tolist()):
        by_code[k].append(r)
    firsts = m[FACT_KEY].iloc[[rows[0] for rows in by_code.values()]].itertuples(index=False, name=None)
    for first, rows in zip(firsts, by_code.values()):
        rows_of[_key_tuple(first)] = rows
    value_col, high_col, surface_col = m["value"].tolist(), m["value_high"].tolist(), m["surface"].tolist()
    qual_col, sentence_col = m["qualifier"].tolist(), m["sentence"].tolist()
    highs_num = pd.to_numeric(m["value_high"], errors="coerce").to_numpy(dtype=float)
    values_num = m["value"].to_numpy(dtype=float)
    facts: dict[str, dict] = {}
    fact_of_row: dict[int, str] = {}
    ctx: dict[int, str] = {}
    prec: dict[int, float] = {}
    for key, idx in rows_of.items():
        for r in idx:
            prec[r] = stated_precision(surface_col[r], value_col[r])
            ctx[r] = context_of(sentence_col[r], surface_col[r])
        at = np.asarray(idx)
        labels = _components(values_num[at], highs_num[at], np.asarray([prec[r] for r in idx], dtype=float))
        members: dict[int, list[int]] = defaultdict(list)
        for i, lab in enumerate(labels):
            members[lab].append(idx[i])
        for label in sorted(members):
            rows = members[label]
            # the most precise mention speaks for the fact (then the smallest value, then the first id)
            rep = min(rows, key=lambda r: (prec[r] if prec[r] > 0 else math.inf, value_col[r], mid_col[r]))
            value, high = float(value_col[rep]), high_col[rep]
            fid = fact_id_of(key, value, high)
            for r in rows:
                fact_of_row[r] = fid
            report_ids = sorted({rid_col[r] for r in rows})
            by_date = sorted(report_ids, key=lambda rid: (dates.get(rid) is None, dates.get(rid) or 0, rid))
            latest = sorted(report_ids, key=lambda rid: (dates.get(rid) is not None, dates.get(rid) or 0, rid))[-1]
            facts[fid] = {
                "fact_id": fid,
                **dict(zip(FACT_KEY, key)),
                "value": value,
                "value_high": None if _na(high) else float(high),
                "qualifier": qual_col[rep],
                "n_mentions": len(rows),
                "n_reports": len(report_ids),
                "metric_ids": sorted(mid_col[r] for r in rows),
                "first_report_id": by_date[0],
                "report_ids": report_ids,
                "first_publish_date": dates.get(by_date[0]),
                "last_report_id": latest,
                "last_publish_date": dates.get(latest),
                "_rows": rows,
            }
    return facts, fact_of_row, ctx


def _conflicts(facts: dict[str, dict], ctx_col) -> dict[str, set[str]]:
    """Conflicting facts: same key, other values, no report stating both, same parent, a similar context.

    Facts of one key and parent that were said in the same set of contexts are compared once as a group
    (``context_similarity`` once per pair of distinct contexts): the same pairs as comparing every two facts."""
    conflicts: dict[str, set[str]] = defaultdict(set)
    groups: dict[tuple, dict[frozenset, list[str]]] = defaultdict(lambda: defaultdict(list))
    for fid in sorted(facts):
        f = facts[fid]
        contexts = frozenset(ctx_col[r] for r in f["_rows"])
        groups[(tuple(f[k] for k in FACT_KEY), f["parent_fact_id"])][contexts].append(fid)
    similar: dict[tuple[str, str], bool] = {}

    def alike(x: str, y: str) -> bool:
        pair = (x, y) if x <= y else (y, x)
        got = similar.get(pair)
        if got is None:
            got = similar[pair] = context_similarity(x, y) >= CONTEXT_MIN
        return got

    reports = {fid: set(f["report_ids"]) for fid, f in facts.items()}
    for by_contexts in groups.values():
        sigs = list(by_contexts)
        for i, ctx_a in enumerate(sigs):
            for ctx_b in sigs[i:]:
                if not any(alike(x, y) for x in ctx_a for y in ctx_b):
                    continue
                fa_ids, fb_ids = by_contexts[ctx_a], by_contexts[ctx_b]
                for j, a in enumerate(fa_ids):
                    for b in (fa_ids[j + 1:] if ctx_a is ctx_b else fb_ids):
                        if reports[a].isdisjoint(reports[b]):
                            conflicts[a].add(b)
                            conflicts[b].add(a)
    return conflicts


def _break_cycles(facts: dict[str, dict]) -> None:
    """A parent chain that loops (a mislinked part_of) loses the link of the largest fact_id in the loop."""
    for start in sorted(facts):
        seen: list[str] = []
        cur = start
        while cur is not None and cur in facts and cur not in seen:
            seen.append(cur)
            cur = facts[cur]["parent_fact_id"]
        if cur is not None and cur in seen:
            loop = seen[seen.index(cur):]
            facts[max(loop)]["parent_fact_id"] = None


def sort_facts(facts: pd.DataFrame) -> pd.DataFrame:
    """Facts in their fixed order: key, value, fact_id (nulls last)."""
    if facts.empty:
        return facts.reset_index(drop=True)
    keys = [*FACT_KEY, "value", "fact_id"]
    return facts.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


# ---- aggregates on facts --------------------------------------------------------------------------

def _chain(parent: dict, fid: str) -> list[str]:
    """The ancestors of ``fid`` through ``parent`` (fact_id → parent_fact_id), nearest first, stopping at a loop."""
    chain, cur, seen = [], parent.get(fid), {fid}
    while cur is not None and not _na(cur) and cur not in seen:
        chain.append(cur)
        seen.add(cur)
        cur = parent.get(cur)
    return chain


def counted_facts(facts: pd.DataFrame, eligible: pd.Series) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """The eligible facts an aggregate counts: none of whose ancestors is eligible (wholes before parts),
    one per conflict group (latest report, then more reports, then smaller fact_id). Returns the facts
    counted and, per counted fact, the conflicting facts left out for it."""
    mask = eligible.to_numpy()
    if not mask.any():
        return facts[mask], {}
    keep, left_out = counted_ids(_records(facts), mask.tolist())
    return facts[facts["fact_id"].isin(keep).to_numpy() & mask], left_out


_RECORD_COLUMNS = ("fact_id", "parent_fact_id", "last_publish_date", "n_reports", "conflict", "report_ids", "last_report_id")


def _records(facts: pd.DataFrame) -> list[tuple]:
    """What ``counted_ids`` reads of each fact, as tuples in ``_RECORD_COLUMNS`` order."""
    return list(zip(*(facts[c].tolist() for c in _RECORD_COLUMNS)))


def counted_ids(records: list[tuple], eligible: list[bool],
                parents: dict[str, object] | None = None) -> tuple[set[str], dict[str, list[str]]]:
    """``counted_facts`` on plain tuples (``_records``): the ids counted and, per counted fact, the conflicting
    facts left out for it. Ancestors are followed through ``parents`` (fact_id → parent_fact_id of every fact;
    default: ``records``' own), so a part whose whole is reached through a fact outside ``records`` (a whole stated
    in another report) is still not counted with that whole."""
    parent = parents if parents is not None else {r[0]: r[1] for r in records}
    ok = [r for r, e in zip(records, eligible) if e]
    if not ok:
        return set(), {}
    ids = {r[0] for r in ok}

    def has_eligible_ancestor(fid: str) -> bool:
        cur, seen = parent.get(fid), {fid}
        while cur is not None and not _na(cur) and cur not in seen:
            if cur in ids:
                return True
            seen.add(cur)
            cur = parent.get(cur)
        return False

    ok = [r for r in ok if not has_eligible_ancestor(r[0])]
    ids = {r[0] for r in ok}
    rank = {r[0]: (0 if _na(r[2]) else 1, r[2] if not _na(r[2]) else 0, r[3], _neg(r[0])) for r in ok}
    conflict = {r[0]: {y for y in _as_list(r[4]) if y in ids} for r in ok}
    reports = {r[0]: r[5] for r in ok}
    last = {r[0]: r[6] for r in ok}
    left_out: dict[str, list[str]] = {}
    keep: set[str] = set()
    seen: set[str] = set()
    for fid in sorted(ids):
        if fid in seen:
            continue
        group, todo = set(), [fid]
        while todo:  # the conflict component among the candidates
            x = todo.pop()
            if x not in group:
                group.add(x)
                todo += list(conflict[x])
        seen |= group
        remaining = set(group)
        while remaining:  # the latest report's facts win; the facts they contradict are left out
            best = max(remaining, key=lambda x: rank[x])
            won = {best} | {x for x in remaining if last[best] in _as_list(reports[x])}
            lost = {y for x in won for y in conflict[x] if y in remaining and y not in won}
            for x in sorted(won):
                keep.add(x)
                left_out[x] = sorted(y for y in conflict[x] if y in lost)
            remaining -= won | lost
    return keep, left_out


def _neg(fid: str) -> tuple:
    return tuple(-ord(c) for c in fid)  # max() of this prefers the smaller fact_id


def _as_list(v) -> list:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return []
    return list(v)


def _basis(parents) -> str:
    has_parent = [p is not None and not _na(p) for p in parents]
    if all(has_parent):
        return "parts"
    return "wholes+parts" if any(has_parent) else "wholes"


def _group_rows(df: pd.DataFrame, keys: list[str]) -> list[list[int]]:
    """The row positions of each group of ``df`` by ``keys`` (nulls equal nulls), in order of first appearance:
    one pandas call, no frame per group."""
    codes = df.groupby(keys, dropna=False, sort=False).ngroup().to_numpy()
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return [g.tolist() for g in np.split(order, bounds)] if len(order) else []


def _aggregate(facts: pd.DataFrame, eligible: pd.Series, keys: list[str], value_name: str) -> pd.DataFrame:
    """Sum of the counted facts' values by ``keys``, with n_facts, n_mentions, n_reports, basis and the
    fact_ids / metric_ids / conflict_fact_ids lists."""
    counted, left_out = counted_facts(facts, eligible)
    if counted.empty:
        return pd.DataFrame(columns=[*keys, value_name, "n_facts", "n_mentions", "n_reports", "basis", "fact_ids",
                                     "metric_ids", "conflict_fact_ids"])
    key_cols = [counted[k].tolist() for k in keys]
    values = counted["value"].to_numpy(dtype=float)
    n_mentions = counted["n_mentions"].to_numpy(dtype="int64")
    report_ids, metric_ids = counted["report_ids"].tolist(), counted["metric_ids"].tolist()
    parents, fact_ids = counted["parent_fact_id"].tolist(), counted["fact_id"].tolist()
    rows = []
    for g in _group_rows(counted, keys):
        rows.append({
            **{k: (None if _na(col[g[0]]) else col[g[0]]) for k, col in zip(keys, key_cols)},
            value_name: float(values[g].sum()),
            "n_facts": len(g),
            "n_mentions": int(n_mentions[g].sum()),
            "n_reports": len({r for i in g for r in report_ids[i]}),
            "basis": _basis(parents[i] for i in g),
            "fact_ids": sorted(fact_ids[i] for i in g),
            "metric_ids": sorted(x for i in g for x in metric_ids[i]),
            "conflict_fact_ids": sorted({x for i in g for x in left_out.get(fact_ids[i], ())}),
        })
    return pd.DataFrame(rows)


def _sorted(df: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    if df.empty:
        return df.reset_index(drop=True)
    return df.sort_values(keys, kind="stable", na_position="last").reset_index(drop=True)


FUNDING_COLUMNS = [
    "donor", "recipient", "year", "metric_type", "value_cny", "n_mentions", "n_reports", "donor_province",
    "n_facts", "basis", "fact_ids", "metric_ids", "conflict_fact_ids",
]


def funding_by_donor_year(facts: pd.DataFrame) -> pd.DataFrame:
    """Money (CNY) per donor, recipient, year and metric_type, from facts: scope ``aid``, period ``year``
    only (cumulative and to-date figures are in ``cumulative_by_donor``, plans in ``plans_by_donor``);
    wholes before parts; each fact once. ``basis``: ``wholes``, ``parts`` (the whole is absent) or both."""
    if facts.empty:
        return pd.DataFrame(columns=FUNDING_COLUMNS)
    f = facts.assign(year=facts["period_start"])
    eligible = (f["scope"] == "aid") & (f["period"] == "year") & (f["unit"] == "CNY")
    out = _aggregate(f, eligible, ["donor_province", "donor", "recipient", "year", "metric_type"], "value_cny")
    if out.empty:
        return pd.DataFrame(columns=FUNDING_COLUMNS)
    return _sorted(out, ["donor", "recipient", "year", "metric_type", "donor_province"])[FUNDING_COLUMNS]


PLAN_COLUMNS = [
    "donor", "donor_province", "recipient", "target_year", "metric_type", "unit", "value", "n_facts",
    "n_mentions", "n_reports", "basis", "fact_ids", "metric_ids", "conflict_fact_ids",
]


def plans_by_donor(facts: pd.DataFrame) -> pd.DataFrame:
    """Planned, targeted or expected figures (period ``plan``, scope ``aid``) per donor, recipient, target
    year (null when not stated), metric_type and unit; never part of the actuals tables."""
    if facts.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    f = facts.assign(target_year=facts["period_end"])
    eligible = (f["scope"] == "aid") & (f["period"] == "plan")
    out = _aggregate(f, eligible, ["donor_province", "donor", "recipient", "target_year", "metric_type", "unit"], "value")
    if out.empty:
        return pd.DataFrame(columns=PLAN_COLUMNS)
    return _sorted(out, ["donor", "recipient", "target_year", "metric_type", "unit", "donor_province"])[PLAN_COLUMNS]


CUMULATIVE_COLUMNS = [
    "donor", "donor_province", "recipient", "metric_type", "unit", "period_start", "period_end", "period",
    "value", "value_high", "qualifier", "report_id", "publish_date", "n_facts", "fact_ids", "metric_ids",
    "superseded_fact_ids",
]


def cumulative_by_donor(facts: pd.DataFrame) -> pd.DataFrame:
    """The latest cumulative or to-date figures (scope ``aid``) per donor, recipient, metric_type, unit and
    start year, with the report they come from and its publish date. Latest: the fact reaching the
    latest ``period_end``, then from the latest report, then stated by more reports, then the smaller
    fact_id; the row is that report's figure for the group — or figures: a report that states two of
    one group (``17场`` activities and ``169班次`` classes since 2021) is describing two things, so each is
    a row. Parts of an eligible whole are left out. ``superseded_fact_ids``: the group's other figures
    (earlier reports, earlier end years); ``n_facts``: how many figures the group has in all."""
    if facts.empty:
        return pd.DataFrame(columns=CUMULATIVE_COLUMNS)
    eligible = (facts["scope"] == "aid") & facts["period"].isin(["cumulative", "to_date"])
    ok = facts[eligible.to_numpy()]
    if ok.empty:
        return pd.DataFrame(columns=CUMULATIVE_COLUMNS)
    ids = set(ok["fact_id"])
    parent = dict(zip(facts["fact_id"].tolist(), facts["parent_fact_id"].tolist()))  # chains of the eligible only
    ok = ok[[not any(a in ids for a in _chain(parent, f)) for f in ok["fact_id"].tolist()]]
    keys = ["donor_province", "donor", "recipient", "metric_type", "unit", "period_start"]

    def end(f) -> int:
        return -1 if _na(f["period_end"]) else int(f["period_end"])

    rows = []
    records = ok.to_dict("records")  # once, not a frame per group
    for members in _group_rows(ok, keys):
        group = [records[i] for i in members]
        key = tuple(group[0][k] for k in keys)
        best = max(group, key=lambda f: (
            end(f),
            (1, f["last_publish_date"]) if not _na(f["last_publish_date"]) else (0, None),
            f["n_reports"],
            _neg(f["fact_id"]),
        ))
        report = best["last_report_id"]
        chosen = [f for f in group if end(f) == end(best) and report in f["report_ids"]]
        chosen_ids = {f["fact_id"] for f in chosen}
        superseded = sorted(f["fact_id"] for f in group if f["fact_id"] not in chosen_ids)
        for f in chosen:
            rows.append({
                **{k: (None if _na(v) else v) for k, v in zip(keys, key)},
                "period_end": f["period_end"],
                "period": f["period"],
                "value": f["value"],
                "value_high": f["value_high"],
                "qualifier": f["qualifier"],
                "report_id": report,
                "publish_date": best["last_publish_date"],
                "n_facts": len(group),
                "fact_ids": [f["fact_id"]],
                "metric_ids": list(f["metric_ids"]),
                "superseded_fact_ids": superseded,
            })
    out = pd.DataFrame(rows)
    out["_fid"] = [ids[0] for ids in out["fact_ids"]]
    out = _sorted(out, ["donor", "recipient", "metric_type", "unit", "period_start", "donor_province", "value", "_fid"])
    return out[CUMULATIVE_COLUMNS]


# report_summary: per report, the sum of its facts by metric_type (and the unit that type is counted in)
SUMMARY_TOTALS = {
    "funding_cny": ("funding", "CNY"),
    "investment_cny": ("investment", "CNY"),
    "people": ("personnel", "person"),
    "projects": ("projects", "project"),
    "trainees": ("trainees", "person"),
    "beneficiaries": ("beneficiaries", "person"),
    "jobs": ("jobs", "person"),
}
SUMMARY_COLUMNS = [
    "report_id", "title", "publish_date", "donor", "n_sections", "n_metrics", *list(SUMMARY_TOTALS)[:4],
    "n_corrupt_spans", *list(SUMMARY_TOTALS)[4:], "donor_province", "n_facts", "fact_ids", "metric_ids",
]
SUMMARY_PERIODS = ("year", "to_date", "unspecified")


def report_summary(reports: pd.DataFrame, facts: pd.DataFrame) -> pd.DataFrame:
    """Per report: its counts and, over the facts it states (scope ``aid``; period year, to-date or
    unspecified: not cumulative figures, which contain the others, nor plans), each fact once and wholes
    before parts, the totals by metric_type: funding and investment (CNY), people sent (``personnel``),
    projects, trainees, beneficiaries and jobs (persons; 人次 figures are not added to persons).
    ``fact_ids``/``metric_ids``: what the totals add (the report's own mentions of those facts)."""
    if reports.empty:
        return pd.DataFrame(columns=SUMMARY_COLUMNS)
    base_cols = [c for c in ("report_id", "title", "publish_date", "donor", "donor_province", "n_sections", "n_metrics",
                             "n_corrupt_spans") if c in reports]
    out = reports[base_cols].copy()
    if "donor_province" not in out:
        out["donor_province"] = out["donor"]
    per_report: dict[str, dict] = {}
    if len(facts):
        records = _records(facts)
        pairs = set(SUMMARY_TOTALS.values())
        eligible = [(s == "aid") and (p in SUMMARY_PERIODS) and ((t, u) in pairs) for s, p, t, u in
                    zip(facts["scope"].tolist(), facts["period"].tolist(), facts["metric_type"].tolist(),
                        facts["unit"].tolist())]
        types, units, values = facts["metric_type"].tolist(), facts["unit"].tolist(), facts["value"].tolist()
        metric_ids = facts["metric_ids"].tolist()
        parents = {r[0]: r[1] for r in records}  # the whole chain, across reports (as the count-once check reads it)
        rows_of: dict[str, list[int]] = defaultdict(list)  # report → its facts, in table order
        for i, rids in enumerate(records[j][5] for j in range(len(records))):
            for rid in (rids if rids is not None else ()):
                if not _na(rid):
                    rows_of[rid].append(i)
        for rid, rows in rows_of.items():
            keep, _ = counted_ids([records[i] for i in rows], [eligible[i] for i in rows], parents)
            counted = [i for i in rows if eligible[i] and records[i][0] in keep]
            totals = {name: float(np.nansum(np.asarray([values[i] for i in counted if types[i] == t and units[i] == u],
                                                       dtype=float)))
                      for name, (t, u) in SUMMARY_TOTALS.items()}
            prefix = f"{rid}:"
            per_report[rid] = {
                **totals,
                "n_facts": len(counted),
                "fact_ids": sorted(records[i][0] for i in counted),
                "metric_ids": sorted(x for i in counted for x in metric_ids[i] if x.startswith(prefix)),
            }
    empty = {**{n: 0.0 for n in SUMMARY_TOTALS}, "n_facts": 0, "fact_ids": [], "metric_ids": []}
    for col in [*SUMMARY_TOTALS, "n_facts", "fact_ids", "metric_ids"]:
        out[col] = [per_report.get(rid, empty)[col] for rid in out["report_id"]]
    return _sorted(out, ["report_id"])[SUMMARY_COLUMNS]


# ---- what the asset checks verify (pure functions returning the offending rows) -------------------

def double_counted(aggregate: pd.DataFrame, facts: pd.DataFrame, per_row: bool = False) -> list[dict]:
    """Facts an aggregate counts twice: the same fact_id twice in a row or in two rows, or a fact counted
    together with one of its ancestors (its whole). ``per_row``: only within each row (``report_summary``,
    where every report counts the facts it states, so a republished fact is in two rows by design).

    ``double_counted(<rows [f1, f2], [f1]>, facts)`` → ``[{'row': 1, 'fact_id': 'f1', 'problem': 'also counted in row 0'}]``.
    """
    problems: list[dict] = []
    parent = dict(zip(facts["fact_id"].tolist(), facts["parent_fact_id"].tolist())) if len(facts) else {}
    groups = [list(ids) for ids in aggregate["fact_ids"]] if "fact_ids" in aggregate else []
    first_row: dict[str, int] = {}
    for i, ids in enumerate(groups):
        if len(set(ids)) != len(ids):
            problems.append({"row": i, "fact_id": None, "problem": "a fact twice in one row"})
        if not per_row:
            for f in ids:
                if f in first_row and first_row[f] != i:
                    problems.append({"row": i, "fact_id": f, "problem": f"also counted in row {first_row[f]}"})
                first_row.setdefault(f, i)
    pools = [(i, set(ids)) for i, ids in enumerate(groups)] if per_row else [(None, set(first_row))]
    for i, pool in pools:
        for f in sorted(pool):
            for a in _chain(parent, f) if f in parent else ():  # only the counted facts' chains
                if a in pool:
                    problems.append({"row": i, "fact_id": f, "problem": f"counted with its whole {a}"})
    return problems


def parts_exceeding_wholes(facts: pd.DataFrame, units_only: bool = False) -> list[dict]:
    """Parts whose value is above their whole's, or whose whole is not a fact; with ``units_only``, the
    parts counted in another unit than their whole (``其中固投类9个`` as items under 29 projects: an
    extraction inconsistency the check shows without failing on it)."""
    if facts.empty:
        return []
    ids, parents = facts["fact_id"].tolist(), facts["parent_fact_id"].tolist()
    values, units = facts["value"].tolist(), facts["unit"].tolist()
    row_of = {fid: i for i, fid in enumerate(ids)}  # a dict, not a frame lookup per part
    out = []
    for fid, parent, value, unit in zip(ids, parents, values, units):
        if _na(parent) or parent is None:
            continue
        if parent not in row_of:
            if units_only:
                continue
            out.append({"fact_id": fid, "problem": f"whole {parent} is not a fact"})
            continue
        w = row_of[parent]
        if units_only:
            if units[w] != unit:
                out.append({"fact_id": fid, "problem": f"unit {unit} under a whole in {units[w]}"})
        elif value > values[w] * (1 + 1e-9):
            out.append({"fact_id": fid, "problem": f"part {value:g} > whole {values[w]:g}"})
    return out


def mentions_disagreeing(facts: pd.DataFrame, metrics: pd.DataFrame) -> list[dict]:
    """Facts whose mentions do not all have the fact's unit, period, period_start and period_end, or
    metric_ids that are not in the metrics table."""
    if facts.empty:
        return []
    m = with_fact_columns(metrics)
    cols = ("unit", "period", "period_start", "period_end")
    fields = zip(*(m[c].tolist() for c in cols))
    mention = {mid: tuple(None if _na(v) else v for v in vals) for mid, vals in zip(m["metric_id"].tolist(), fields)}
    # the facts to look at row by row: a mention missing, or one whose fields differ from the fact's
    wanted = zip(*(facts[c].tolist() for c in cols))
    suspect = [i for i, (ids, want) in enumerate(zip(facts["metric_ids"].tolist(), wanted))
               if len(ids) == 0 or any(mention.get(x) != tuple(None if _na(v) else v for v in want) for x in ids)]
    if not suspect:
        return []
    m = m.set_index("metric_id")
    out = []
    for f in facts.iloc[suspect].itertuples(index=False):
        ids = list(f.metric_ids)
        missing = [i for i in ids if i not in m.index]
        if missing:
            out.append({"fact_id": f.fact_id, "problem": f"mentions missing from metrics: {missing[:3]}"})
            continue
        rows = m.loc[ids]
        for col in ("unit", "period", "period_start", "period_end"):
            want = getattr(f, col)
            got = {None if _na(v) else v for v in rows[col]}
            if got != {None if _na(want) else want}:
                out.append({"fact_id": f.fact_id, "problem": f"{col}: fact {want!r}, mentions {sorted(map(str, got))}"})
    return out
