"""The tables built from other tables, in dependency order (no Dagster import).

``AGGREGATES[name]`` → ``(build, upstream, columns)``: ``build(*frames)`` makes table ``name`` from the
``upstream`` tables, of which it reads ``columns(name, upstream_table)`` (``None``: every column). The Dagster
assets (``assets/tables.py``) and the roll-forward after a killed table switch (``switch.finish_switch``) both build
from this one list; ``facts`` comes before the aggregates that read it.
"""

from __future__ import annotations

import json
from collections.abc import Callable

from . import facts as fact_tables
from . import io, tables

# the report metadata the aggregates on facts read (not the per-report stats)
REPORT_SUMMARY_INPUTS = ("report_id", "title", "publish_date", "donor", "donor_province", "n_sections", "n_metrics",
                         "n_corrupt_spans")


def input_columns(name: str, upstream: str) -> list[str]:
    """The columns of ``upstream`` that aggregate ``name`` reads: those its column lineage names, plus
    the report_id it groups or joins by. ``input_columns('metrics_by_category', 'metrics')`` →
    ``['report_id', 'metric_id', 'value', 'unit', 'metric_type', 'category']`` (in table order)."""
    named = {src for deps in tables.COLUMN_SOURCES[name].values() for asset, src in deps if asset == upstream}
    return [f.name for f in io.SCHEMAS[upstream] if f.name in named | {"report_id"}]


def fact_inputs(name: str, upstream: str) -> list[str] | None:
    """The columns the facts table and the aggregates on facts read: the metrics' fact fields, the reports' metadata.
    ``fact_inputs('facts', 'reports')`` → ``['report_id', 'publish_date']``"""
    names = set(io.SCHEMAS[upstream].names)
    if upstream == "metrics":
        return [c for c in fact_tables.METRIC_COLUMNS if c in names]
    if upstream == "reports":
        wanted = ("report_id", "publish_date") if name == "facts" else REPORT_SUMMARY_INPUTS
        return [c for c in wanted if c in names]
    return None  # facts: read whole (one row per fact, small)


Aggregate = tuple[Callable, tuple[str, ...], Callable[[str, str], "list[str] | None"]]
AGGREGATES: dict[str, Aggregate] = {
    "metrics_by_category": (tables.metrics_by_category, ("metrics",), input_columns),
    "facts": (fact_tables.build_facts, ("metrics", "reports"), fact_inputs),
    "funding_by_donor_year": (tables.funding_by_donor_year, ("facts",), fact_inputs),
    "cumulative_by_donor": (fact_tables.cumulative_by_donor, ("facts",), fact_inputs),
    "plans_by_donor": (fact_tables.plans_by_donor, ("facts",), fact_inputs),
    "report_summary": (tables.report_summary, ("reports", "facts"), fact_inputs),
}


def built_from_path(wh: str, name: str):
    """What aggregate ``name`` was last built from: a copy of the tables manifest of that build
    (``stages/<name>.built_from.json``; only for the aggregates built incrementally)."""
    return io.warehouse_path(wh) / "stages" / f"{name}.built_from.json"


INCREMENTAL = ("facts",)  # aggregates that can update the rows the changed reports touch instead of rebuilding


def read_current_manifest(wh: str) -> dict | None:
    """The tables manifest (``stages/tables_manifest.json``: what the current contract tables were built from), or None."""
    now = io.manifest_path(wh)
    return json.loads(now.read_text(encoding="utf-8")) if now.exists() else None


def reports_changed_between(old: dict, new: dict) -> set[str] | None:
    """The report_ids new, changed or removed from manifest ``old`` to manifest ``new`` (None: other table code, so
    everything). ``reports_changed_between({'reports': {'k1': ['r1', 'a', 'p']}}, {'reports': {}})`` → ``{'r1'}``."""
    if old.get("code_version") != new.get("code_version"):
        return None
    a, b = old.get("reports", {}), new.get("reports", {})
    out = set()
    for key in set(a) | set(b):
        if a.get(key) != b.get(key) or (b.get(key) or [None, None])[1] is None:
            out |= {v[0] for v in (a.get(key), b.get(key)) if v and v[0] is not None}
    return out


def changed_reports(wh: str, name: str, manifest: dict | None = None) -> set[str] | None:
    """The report_ids new, changed or removed since aggregate ``name`` was built (None: build it in full — no
    record of its last build, other table code, or no current manifest). ``manifest``: the current one, if read."""
    before = built_from_path(wh, name)
    manifest = manifest if manifest is not None else read_current_manifest(wh)
    if manifest is None or not before.exists() or not io.table_path(wh, name).exists():
        return None
    return reports_changed_between(json.loads(before.read_text(encoding="utf-8")), manifest)


def build_aggregate(wh: str, name: str, full: bool = False) -> tuple:
    """Build aggregate ``name`` from the current tables and write it; returns the frame and how it was built
    (``'full'`` or ``'incremental: N reports changed'``). ``facts`` updates only
    the keys of the reports changed since its last build (``facts.update_facts``: the same rows a full build
    gives) unless ``full``; its record of what it was built from is removed before the write and written after,
    so a kill in between leaves a full build to the next run."""
    build, upstream, columns = AGGREGATES[name]
    inputs = [io.read_frame(io.table_path(wh, t), columns=columns(name, t)) for t in upstream]
    record = built_from_path(wh, name)
    note = "full"
    manifest = read_current_manifest(wh) if name in INCREMENTAL else None  # read once: the diff and the record
    if name in INCREMENTAL:
        changed = None if full else changed_reports(wh, name, manifest)
        record.unlink(missing_ok=True)
        if changed is not None:
            old = io.read_frame(io.table_path(wh, name))
            df = fact_tables.update_facts(old, *inputs, changed)
            note = f"incremental: {len(changed)} reports changed"
        else:
            df = build(*inputs)
    else:
        df = build(*inputs)
    io.write_frame(df, io.table_path(wh, name), name)
    if name in INCREMENTAL and manifest is not None:
        io.write_json(record, manifest)
    return df, note
