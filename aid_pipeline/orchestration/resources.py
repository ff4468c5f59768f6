"""The pipeline's settings as a Dagster resource: where reports come from and tables go, shards, workers.

Every field can be set per run in the run config (``resources: {settings: {config: {workers: 2}}}``, e.g. from
the launchpad; name every field that is not the class default: Dagster fills the others from the class, not
from the resource the Definitions hold). The defaults are read from the environment by ``settings_from_env``
when the Definitions are built or ``aid-pipeline run`` starts, never when a module is imported::

    inbox                  $AID_INBOX                  seeds
    warehouse              $AID_WAREHOUSE              warehouse
    n_shards               $AID_STAGE_SHARDS           0: the warehouse's own count (16 for a new warehouse)
    workers                $AID_WORKERS                0: every usable core
    parallel_min_reports   $AID_PARALLEL_MIN_REPORTS   64: fewer reports run in the calling process
"""

from __future__ import annotations

import os

import dagster as dg

from ..runner.batch import PARALLEL_MIN_REPORTS
from ..warehouse.io import DEFAULT_WAREHOUSE

DEFAULT_INBOX = "seeds"
ENV = {"inbox": "AID_INBOX", "warehouse": "AID_WAREHOUSE", "n_shards": "AID_STAGE_SHARDS", "workers": "AID_WORKERS",
       "parallel_min_reports": "AID_PARALLEL_MIN_REPORTS"}


class PipelineSettings(dg.ConfigurableResource):
    """``inbox``: folder of report files; ``warehouse``: folder (or object-store URI) of Parquet tables;
    ``n_shards``: stage shards a run asks for (0: the warehouse's; another count than the warehouse records is
    refused); ``workers``: worker processes (0: every core); ``parallel_min_reports``: fewest reports for the pool."""

    inbox: str = DEFAULT_INBOX
    warehouse: str = DEFAULT_WAREHOUSE
    n_shards: int = 0
    workers: int = 0
    parallel_min_reports: int = PARALLEL_MIN_REPORTS


def settings_from_env(**given) -> PipelineSettings:
    """Settings from the arguments given (``None``: not given), else the environment (``ENV``), else the defaults;
    read when called (at launch), never at import. ``settings_from_env(inbox='in').inbox`` → ``'in'``"""
    values = {}
    for name, var in ENV.items():
        raw = os.environ.get(var)
        if raw:
            values[name] = raw if name in ("inbox", "warehouse") else int(raw)
    values.update({k: v for k, v in given.items() if v is not None})
    return PipelineSettings(**values)
