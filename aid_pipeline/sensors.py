"""Inbox sensor (new/changed/deleted report files → partitions + one batched run) and the daily schedule."""


import hashlib
import json
import os

import dagster as dg

from .inbox import list_inbox
from .jobs import process_reports, range_tags, rebuild_tables
from .partitions import REPORTS_PARTITION
from .resources import PipelineSettings

DAILY_CRON = os.environ.get("AID_SCHEDULE_CRON", "0 3 * * *")


def _fingerprint(path) -> str:
    st = os.stat(path)
    return f"{st.st_size}:{st.st_mtime_ns}"


@dg.sensor(
    job=process_reports,
    minimum_interval_seconds=30,
    description="Watches the inbox: new or changed files get a partition and one batched run; deleted files leave the tables.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings) -> dg.SensorResult:
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    files = list_inbox(settings.inbox)
    current = {}
    for f in files:
        try:
            current[f.partition_key] = _fingerprint(f.path)
        except FileNotFoundError:
            continue
    registered = list(context.instance.get_dynamic_partitions(REPORTS_PARTITION))
    registered_set = set(registered)
    new_keys = sorted(k for k in current if k not in registered_set)
    changed = [k for k in current if k in registered_set and seen.get(k) != current[k]]
    deleted = sorted(k for k in registered_set if k not in current)

    order = [k for k in registered if k not in deleted] + new_keys
    todo = set(new_keys) | set(changed)
    run_requests = []
    if todo:
        index = {k: i for i, k in enumerate(order)}
        positions = sorted(index[k] for k in todo)
        first, last = order[positions[0]], order[positions[-1]]
        digest = hashlib.sha1(json.dumps(sorted(current.items())).encode()).hexdigest()[:16]
        run_requests.append(dg.RunRequest(run_key=f"inbox:{digest}", tags=range_tags(first, last)))
    elif deleted:
        run_requests.append(dg.RunRequest(job_name=rebuild_tables.name, run_key=f"deleted:{','.join(deleted)[:200]}"))
    requests = []
    if new_keys:
        requests.append(dg.AddDynamicPartitionsRequest(REPORTS_PARTITION, new_keys))
    if deleted:
        requests.append(dg.DeleteDynamicPartitionsRequest(REPORTS_PARTITION, deleted))
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=requests,
        cursor=json.dumps(current, sort_keys=True),
    )


daily_rebuild = dg.ScheduleDefinition(
    name="daily_rebuild",
    job=rebuild_tables,
    cron_schedule=DAILY_CRON,
    description="Re-runs the tables, aggregates and checks daily so code changes are picked up.",
)
