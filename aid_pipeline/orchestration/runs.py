"""Running the jobs for ``aid-pipeline run``: a planned launch executed in process, and the runs a kill left started.

``run_in_process(launch, build_defs(settings), instance)`` → Dagster's
``ExecuteInProcessResult`` of ``launch.job`` with ``launch.tags``.
"""

from __future__ import annotations

import dagster as dg

from ..launch import CLI_PID_TAG, CLI_WAREHOUSE_TAG, Launch, warehouse_id
from ..warehouse.lock import holds_lock


def run_in_process(launch: Launch, defs: dg.Definitions, instance: dg.DagsterInstance, log_level: str = "WARNING"):
    """Run the launch's job of ``defs`` in this process (called with the warehouse's lock held: a run of this
    warehouse that Dagster still has as started was killed, and is marked failed first)."""
    settings = defs.resources["settings"]
    fail_killed_runs(instance, settings.warehouse)
    job = defs.resolve_job_def(launch.job)
    run_config = {"loggers": {"console": {"config": {"log_level": log_level}}}}
    return job.execute_in_process(instance=instance, tags=launch.tags, run_config=run_config, raise_on_error=False)


def fail_killed_runs(instance, warehouse: str) -> list[str]:
    """Mark failed every run of ``aid-pipeline run`` on this warehouse that Dagster still has as
    started: called with the warehouse lock held, which such a run holds from start to end, so it
    was killed (its process is gone). Left as STARTED it would block the one-run-at-a-time queue
    forever. Returns their run ids."""
    if not holds_lock(warehouse):
        return []
    stuck = instance.get_runs(filters=dg.RunsFilter(
        statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.CANCELING],
        tags={CLI_WAREHOUSE_TAG: warehouse_id(warehouse)}))
    for run in stuck:
        instance.report_run_failed(
            run, message=f"marked failed by a later aid-pipeline run: the process that ran it "
                         f"({run.tags.get(CLI_PID_TAG, '?')}) was gone (killed) without ending it")
    return [run.run_id for run in stuck]
