"""Running the unchanged pipeline on a distributed engine (needs the ``deploy`` extra).

* ``aid_pipeline.deploy.dask_engine``: the ``process_reports`` job on a Dask cluster
  (``dagster-dask``'s ``dask_executor``), and ``run_pipeline_on_dask`` mirroring ``aid-pipeline run``.
* ``aid_pipeline.deploy.k8s``: Definitions whose jobs use ``dagster-k8s``'s ``k8s_job_executor``
  (one Kubernetes Job per step), for an instance configured by ``deploy/k8s/dagster.yaml``
  (Postgres run/event/schedule storage, ``K8sRunLauncher``).

Both reuse ``aid_pipeline.orchestration.definitions.build_defs``: same assets, checks, jobs, sensors and
resources, only the executor differs. Imports of dagster-dask / dagster-k8s happen here only, so
the rest of the package works without the extra.
"""

from __future__ import annotations

import dagster as dg


def with_executor(defs: dg.Definitions, executor: dg.ExecutorDefinition) -> dg.Definitions:
    """The same definitions with every job (that does not set its own) run by ``executor``."""
    return dg.Definitions(
        assets=defs.assets,
        asset_checks=defs.asset_checks,
        jobs=defs.jobs,
        sensors=defs.sensors,
        schedules=defs.schedules,
        resources=defs.resources,
        loggers=defs.loggers,
        executor=executor,
    )
