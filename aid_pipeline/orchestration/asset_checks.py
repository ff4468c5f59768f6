"""Asset checks a user reads in the UI: pandera schemas (lazy, failure cases as metadata) and lineage rules."""


import functools
import hashlib
import json
import re
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pandera.errors

from ..warehouse import facts as fact_rules
from ..warehouse import io
from ..warehouse.aggregates import read_current_manifest, reports_changed_between
from ..warehouse.inbox import list_inbox
from ..contract.lineage import fold
from .resources import PipelineSettings
from ..text.convert import to_simplified
from ..contract import schemas as table_models
from ..contract.schemas import MODELS, PINYIN_ANNOTATION, typed_table_schema

_PINYIN_RE = re.compile(PINYIN_ANNOTATION)
SCHEMA_CHECKED_TABLES = (
    "reports", "texts", "sections", "metrics", "quarantine", "edits",
    "funding_by_donor_year", "metrics_by_category", "report_summary",
    "facts", "cumulative_by_donor", "plans_by_donor",
)


def _read(settings: PipelineSettings, table: str, columns: list[str] | None = None) -> pd.DataFrame:
    return io.read_frame(io.table_path(settings.warehouse, table), columns=columns)


def _failures_md(df: pd.DataFrame, n: int = 20) -> dg.MetadataValue:
    return dg.MetadataValue.md(df.head(n).to_markdown(index=False) if len(df) else "_none_")


# the columns that tell a reader which row failed, per table
ROW_IDS = {
    "reports": ("report_id",),
    "texts": ("report_id",),
    "sections": ("section_id",),
    "metrics": ("metric_id",),
    "quarantine": ("source_path", "stage"),
    "funding_by_donor_year": ("donor", "recipient", "year", "metric_type"),
    "metrics_by_category": ("category", "unit", "metric_type"),
    "report_summary": ("report_id",),
    "facts": ("fact_id",),
    "cumulative_by_donor": ("donor", "recipient", "metric_type", "unit", "period_start"),
    "plans_by_donor": ("donor", "recipient", "target_year", "metric_type", "unit"),
}


def _cut(v, width: int = 60) -> str:
    s = "" if v is None or (isinstance(v, float) and v != v) else str(v)
    return s if len(s) <= width else s[: width - 1] + "…"


def describe_failures(table: str, df: pd.DataFrame, cases: pd.DataFrame) -> dict:
    """Metadata a reader can act on from pandera's lazy ``failure_cases``: which rows (by their ids),
    which column, which rule and what value failed, a count per rule, and the reports concerned."""
    cases = cases.reset_index(drop=True)
    ids = [c for c in ROW_IDS.get(table, ()) if c in df.columns]
    index = pd.to_numeric(cases["index"], errors="coerce") if "index" in cases else pd.Series([None] * len(cases))
    rows = []
    for i, case in cases.iterrows():
        at = index.iloc[i]
        row_ids = {c: None for c in ids}
        if at == at and at is not None and int(at) in df.index:
            row_ids = {c: df.at[int(at), c] for c in ids}
        rows.append(
            {
                **{c: _cut(v, 40) for c, v in row_ids.items()},
                "column": _cut(case.get("column")) or "(table)",
                "check": _cut(case.get("check")),
                "failure_case": _cut(case.get("failure_case")),
            }
        )
    detail = pd.DataFrame(rows, columns=[*ids, "column", "check", "failure_case"])
    by_check = (
        detail.groupby(["column", "check"], sort=True).size().rename("n_cases").reset_index()
        if len(detail) else pd.DataFrame(columns=["column", "check", "n_cases"])
    )
    valid_at = [int(i) for i in index.dropna() if int(i) in df.index]
    failing_rows = sorted(set(valid_at))
    reports = sorted({str(r) for r in df.loc[failing_rows, "report_id"].dropna()}) if "report_id" in df and failing_rows else []
    return {
        "n_failure_cases": len(cases),
        "rows": len(df),
        "rows_failing": len(failing_rows),
        "failures_by_check": _failures_md(by_check, n=50),
        "failure_cases": _failures_md(detail, n=30),
        "failing_reports": dg.MetadataValue.json(reports[:100]),
    }


# ---- what a check looks at: the rows the runs since its last pass changed, plus global invariants ----------------
#
# A row check (pandera's per-row and per-report rules, traceability, script) passed on every row the last time it
# passed; since then only the rows of the reports new, changed or removed can have changed (the tables manifest
# says which: aggregates.reports_changed_between). So it validates those rows, and the rules over the whole table
# (unique ids) in one pass over their columns. A check that fails leaves no record (the next one checks everything),
# as does a full table build (assets/tables.py), other check code, or other table code.

ROW_SCOPED = {  # table -> the column its rows belong to a report by (facts: the list of reports stating it)
    "reports": "report_id", "texts": "report_id", "sections": "report_id", "metrics": "report_id",
    "edits": "report_id", "facts": "report_ids",
}
_CHECK_CODE = (Path(table_models.__file__), Path(__file__), Path(fact_rules.__file__))  # type: ignore[arg-type]


@functools.cache
def checks_code_version() -> str:
    """A digest of the check code (the pandera models, these checks, the fact rules they call)."""
    digest = hashlib.sha256()
    for path in _CHECK_CODE:
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def checked_record_path(warehouse: str, check: str):
    """What check ``check`` last passed on: ``stages/checks/<check>.checked_from.json`` (a copy of the tables manifest)."""
    return io.warehouse_path(warehouse) / "stages" / "checks" / f"{check}.checked_from.json"


def forget_checked(warehouse: str) -> None:
    """Every check validates its whole table next time (a full table build)."""
    folder = io.warehouse_path(warehouse) / "stages" / "checks"
    if folder.exists():
        for path in folder.glob("*.checked_from.json"):
            path.unlink()


def reports_to_check(warehouse: str, check: str) -> tuple[set[str] | None, dict | None]:
    """``(report_ids new, changed or removed since check`` last passed, or None for every row``; the current
    tables manifest)``: ``reports_to_check('wh', 'metrics_schema')`` → ``({'000301_ab'}, {...})``."""
    manifest = read_current_manifest(warehouse)
    record = checked_record_path(warehouse, check)
    if manifest is None or not record.exists():
        return None, manifest
    old = json.loads(record.read_text(encoding="utf-8"))
    if old.get("checks_code_version") != checks_code_version():
        return None, manifest
    return reports_changed_between(old.get("manifest", {}), manifest), manifest


def mark_checked(warehouse: str, check: str, manifest: dict | None) -> None:
    """Check ``check`` passed on the tables of ``manifest``: the next one looks only at what changes after it."""
    if manifest is not None:
        io.write_json(checked_record_path(warehouse, check), {"checks_code_version": checks_code_version(),
                                                              "manifest": manifest})


def read_rows_of(path, table: str, reports: set[str] | None, columns: list[str] | None = None) -> pa.Table:
    """The rows of ``table`` (a Parquet file) that belong to ``reports`` (all rows when None), as Arrow. The tables
    are sorted by report and ``texts`` is written in row groups, so the row groups of other reports are skipped."""
    if reports is None:
        return pq.read_table(path, columns=columns)
    by = ROW_SCOPED[table]
    wanted = pa.array(sorted(reports), type=pa.string())
    read = None if columns is None else list(dict.fromkeys([*columns, by]))
    if by == "report_ids":  # facts: the rows stating one of the reports
        t = pq.read_table(path, columns=read)
        flat = pc.list_flatten(t[by])
        hit = pc.is_in(flat, value_set=wanted).to_numpy(zero_copy_only=False)
        rows = np.unique(pc.list_parent_indices(t[by]).to_numpy()[hit])
        t = t.take(pa.array(rows, type=pa.int64()))
    elif not reports:
        t = pq.read_table(path, columns=read).slice(0, 0)
    else:
        try:
            t = pq.read_table(path, columns=read, filters=pc.field(by).isin(wanted))
        except (TypeError, ValueError, NotImplementedError, pa.ArrowException):  # a store the filter cannot read
            t = pq.read_table(path, columns=read)
            t = t.filter(pc.is_in(t[by], value_set=wanted))
    return t if columns is None else t.select(columns)


def duplicates(path, column: str) -> list:
    """Values of ``column`` found in more than one row of the whole table (one pass over that column alone)."""
    col = pq.read_table(path, columns=[column])[column]
    counts = pc.value_counts(col)
    dup = pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))
    return sorted(v for v in dup.to_pylist() if v is not None)


@functools.cache
def _row_schema(table: str, scoped: bool):
    """The pandera schema of ``table`` as checked on the rows read; ``scoped``: without the uniqueness rules (checked
    over the whole column by ``duplicates``)."""
    schema = typed_table_schema(MODELS[table])
    if scoped:
        schema = schema.update_columns({c: {"unique": False} for c, col in schema.columns.items() if col.unique})
    return schema


def _unique_columns(table: str) -> list[str]:
    return [c for c, col in typed_table_schema(MODELS[table]).columns.items() if col.unique]


def _schema_check(table: str):
    scoped_by = ROW_SCOPED.get(table)

    @dg.asset_check(
        asset=table,
        name=f"{table}_schema",
        description=f"pandera model {MODELS[table].__name__} validated lazily on the {table} table: "
                    + ("the rows of the reports changed since the check last passed (every row after a full build), "
                       "and every unique id over the whole table." if scoped_by else "every row."),
        blocking=True,
    )
    def _check(settings: PipelineSettings) -> dg.AssetCheckResult:
        wh, name = settings.warehouse, f"{table}_schema"
        path = io.table_path(wh, table)
        reports, manifest = reports_to_check(wh, name) if scoped_by else (None, read_current_manifest(wh))
        df = read_rows_of(path, table, reports).to_pandas(types_mapper=io._arrow_types_mapper)
        scope = "every row" if reports is None else f"the rows of {len(reports)} reports changed since the last pass"
        cases = []
        try:
            _row_schema(table, reports is not None).validate(df, lazy=True)
        except pandera.errors.SchemaErrors as err:
            cases.append(err.failure_cases)
        if reports is not None:  # the table-wide rules: no id twice in the whole table
            for col in _unique_columns(table):
                dup = duplicates(path, col)
                if dup:
                    cases.append(pd.DataFrame({"index": [None] * len(dup), "column": col, "check": "field_uniqueness",
                                               "failure_case": dup}))
        if cases:
            metadata = describe_failures(table, df, pd.concat(cases, ignore_index=True))
            return dg.AssetCheckResult(passed=False, metadata={**metadata, "checked": scope})
        mark_checked(wh, name, manifest)
        return dg.AssetCheckResult(passed=True, metadata={"rows": len(df), "n_failure_cases": 0, "checked": scope})

    return _check


schema_checks = [_schema_check(t) for t in SCHEMA_CHECKED_TABLES]


@dg.asset_check(asset="texts", description="No Traditional character (one that t2s would change) and no pinyin annotation "
                                            "left (in the texts of the reports changed since the check last passed).")
def texts_are_simplified(settings: PipelineSettings) -> dg.AssetCheckResult:
    reports, manifest = reports_to_check(settings.warehouse, "texts_are_simplified")
    texts = read_rows_of(io.table_path(settings.warehouse, "texts"), "texts", reports, columns=["report_id", "text"])
    bad = []
    for rid, text in _unsimplified_candidates(texts):
        converted = to_simplified(text)
        changed = [a for a, b in zip(text, converted) if a != b]
        pinyin = _PINYIN_RE.search(text) is not None
        if changed or pinyin or len(converted) != len(text):
            bad.append({"report_id": rid, "traditional_chars": "".join(sorted(set(changed)))[:50], "pinyin_left": bool(pinyin)})
    if not bad:
        mark_checked(settings.warehouse, "texts_are_simplified", manifest)
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"reports_checked": len(texts), "reports_failing": len(bad), "failures": _failures_md(pd.DataFrame(bad))},
    )


def _unsimplified_candidates(texts: pa.Table, chunk: int = 500):
    """``(report_id, text)`` of the reports that may hold Traditional characters or pinyin: the texts are
    converted ``chunk`` reports at a time in one call (fast, and memory stays bounded); only a chunk
    where something would change is looked at report by report."""
    for start in range(0, len(texts), chunk):
        part = texts.slice(start, chunk)
        rids, bodies = part["report_id"].to_pylist(), part["text"].to_pylist()
        whole = "\n".join(bodies)
        if to_simplified(whole) != whole or _PINYIN_RE.search(whole) is not None:
            yield from zip(rids, bodies)


@dg.asset_check(
    asset="metrics",
    additional_deps=["texts"],
    description="Every metric's surface equals text[start:end] and its raw span holds the same characters in the raw text "
                "(the metrics of the reports changed since the check last passed).",
    blocking=True,
)
def metrics_trace_to_text(settings: PipelineSettings) -> dg.AssetCheckResult:
    wh = settings.warehouse
    reports, manifest = reports_to_check(wh, "metrics_trace_to_text")
    cols = ["metric_id", "report_id", "surface", "start", "end", "raw_start", "raw_end"]
    metrics = read_rows_of(io.table_path(wh, "metrics"), "metrics", reports, columns=cols)
    texts = read_rows_of(io.table_path(wh, "texts"), "texts", reports, columns=["report_id", "text", "raw_text"])
    bad = untraceable_metrics(metrics, texts)
    if not bad:
        mark_checked(wh, "metrics_trace_to_text", manifest)
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"metrics_checked": len(metrics), "metrics_failing": len(bad), "failures": _failures_md(pd.DataFrame(bad))},
    )


def untraceable_metrics(metrics: pa.Table, texts: pa.Table) -> list[dict]:
    """Metrics whose surface is not ``text[start:end]``, or whose raw span does not hold it, with the problem.

    ``untraceable_metrics(<metric 'm1' of r1: '50万元' at 3:7>, <r1: text '投资了50万元'>)`` →
    ``[{'metric_id': 'm1', 'problem': "text[start:end]='50万元' != '50万元'…"}]`` only when they differ.
    Rows are compared per report in list comprehensions (no pandas row loop), raw spans folded only
    when they are not equal as written.
    """
    row_of = {rid: i for i, rid in enumerate(texts["report_id"].to_pylist())}  # texts made Python one report at a time
    text_col, raw_col = texts["text"], texts["raw_text"]
    ids, rids, surfaces = (metrics[c].to_pylist() for c in ("metric_id", "report_id", "surface"))
    starts, ends, raw_starts, raw_ends = (metrics[c].to_pylist() for c in ("start", "end", "raw_start", "raw_end"))
    folded: dict[str, str] = {}  # the same surfaces and raw spans recur across reports: fold each once

    def fold_once(x: str) -> str:
        f = folded.get(x)
        if f is None:
            f = folded[x] = fold(x)
        return f

    bad = []
    i, n = 0, len(ids)
    while i < n:
        rid = rids[i]
        j = i + 1
        while j < n and rids[j] == rid:
            j += 1
        row = row_of.get(rid)
        if row is None:
            bad += [{"metric_id": m, "problem": "report missing from texts"} for m in ids[i:j]]
            i = j
            continue
        text, raw_text = text_col[row].as_py(), raw_col[row].as_py()
        block = range(i, j)
        got = [text[starts[k]:ends[k]] for k in block]
        raw = [raw_text[raw_starts[k]:raw_ends[k]] for k in block]
        for k, g, r in zip(block, got, raw):
            surface = surfaces[k]
            if g != surface:
                bad.append({"metric_id": ids[k], "problem": f"text[start:end]={g!r} != {surface!r}"})
            elif r != surface and fold_once(r) != fold_once(surface):  # equal as written: no need to fold
                bad.append({"metric_id": ids[k], "problem": f"raw {r!r} != {surface!r}"})
        i = j
    return bad


@dg.asset_check(asset="reports", additional_deps=["sections"], description="Every report has at least one section.")
def every_report_has_a_section(settings: PipelineSettings) -> dg.AssetCheckResult:
    reports = _read(settings, "reports", columns=["report_id"])
    sections = _read(settings, "sections", columns=["report_id"])
    missing = sorted(set(reports["report_id"]) - set(sections["report_id"]))
    return dg.AssetCheckResult(
        passed=not missing, metadata={"reports": len(reports), "reports_without_sections": dg.MetadataValue.json(missing[:100])}
    )


@dg.asset_check(
    asset="quarantine",
    additional_deps=["reports"],
    description="Every file in the inbox is either a report or a quarantine row: nothing is silently dropped.",
)
def every_input_accounted_for(settings: PipelineSettings) -> dg.AssetCheckResult:
    inbox = {str(f.path) for f in list_inbox(settings.inbox)}
    reports = set(_read(settings, "reports", columns=["source_path"])["source_path"])
    quarantined = set(_read(settings, "quarantine", columns=["source_path"])["source_path"])
    missing = inbox - reports - quarantined
    # a file that landed after the tables were switched is the next run's (the sensor's), not a loss
    pending = arrived_after_tables(settings.warehouse, missing)
    lost = sorted(missing - pending)
    return dg.AssetCheckResult(
        passed=not lost,
        metadata={
            "inbox_files": len(inbox),
            "reports": len(reports & inbox),
            "quarantined": len(quarantined & inbox),
            "arrived_after_the_tables": dg.MetadataValue.json(sorted(pending)[:100]),
            "unaccounted": dg.MetadataValue.json(lost[:100]),
        },
    )


def arrived_after_tables(warehouse: str, paths: set[str]) -> set[str]:
    """Of ``paths``, those created or changed after the current tables were switched in (their manifest's time):
    they wait for the next run. ``arrived_after_tables('wh', {'inbox/new.txt'})`` → ``{'inbox/new.txt'}``"""
    import os

    try:
        built = os.stat(io.manifest_path(warehouse)).st_mtime
    except (OSError, TypeError):
        return set()
    out = set()
    for p in paths:
        try:
            st = os.stat(p)
        except OSError:
            out.add(p)  # gone again since the listing: nothing to account for
            continue
        if max(st.st_mtime, st.st_ctime) > built:
            out.add(p)
    return out


def _stage_check(stage: str):
    from ..runner.plan import registered_reports
    from ..contract.version import text_code_version

    @dg.asset_check(
        asset=stage,
        name=f"{stage}_complete_and_valid",
        description=f"Every report the warehouse holds went through {stage} with the current code, "
        "and exactly the reports that passed (and its pandera model, checked before storing) have stored rows.",
    )
    def _check(context: dg.AssetCheckExecutionContext, settings: PipelineSettings) -> dg.AssetCheckResult:
        keys = registered_reports(settings.warehouse)
        ledger = io.read_ledger(settings.warehouse)
        mine = ledger[(ledger["stage"] == stage) & (ledger["code_version"] == text_code_version())]
        outcome = dict(zip(mine["partition_key"], mine["outcome"]))
        missing = sorted(k for k in keys if k not in outcome)
        # rows were validated against the pandera model before they were stored (failing reports are
        # quarantined); here: is every report that passed really stored, and nothing else?
        stored = set(io.read_stage_table(settings.warehouse, stage, keys, columns=["partition_key"])["partition_key"].to_pylist())
        ok = {k for k in keys if outcome.get(k) == "ok"}
        not_stored = sorted(ok - stored) if stage != "report_metrics" else []  # a report may have no metric
        stale_rows = sorted(stored - ok)
        metadata = {
            "reports_checked": len(keys),
            "outcomes": dg.MetadataValue.json(
                dict(sorted(pd.Series([outcome[k] for k in keys if k in outcome], dtype=object).value_counts().items()))
            ),
            "reports_missing": dg.MetadataValue.json(missing[:100]),
            "ok_but_not_stored": dg.MetadataValue.json(not_stored[:100]),
            "stored_but_not_ok": dg.MetadataValue.json(stale_rows[:100]),
        }
        return dg.AssetCheckResult(passed=not (missing or not_stored or stale_rows), metadata=metadata)

    return _check


stage_checks = [_stage_check(s) for s in io.STAGE_ORDER]

# ---- facts (issue 12): each fact counted once, parts within wholes, mentions that agree --------------

FACT_AGGREGATES = ("funding_by_donor_year", "plans_by_donor", "cumulative_by_donor", "report_summary")


def _count_once_check(table: str):
    per_row = table == "report_summary"  # each report counts the facts it states: a republished fact is in two rows

    @dg.asset_check(
        asset=table,
        name=f"{table}_counts_each_fact_once",
        additional_deps=["facts"],
        description=(f"No fact is counted twice in {table}: no fact_id in two rows" if not per_row else
                     f"No fact is counted twice in a {table} row") + ", and no fact together with its whole.",
    )
    def _check(settings: PipelineSettings) -> dg.AssetCheckResult:
        agg = io.read_frame(io.table_path(settings.warehouse, table), columns=["fact_ids"])
        facts = io.read_frame(io.table_path(settings.warehouse, "facts"), columns=["fact_id", "parent_fact_id"])
        bad = fact_rules.double_counted(agg, facts, per_row=per_row)
        return dg.AssetCheckResult(
            passed=not bad,
            metadata={"rows": len(agg), "facts_counted": int(sum(len(x) for x in agg["fact_ids"])),
                      "problems": len(bad), "failures": _failures_md(pd.DataFrame(bad))},
        )

    return _check


count_once_checks = [_count_once_check(t) for t in FACT_AGGREGATES]


@dg.asset_check(asset="facts", description="Every part's value is at most its whole's (parts in another unit than their whole are listed).")
def facts_parts_within_wholes(settings: PipelineSettings) -> dg.AssetCheckResult:
    facts = _read(settings, "facts", columns=["fact_id", "parent_fact_id", "value", "unit"])
    bad = fact_rules.parts_exceeding_wholes(facts)
    other_units = fact_rules.parts_exceeding_wholes(facts, units_only=True)
    n_parts = int(facts["parent_fact_id"].notna().sum())
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"parts": n_parts, "parts_failing": len(bad), "failures": _failures_md(pd.DataFrame(bad)),
                  "parts_in_another_unit": len(other_units), "other_units": _failures_md(pd.DataFrame(other_units))},
    )


@dg.asset_check(
    asset="facts",
    additional_deps=["metrics"],
    description="Every fact's mentions are rows of metrics and agree with it on unit and period (kind, start, end) "
                "(the facts stated by the reports changed since the check last passed).",
)
def facts_mentions_agree(settings: PipelineSettings) -> dg.AssetCheckResult:
    wh = settings.warehouse
    reports, manifest = reports_to_check(wh, "facts_mentions_agree")
    facts = read_rows_of(io.table_path(wh, "facts"), "facts", reports,
                         columns=["fact_id", "metric_ids", "unit", "period", "period_start", "period_end", "report_ids"])
    facts = facts.to_pandas(types_mapper=io._types_mapper)
    names = io.SCHEMAS["metrics"].names
    cols = [c for c in ("metric_id", "unit", "year", "period", "period_start", "period_end") if c in names]
    # the mentions of those facts: the rows of the reports that state them
    stating = None if reports is None else {r for ids in facts["report_ids"] for r in ids}
    metrics = read_rows_of(io.table_path(wh, "metrics"), "metrics", stating, columns=cols)
    bad = fact_rules.mentions_disagreeing(facts.drop(columns=["report_ids"]), metrics.to_pandas(types_mapper=io._types_mapper))
    if not bad:
        mark_checked(wh, "facts_mentions_agree", manifest)
    return dg.AssetCheckResult(
        passed=not bad,
        metadata={"facts": len(facts), "facts_failing": len(bad), "failures": _failures_md(pd.DataFrame(bad))},
    )


fact_checks = [*count_once_checks, facts_parts_within_wholes, facts_mentions_agree]

all_checks = [*stage_checks, *schema_checks, texts_are_simplified, metrics_trace_to_text, every_report_has_a_section,
              every_input_accounted_for, *fact_checks]
