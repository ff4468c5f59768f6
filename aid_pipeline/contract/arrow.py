"""The Arrow schema of every table and stage store, and the one stage list (no Dagster import).

``SCHEMAS['metrics']`` → the ``metrics`` table's columns and types, as written to ``metrics.parquet``; the pandera
models (``contract/schemas.py``) check the values, ``contract/column_docs.py`` says what each column means.
"""

from __future__ import annotations

import pyarrow as pa

# THE stage list, in pipeline order (every other module imports it: aid_pipeline.runner.plan.STAGES)
STAGE_ORDER = ("raw_reports", "normalised_reports", "report_sections", "report_metrics")
STAGES = (*STAGE_ORDER, "quarantine")  # what is stored per shard: the stages and their quarantine rows

_str = pa.string()
_i32 = pa.int32()
_i64 = pa.int64()
_f64 = pa.float64()
_strs = pa.list_(pa.string())

CORRUPT_SPAN_TYPE = pa.struct(
    [("raw_start", _i32), ("raw_end", _i32), ("raw", _str), ("repaired", _str), ("recovered", pa.bool_()),
     ("reason", _str)]
)
DROPPED_LINE_TYPE = pa.struct([("text", _str), ("raw_start", _i32), ("raw_end", _i32), ("reason", _str)])
# one change of a normalisation step (text/normalise.py NORMALISATION_STEPS), in raw offsets
EDIT_TYPE = pa.struct([("step", _str), ("raw_start", _i32), ("raw_end", _i32), ("before", _str), ("after", _str)])

STAT_COLUMNS = (
    "n_traditional_converted",
    "n_pinyin_removed",
    "n_punct_collapsed",
    "n_html_removed",
    "n_mojibake_repaired",
    "n_mojibake_unrecovered",
    "n_boilerplate_lines",
    "n_spaces_removed",
)

SCHEMAS: dict[str, pa.Schema] = {
    # ---- per-report stage data -------------------------------------------------------------
    "raw_reports": pa.schema(
        [
            ("report_id", _str),
            ("partition_key", _str),
            ("source_path", _str),
            ("sha256", _str),
            ("n_bytes", _i64),
            ("encoding", _str),
            ("raw_text", _str),
        ]
    ),
    "normalised_reports": pa.schema(
        [
            ("report_id", _str),
            ("text", _str),
            ("offsets", pa.list_(_i32)),
            ("offset_ends", pa.list_(_i32)),
            ("script", _str),
            ("n_chars_raw", _i32),
            ("n_chars", _i32),
            ("title", _str),
            ("subtitle", _str),
            ("publish_date", pa.date32()),
            ("publish_time", _str),
            ("source", _str),
            ("reporter", _str),
            ("donor", _str),
            ("donor_province", _str),
            ("recipients", pa.list_(_str)),
            ("n_corrupt_spans", _i32),
            ("corrupt_spans", pa.list_(CORRUPT_SPAN_TYPE)),
            ("dropped_lines", pa.list_(DROPPED_LINE_TYPE)),
            *[(c, _i32) for c in STAT_COLUMNS],
            ("edits", pa.list_(EDIT_TYPE)),
        ]
    ),
    "report_sections": pa.schema(
        [
            ("report_id", _str),
            ("section_id", _str),
            ("ordinal", _i32),
            ("heading", _str),
            ("kind", _str),
            ("category", _str),
            ("text", _str),
            ("start", _i32),
            ("end", _i32),
            ("heading_start", _i32),
            ("heading_end", _i32),
            ("n_sentences", _i32),
            ("sentence_starts", pa.list_(_i32)),
            ("sentence_ends", pa.list_(_i32)),
        ]
    ),
    "report_metrics": pa.schema(
        [
            ("report_id", _str),
            ("metric_id", _str),
            ("section_id", _str),
            ("section_kind", _str),
            ("sentence", _str),
            ("surface", _str),
            ("start", _i32),
            ("end", _i32),
            ("raw_start", _i32),
            ("raw_end", _i32),
            ("value", _f64),
            ("value_high", _f64),
            ("unit", _str),
            ("qualifier", _str),
            ("metric_type", _str),
            ("category", _str),
            ("donor", _str),
            ("recipient", _str),
            ("year", _i32),
            ("period", _str),
            ("period_start", _i32),
            ("period_end", _i32),
            ("part_of", _str),
            ("scope", _str),
            ("donor_province", _str),
        ]
    ),
    "quarantine": pa.schema(
        [
            ("source_path", _str),
            ("sha256", _str),
            ("reason", _str),
            ("detail", _str),
            ("report_id", _str),
            ("partition_key", _str),
            ("stage", _str),
        ]
    ),
    # ---- contract tables ---------------------------------------------------------------------
    "reports": pa.schema(
        [
            ("report_id", _str),
            ("source_path", _str),
            ("sha256", _str),
            ("encoding", _str),
            ("n_chars_raw", _i32),
            ("n_chars", _i32),
            ("title", _str),
            ("subtitle", _str),
            ("publish_date", pa.date32()),
            ("source", _str),
            ("donor", _str),
            ("recipients", pa.list_(_str)),
            ("n_sections", _i32),
            ("n_metrics", _i32),
            ("n_corrupt_spans", _i32),
            ("script", _str),
            ("publish_time", _str),
            ("reporter", _str),
            ("partition_key", _str),
            *[(c, _i32) for c in STAT_COLUMNS],
            ("donor_province", _str),
        ]
    ),
    "texts": pa.schema(
        [
            ("report_id", _str),
            ("raw_text", _str),
            ("text", _str),
            ("offsets", pa.list_(_i32)),
            ("offset_ends", pa.list_(_i32)),
        ]
    ),
    "corrupt_spans": pa.schema(
        [
            ("report_id", _str),
            ("raw_start", _i32),
            ("raw_end", _i32),
            ("raw", _str),
            ("repaired", _str),
            ("recovered", pa.bool_()),
            ("reason", _str),
        ]
    ),
    "dropped_lines": pa.schema(
        [("report_id", _str), ("text", _str), ("raw_start", _i32), ("raw_end", _i32), ("reason", _str)]
    ),
    "edits": pa.schema(
        [("report_id", _str), ("ordinal", _i32), ("step", _str), ("raw_start", _i32), ("raw_end", _i32),
         ("before", _str), ("after", _str)]
    ),
    "funding_by_donor_year": pa.schema(
        [
            ("donor", _str),
            ("recipient", _str),
            ("year", _i32),
            ("metric_type", _str),
            ("value_cny", _f64),
            ("n_mentions", _i64),
            ("n_reports", _i64),
            # built from facts (issue 12): what the value adds, to trace it back
            ("donor_province", _str),
            ("n_facts", _i64),
            ("basis", _str),
            ("fact_ids", _strs),
            ("metric_ids", _strs),
            ("conflict_fact_ids", _strs),
        ]
    ),
    "facts": pa.schema(
        [
            ("fact_id", _str),
            ("donor", _str),
            ("donor_province", _str),
            ("recipient", _str),
            ("metric_type", _str),
            ("unit", _str),
            ("period", _str),
            ("period_start", _i32),
            ("period_end", _i32),
            ("value", _f64),
            ("value_high", _f64),
            ("qualifier", _str),
            ("scope", _str),
            ("parent_fact_id", _str),
            ("n_mentions", _i64),
            ("n_reports", _i64),
            ("metric_ids", _strs),
            ("first_report_id", _str),
            ("conflict", _strs),
            ("report_ids", _strs),
            ("first_publish_date", pa.date32()),
            ("last_report_id", _str),
            ("last_publish_date", pa.date32()),
        ]
    ),
    "cumulative_by_donor": pa.schema(
        [
            ("donor", _str),
            ("donor_province", _str),
            ("recipient", _str),
            ("metric_type", _str),
            ("unit", _str),
            ("period_start", _i32),
            ("period_end", _i32),
            ("period", _str),
            ("value", _f64),
            ("value_high", _f64),
            ("qualifier", _str),
            ("report_id", _str),
            ("publish_date", pa.date32()),
            ("n_facts", _i64),
            ("fact_ids", _strs),
            ("metric_ids", _strs),
            ("superseded_fact_ids", _strs),
        ]
    ),
    "plans_by_donor": pa.schema(
        [
            ("donor", _str),
            ("donor_province", _str),
            ("recipient", _str),
            ("target_year", _i32),
            ("metric_type", _str),
            ("unit", _str),
            ("value", _f64),
            ("n_facts", _i64),
            ("n_mentions", _i64),
            ("n_reports", _i64),
            ("basis", _str),
            ("fact_ids", _strs),
            ("metric_ids", _strs),
            ("conflict_fact_ids", _strs),
        ]
    ),
    "metrics_by_category": pa.schema(
        [
            ("category", _str),
            ("unit", _str),
            ("metric_type", _str),
            ("n_mentions", _i64),
            ("n_reports", _i64),
            ("value_sum", _f64),
        ]
    ),
    "report_summary": pa.schema(
        [
            ("report_id", _str),
            ("title", _str),
            ("publish_date", pa.date32()),
            ("donor", _str),
            ("n_sections", _i32),
            ("n_metrics", _i32),
            ("funding_cny", _f64),
            ("investment_cny", _f64),
            ("people", _f64),
            ("projects", _f64),
            ("n_corrupt_spans", _i32),
            # built from facts (issue 12): totals by metric_type, each fact once
            ("trainees", _f64),
            ("beneficiaries", _f64),
            ("jobs", _f64),
            ("donor_province", _str),
            ("n_facts", _i64),
            ("fact_ids", _strs),
            ("metric_ids", _strs),
        ]
    ),
}
# The contract tables sections/metrics are the stage data without the stage bookkeeping column.
SCHEMAS["sections"] = SCHEMAS["report_sections"]
SCHEMAS["metrics"] = SCHEMAS["report_metrics"]
# Every stage row carries the partition key of its report: the stage stores are keyed by it.
for _stage in ("normalised_reports", "report_sections", "report_metrics"):
    SCHEMAS[_stage] = SCHEMAS[_stage].append(pa.field("partition_key", _str))
SCHEMAS["ledger"] = pa.schema(
    [("partition_key", _str), ("stage", _str), ("sha256", _str), ("code_version", _str), ("outcome", _str)]
)
