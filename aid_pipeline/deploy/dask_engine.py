"""``process_reports`` on Dask: ``run_pipeline_on_dask('seeds', 'warehouse', instance, address='tcp://…:8786')``.

Every step of the job (the stage multi-asset, each table, aggregate and check) becomes a Dask task;
the workers must see the same inbox, warehouse and Dagster instance (a persistent one: the workers
open it from its ``InstanceRef``).

Executor config (run config ``execution``), either an existing scheduler or a local cluster::

    execution:
      config:
        cluster:
          existing: {address: "tcp://scheduler:8786"}
    # or: cluster: {local: {n_workers: 2, threads_per_worker: 1}}
"""

from __future__ import annotations

import dagster as dg
from dagster import build_reconstructable_job
from dagster_dask import dask_executor

from . import with_executor


def dask_defs(inbox: str | None = None, warehouse: str | None = None) -> dg.Definitions:
    """``build_defs`` with ``dask_executor`` (settings from the arguments, else ``$AID_INBOX``/``$AID_WAREHOUSE``)."""
    from ..orchestration.definitions import build_defs
    from ..orchestration.resources import PipelineSettings, settings_from_env

    settings = settings_from_env()
    settings = PipelineSettings(inbox=inbox or settings.inbox, warehouse=warehouse or settings.warehouse)
    return with_executor(build_defs(settings), dask_executor)


def dask_job(inbox: str | None = None, warehouse: str | None = None, job_name: str = "process_reports") -> dg.JobDefinition:
    """The named job of ``dask_defs`` (module-level, so Dask workers can rebuild it by name)."""
    return dask_defs(inbox, warehouse).resolve_job_def(job_name)


def cluster_config(address: str | None = None, n_workers: int = 2) -> dict:
    """``execution`` run config: an existing scheduler at ``address``, else a local cluster of ``n_workers`` processes."""
    if address:
        cluster = {"existing": {"address": address}}
    else:
        cluster = {"local": {"n_workers": n_workers, "threads_per_worker": 1}}
    return {"config": {"cluster": cluster}}


def run_pipeline_on_dask(
    inbox: str, warehouse: str, instance: dg.DagsterInstance, address: str | None = None, n_workers: int = 2
) -> dg.ExecutionResult:
    """What ``aid-pipeline run`` does (``aid_pipeline.launch``: the same checks, lock, plan and choice of job), with
    the steps on Dask: the lock is let go before the job, whose steps take it in the Dask workers."""
    from ..launch import launch

    def execute(planned):
        recon = build_reconstructable_job(
            __name__, "dask_job", reconstructable_kwargs={"inbox": inbox, "warehouse": warehouse, "job_name": planned.job}
        )
        run_config = {
            "execution": cluster_config(address, n_workers),
            "loggers": {"console": {"config": {"log_level": "WARNING"}}},
        }
        return dg.execute_job(recon, instance=instance, run_config=run_config, tags=planned.tags)

    return launch(inbox, warehouse, execute, hold_lock=False)[1]
