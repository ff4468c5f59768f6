"""Inbox sensor (new/changed/deleted report files → one run) and the daily schedule.

How a tick decides, cheaply enough for tens of thousands of files (one ``stat`` per file; a file is
read only when its size or mtime moved since the last tick):

- **new, or size/mtime changed** → the freshness planner (``aid_pipeline.runner.plan``) says whether the
  report is fresh (its sha256 and the code version match the ledger, read from the same path): only
  a report that is not joins this tick's run (a ``touch`` requests nothing);
- **unchanged** → nothing;
- **deleted** → the tick requests a run too: it drops the report from the stage data and the ledger,
  so its rows leave every table, and a later file with the same name starts afresh. Its run history
  stays in Dagster's event log.

A tick that finds anything to do requests ONE ``process_reports`` run, however many files arrived:
the run plans again (under the warehouse lock) and processes every new, changed or stale report.
The cursor (fingerprints per partition key, and a sequence number counting the ticks that
requested runs) is stored by Dagster and survives restarts. Run keys carry that sequence number, so
each change gets its own key: an inbox that comes back to an earlier state (a file taken out and put
back) is a new change, not the completed run of the earlier one (the daemon skips a used key).
An inbox that is empty while the warehouse holds reports requests nothing and removes nothing (an
unmounted or emptied-by-mistake inbox would otherwise empty every table): the tick says so; run
``aid-pipeline run --allow-empty-inbox`` to really remove every report.
"""

from __future__ import annotations

import json
import os

import dagster as dg

from ..warehouse.inbox import list_inbox
from .jobs import process_reports
from ..warehouse.lock import warehouse_lock
from ..runner.plan import plan, registered_reports
from .runs import fail_killed_runs
from .resources import PipelineSettings

DAILY_CRON = "0 3 * * *"  # the daily schedule's default cron ($AID_SCHEDULE_CRON, read when the Definitions are built)


def _fingerprint(path) -> str:
    st = os.stat(path, follow_symlinks=False)  # a dangling link is still an entry (quarantined as symlink)
    return f"{st.st_size}:{st.st_mtime_ns}"


def read_cursor(cursor: str | None) -> tuple[int, dict[str, str]]:
    """(sequence, fingerprints) from a stored cursor; an older cursor (the fingerprints alone) is sequence 0.

    ``read_cursor('{"seq": 3, "files": {"a": "3:17"}}')`` → ``(3, {'a': '3:17'})``.
    """
    data = json.loads(cursor) if cursor else {}
    if isinstance(data.get("files"), dict) and "seq" in data:
        return int(data["seq"]), data["files"]
    return 0, data


@dg.sensor(
    jobs=[process_reports],
    minimum_interval_seconds=30,
    description="Watches the inbox: new, changed or deleted files get one run; touched but unchanged files none.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings) -> dg.SensorResult:
    with warehouse_lock(settings.warehouse, blocking=False) as free:
        if free:  # no run is writing the warehouse: a CLI run still "started" was killed, and blocks the queue
            for run_id in fail_killed_runs(context.instance, settings.warehouse):
                context.log.warning(f"run {run_id} of aid-pipeline run was killed: marked failed")
    seq, seen = read_cursor(context.cursor)
    current = {}
    for f in list_inbox(settings.inbox):
        try:
            current[f.partition_key] = (f, _fingerprint(f.path))
        except FileNotFoundError:
            continue
    known = set(registered_reports(settings.warehouse)) | set(seen)
    if not current and known:
        return dg.SkipReason(
            f"the inbox {settings.inbox!r} is empty but {len(known)} reports are registered: nothing is removed "
            "(an unmounted or wrongly emptied inbox would empty every table). To remove them all, run "
            "`aid-pipeline run --allow-empty-inbox`."
        )
    # gone since the last tick (the first tick: every report the warehouse holds without a file); a
    # deletion is requested once, not on every tick until the run has removed it
    deleted = sorted(k for k in (set(seen) if seen else known) if k not in current)
    moved = [f for k, (f, fp) in current.items() if seen.get(k) != fp]  # new, or size/mtime changed
    todo = plan(settings.warehouse, moved).todo if moved else []
    new = [k for k in todo if k not in known]
    run_requests = []
    if todo or deleted:
        # one key per tick that asks for a run: a key already used (by a completed run) makes the
        # daemon skip the request, so a key must never come back, even when the inbox does
        seq += 1
        run_requests.append(dg.RunRequest(job_name=process_reports.name, run_key=f"inbox:{seq}"))
        context.log.info(f"inbox: {len(new)} new, {len(todo) - len(new)} changed, {len(deleted)} deleted, "
                         f"{len(moved) - len(todo)} touched but unchanged")
    return dg.SensorResult(
        run_requests=run_requests,
        cursor=json.dumps({"seq": seq, "files": {k: v[1] for k, v in current.items()}}, sort_keys=True),
    )


def daily_rebuild(cron: str | None = None) -> dg.ScheduleDefinition:
    """The ``daily_rebuild`` schedule on ``cron``, else ``$AID_SCHEDULE_CRON`` read now (when the Definitions are
    built), else ``DAILY_CRON``: ``daily_rebuild('0 4 * * *').cron_schedule`` → ``'0 4 * * *'``."""
    cron = cron or os.environ.get("AID_SCHEDULE_CRON") or DAILY_CRON

    @dg.schedule(
        name="daily_rebuild",
        job=process_reports,
        cron_schedule=cron,
        description=f"Daily (cron {cron}, $AID_SCHEDULE_CRON): every report of the inbox through the stages — only "
        "those whose file or stage code changed are recomputed — then the tables, aggregates and checks, so code "
        "changes are picked up.",
    )
    def _daily_rebuild(context: dg.ScheduleEvaluationContext):
        return dg.RunRequest(job_name=process_reports.name)

    return _daily_rebuild
