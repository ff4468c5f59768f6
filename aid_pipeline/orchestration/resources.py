"""Where the pipeline reads reports from and writes tables to, as a Dagster resource."""

from __future__ import annotations

import os

import dagster as dg

from ..warehouse.io import DEFAULT_WAREHOUSE

DEFAULT_INBOX = "seeds"


class PipelineSettings(dg.ConfigurableResource):
    """``inbox``: folder of report files; ``warehouse``: folder of Parquet tables."""

    inbox: str = DEFAULT_INBOX
    warehouse: str = DEFAULT_WAREHOUSE


def settings_from_env(**given) -> PipelineSettings:
    """Settings from the arguments given, else ``$AID_INBOX`` / ``$AID_WAREHOUSE``, else ``seeds`` / ``warehouse``
    (read when called, at launch, never at import)."""
    given = {k: v for k, v in given.items() if v is not None}
    return PipelineSettings(**{
        "inbox": os.environ.get("AID_INBOX") or DEFAULT_INBOX,
        "warehouse": os.environ.get("AID_WAREHOUSE") or DEFAULT_WAREHOUSE,
        **given,
    })
