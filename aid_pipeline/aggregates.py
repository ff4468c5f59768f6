"""The tables built from other tables, in dependency order (no Dagster import).

``AGGREGATES[name]`` → ``(build, upstream, columns)``: ``build(*frames)`` makes table ``name`` from the
``upstream`` tables, of which it reads ``columns(name, upstream_table)`` (``None``: every column). The Dagster
assets (``assets/tables.py``) and the roll-forward after a killed table switch (``switch.finish_switch``) both build
from this one list; ``facts`` comes before the aggregates that read it.
"""

from __future__ import annotations

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
