"""What the Dagster assets share: the full-run tag, previews as markdown, column schemas."""

from __future__ import annotations

import dagster as dg
import pandas as pd

from ...warehouse import io
from ...contract.column_docs import column_description
from ...contract.version import text_code_version
from ...launch import FULL_RUN_TAG

STAGE_CODE_VERSION = text_code_version()


def is_full_run(context) -> bool:
    """A run tagged ``aid/full=true`` reprocesses every report; otherwise reports whose sha256 and code version
    match the ledger keep their stored rows (``aid-pipeline run --full``)."""
    return str(context.run.tags.get(FULL_RUN_TAG, "")).lower() in ("1", "true", "yes")


def preview_markdown(df: pd.DataFrame, n: int = 8, width: int = 40) -> str:
    """The first rows as a markdown table, long cells cut to ``width`` characters."""
    if df.empty:
        return "_no rows_"
    cols = [c for c in df.columns if c not in ("raw_text", "offsets", "offset_ends", "sentence_starts", "sentence_ends")]
    head = df[cols].head(n).copy()
    for c in head.columns:
        head[c] = head[c].map(lambda v: _cell(v, width))
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    lines += ["| " + " | ".join(row) + " |" for row in head.astype(str).values.tolist()]
    return "\n".join(lines)


def _cell(v, width: int) -> str:
    s = "" if v is None else str(v)
    s = s.replace("\n", " ⏎ ").replace("|", "\\|")
    return s if len(s) <= width else s[: width - 1] + "…"


def column_schema(table: str) -> dg.TableSchema:
    """The Arrow schema of a table as Dagster's ``dagster/column_schema`` metadata, each column with its
    description (``aid_pipeline.contract.column_docs``)."""
    return dg.TableSchema(
        columns=[dg.TableColumn(name=f.name, type=str(f.type), description=column_description(table, f.name))
                 for f in io.SCHEMAS[table]]
    )
