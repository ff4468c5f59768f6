"""What each column of each table means: the one place column descriptions live (no Dagster import).

``COLUMNS`` describes a column wherever it appears; ``PER_TABLE`` overrides it in a table where the same
name means something else (``text`` is the whole normalised report in ``texts``, a section's text in
``sections``). Dagster's ``dagster/column_schema`` of every asset takes its descriptions from here
(``assets.common.column_schema``), and ``tests/test_column_docs.py`` fails when a column of a table in
``io.SCHEMAS`` has none. ``column_description('metrics', 'surface')`` →
``'the figure exactly as written in the normalised text: text[start:end] (5.3亿元)'``.
"""

from __future__ import annotations

_CNY_TOTAL = "sum in yuan of the report's {what} facts, each fact once, wholes before parts (null: none stated)"
_COUNT_TOTAL = "sum of the report's {what} facts, each fact once, wholes before parts (null: none stated)"

COLUMNS: dict[str, str] = {
    # identity and provenance
    "report_id": "the report: its input file's name without extension(s)",
    "partition_key": "the report's key in the stage data and the ledger (from its file name in the inbox)",
    "source_path": "path of the input file the report was read from",
    "sha256": "SHA-256 (hex) of the input file's bytes as read",
    "n_bytes": "size of the input file in bytes",
    "encoding": "the codec the bytes were decoded with (utf-8, utf-8-sig, utf-16-le/be, gb18030, gbk, big5)",
    "raw_text": "the input file decoded, unchanged otherwise (what raw_start/raw_end index)",
    "text": "the normalised text: Simplified Chinese, pinyin, page chrome and mojibake cleaned",
    "offsets": "per normalised character, the index in raw_text it came from",
    "offset_ends": "per normalised character, the end (exclusive) in raw_text of what it came from",
    "script": "the report's original script: simplified, traditional or mixed",
    "n_chars_raw": "characters in raw_text",
    "n_chars": "characters in the normalised text",
    # report metadata
    "title": "the report's title (null if none found)",
    "subtitle": "the line under the title when it is a subtitle (null if none)",
    "publish_date": "the report's publication date (null if unknown)",
    "publish_time": "the publication time of day as written, HH:MM (null if none)",
    "source": "the publishing outlet named in the report (null if none)",
    "reporter": "the reporter or author named in the byline (null if none)",
    "donor": "the donor province or city (对口援疆 partner) the figure or report is attributed to; null when "
             "none is named or the report sums several donors",
    "donor_province": "the province the donor rolls up to (湖州 → 浙江, 深圳 → 广东); null when donor is null",
    "recipients": "the Xinjiang recipient places (prefectures, counties, corps divisions) the report names",
    "recipient": "the Xinjiang recipient place the figure is for (null if none named)",
    "n_sections": "sections of the report",
    "n_metrics": "metric mentions extracted from the report",
    "n_corrupt_spans": "mojibake runs and undecodable bytes found in the report (see corrupt_spans)",
    "corrupt_spans": "the report's mojibake runs and undecodable bytes: raw span, raw characters, repair",
    "dropped_lines": "the lines removed as page chrome, with their raw span and reason",
    "edits": "every change of every normalisation step, in order, in raw offsets (the edits table's rows)",
    "step": "the normalisation step that made the change (text/normalise.py NORMALISATION_STEPS)",
    "before": "the characters the step replaced, as the step read them",
    "after": "what the step put in their place (empty: removed)",
    "n_traditional_converted": "characters converted from Traditional to Simplified",
    "n_pinyin_removed": "pinyin annotations removed from after Chinese characters",
    "n_punct_collapsed": "doubled or clashing punctuation marks collapsed to one",
    "n_html_removed": "HTML tags and entities removed",
    "n_mojibake_repaired": "mojibake runs repaired from the GBK bytes",
    "n_mojibake_unrecovered": "mojibake characters that could not be recovered (left as U+FFFD)",
    "n_boilerplate_lines": "page chrome lines removed (bylines, share widgets, footers …)",
    "n_spaces_removed": "spaces removed (between a digit and a Chinese character, inside words)",
    # sections
    "section_id": "the section: <report_id>:sNNN, numbered in text order",
    "ordinal": "the section's position in the report, from 0",
    "heading": "the section's heading line (null for the lead before the first heading)",
    "kind": "lead (before the first heading), body (under a heading), caption (photo caption) or appended "
            "(a second, unrelated article glued on)",
    "section_kind": "kind of the section the figure is in: lead, body, caption or appended",
    "category": "the section's topic: industry, livelihood, education, health, employment, talent, culture, "
                "exchange or other",
    "start": "start offset (inclusive) in the normalised text",
    "end": "end offset (exclusive) in the normalised text",
    "heading_start": "start of the heading in the normalised text (null without a heading)",
    "heading_end": "end of the heading in the normalised text (null without a heading)",
    "n_sentences": "sentences in the section",
    "sentence_starts": "start offset in the normalised text of each sentence of the section",
    "sentence_ends": "end offset in the normalised text of each sentence of the section",
    # metric mentions
    "metric_id": "the metric mention: <report_id>:mNNNN, numbered in text order",
    "sentence": "the sentence the figure is in (for a very long sentence, the clauses around the figure)",
    "surface": "the figure exactly as written in the normalised text: text[start:end] (5.3亿元)",
    "raw_start": "start offset (inclusive) in raw_text of the same characters",
    "raw_end": "end offset (exclusive) in raw_text of the same characters",
    "value": "the figure in base units (yuan, persons, percent as the percent number …); the low end of a range",
    "value_high": "the high end of a range (null for a single value)",
    "unit": "the base unit: CNY, person, person_time, household, project, enterprise, percent, mu … (gold GUIDE vocabulary)",
    "qualifier": "how the figure is stated: exact, approx, at_least, at_most or range (gold GUIDE vocabulary)",
    "metric_type": "what the figure measures: funding, investment, projects, personnel (people sent), trainees, "
                   "beneficiaries, jobs … (gold GUIDE vocabulary)",
    "year": "the year the figure is for: stated in its sentence, or 今年/去年 from the publish date (null if none)",
    "period": "the time the figure covers: year, to_date, cumulative, plan or unspecified",
    "period_start": "first year of the period (2010年以来 → 2010; null if unknown)",
    "period_end": "last year of the period (the publish year for 以来; null if unknown)",
    "part_of": "metric_id of the whole this figure breaks down (其中/包括 …; null for a whole)",
    "scope": "aid (counterpart aid given) or context (the setting: a region's GDP, population …)",
    # quarantine
    "reason": "why it was set aside: empty, binary, undecodable, no_chinese, schema_violation, <stage>_failed …",
    "detail": "what exactly went wrong (the error message, the failing rule)",
    "stage": "the stage that quarantined the input (raw_reports, normalised_reports …)",
    # corrupt spans
    "raw": "the corrupt characters as decoded",
    "repaired": "the characters recovered from the bytes (U+FFFD for any that cannot be)",
    "recovered": "true when every character of the run was recovered",
    # facts and aggregates on them
    "fact_id": "the fact: f + 16 hex of SHA-256 of its key and value (stable across file names and order)",
    "parent_fact_id": "fact_id of the whole this fact is part of (null for a whole)",
    "n_mentions": "metric mentions counted",
    "n_reports": "reports the mentions come from",
    "n_facts": "facts counted, each once",
    "metric_ids": "metric_ids of the mentions behind the row",
    "fact_ids": "fact_ids the row adds up",
    "report_ids": "report_ids of the reports stating the fact",
    "first_report_id": "the earliest published report stating the fact",
    "first_publish_date": "publish date of the earliest report stating the fact",
    "last_report_id": "the latest published report stating the fact",
    "last_publish_date": "publish date of the latest report stating the fact",
    "conflict": "fact_ids of facts with the same key and another value, in a similar sentence of another report",
    "conflict_fact_ids": "fact_ids left out as the other side of a conflict (the latest report's value counts)",
    "superseded_fact_ids": "earlier cumulative facts of the same key, replaced by this latest one",
    "basis": "which facts the sum takes: wholes, parts (no whole stated) or wholes+parts",
    "value_cny": "sum in yuan of the year's aid facts (scope aid, period year, CNY), each fact once, wholes before parts",
    "target_year": "the year the plan is for (null if none stated)",
    "value_sum": "sum of the mentions' values (mentions, not facts: a figure stated twice counts twice)",
    "funding_cny": _CNY_TOTAL.format(what="funding"),
    "investment_cny": _CNY_TOTAL.format(what="investment"),
    "people": _COUNT_TOTAL.format(what="people-sent (personnel)"),
    "projects": _COUNT_TOTAL.format(what="project-count"),
    "trainees": _COUNT_TOTAL.format(what="trainee"),
    "beneficiaries": _COUNT_TOTAL.format(what="beneficiary"),
    "jobs": _COUNT_TOTAL.format(what="job"),
    # the ledger
    "code_version": "digest of the stage code that processed the report",
    "outcome": "ok, quarantined or upstream_quarantined",
}

PER_TABLE: dict[tuple[str, str], str] = {
    ("report_sections", "text"): "the section's text: the normalised text from start to end",
    ("sections", "text"): "the section's text: the normalised text from start to end",
    ("report_sections", "category"): COLUMNS["category"],
    ("dropped_lines", "text"): "the removed line as it read",
    ("dropped_lines", "reason"): "why it was removed: which page-chrome rule matched, or not_main_text",
    ("edits", "ordinal"): "the edit's place among the report's edits, from 0, in the order the steps made them",
    ("edits", "raw_start"): "start offset (inclusive) in raw_text of what the step changed",
    ("edits", "raw_end"): "end offset (exclusive) in raw_text of what the step changed (= raw_start: an insertion)",
    ("corrupt_spans", "raw_start"): "start offset (inclusive) of the run in raw_text",
    ("corrupt_spans", "raw_end"): "end offset (exclusive) of the run in raw_text",
    ("metrics", "category"): "the category of the section the figure is in",
    ("report_metrics", "category"): "the category of the section the figure is in",
    ("metrics_by_category", "category"): "the section category",
    ("facts", "value"): "the fact's value in base units: the most precise of its mentions (never a mean)",
    ("facts", "n_mentions"): "metric mentions stating the fact",
    ("facts", "n_reports"): "reports stating the fact",
    ("facts", "metric_ids"): "metric_ids of the mentions stating the fact",
    ("cumulative_by_donor", "value"): "the latest cumulative or to-date figure, in base units",
    ("cumulative_by_donor", "report_id"): "the report the latest figure comes from",
    ("cumulative_by_donor", "publish_date"): "publish date of that report",
    ("plans_by_donor", "value"): "the planned figure in base units, summed over the plan facts (never in the actuals)",
    ("ledger", "sha256"): "SHA-256 of the bytes the stage processed",
    ("ledger", "stage"): "the stage the entry is for",
}


def column_description(table: str, column: str) -> str:
    """What ``column`` of ``table`` holds ('' when undescribed): ``column_description('reports', 'script')`` →
    ``"the report's original script: simplified, traditional or mixed"``."""
    return PER_TABLE.get((table, column)) or COLUMNS.get(column, "")
