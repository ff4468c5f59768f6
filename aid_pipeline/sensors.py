"""Inbox sensor (new/changed/deleted report files → partitions + batched runs) and the daily schedule.

How a tick decides, cheaply enough for tens of thousands of files (one ``stat`` per file; a file is
read only when its size or mtime moved):

- **new file** → a dynamic partition is added and the file joins this tick's batch;
- **size/mtime changed** → its sha256 is compared with the one the warehouse last processed
  (the ledger); only a different sha256 joins the batch (a ``touch`` requests nothing);
- **unchanged** → nothing;
- **deleted** → its partition is *removed* (not marked): the tables are rebuilt from the registered
  partitions, so its rows leave every table, and a later file with the same name starts afresh.
  Its run history stays in Dagster's event log.

New and changed files go into ranged runs of at most ``AID_SENSOR_MAX_BATCH`` partitions (default
2,000) — a burst of 1,000 files is one run, not 1,000. Inside a run, reports whose sha256 and code
version match the ledger are skipped, so a range that spans unchanged partitions costs little.
The cursor (fingerprints per partition key) is stored by Dagster and survives restarts.
"""

from __future__ import annotations

import hashlib
import json
import os

import dagster as dg

from . import io
from .inbox import list_inbox
from .jobs import process_reports, range_tags, rebuild_tables
from .partitions import REPORTS_PARTITION
from .resources import PipelineSettings
from .stages import inbox_fingerprint

DAILY_CRON = os.environ.get("AID_SCHEDULE_CRON", "0 3 * * *")
MAX_BATCH = int(os.environ.get("AID_SENSOR_MAX_BATCH", "2000"))


def _fingerprint(path) -> str:
    st = os.stat(path, follow_symlinks=False)  # a dangling link is still an entry (quarantined as symlink)
    return f"{st.st_size}:{st.st_mtime_ns}"


def batch_ranges(order: list[str], todo: set[str], max_batch: int = MAX_BATCH) -> list[tuple[str, str]]:
    """Ranges (first, last) of ``order`` covering every key of ``todo``, each spanning at most ``max_batch`` keys.

    ``batch_ranges(['a','b','c','d'], {'b','d'}, 10)`` → ``[('b', 'd')]``.
    """
    positions = sorted(i for i, k in enumerate(order) if k in todo)
    ranges, start = [], None
    for pos in positions:
        if start is None:
            start = last = pos
        elif pos - start >= max_batch:
            ranges.append((order[start], order[last]))
            start = pos
        last = pos
    if start is not None:
        ranges.append((order[start], order[last]))
    return ranges


@dg.sensor(
    job=process_reports,
    minimum_interval_seconds=30,
    description="Watches the inbox: new or changed files get a partition and one batched run; deleted files leave the tables.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings) -> dg.SensorResult:
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    current = {}
    for f in list_inbox(settings.inbox):
        try:
            current[f.partition_key] = (f, _fingerprint(f.path))
        except FileNotFoundError:
            continue
    registered = list(context.instance.get_dynamic_partitions(REPORTS_PARTITION))
    registered_set = set(registered)
    new_keys = sorted(k for k in current if k not in registered_set)
    moved = [k for k in current if k in registered_set and seen.get(k) != current[k][1]]
    deleted = sorted(k for k in registered_set if k not in current)
    changed = []
    if moved:
        processed = io.raw_shas(settings.warehouse)
        changed = [k for k in moved if processed.get(k) is None or processed[k] != inbox_fingerprint(current[k][0])]

    order = [k for k in registered if k not in deleted] + new_keys
    run_requests = []
    digest = hashlib.sha1(json.dumps(sorted((k, v[1]) for k, v in current.items())).encode()).hexdigest()[:16]
    for i, (first, last) in enumerate(batch_ranges(order, set(new_keys) | set(changed))):
        run_requests.append(dg.RunRequest(run_key=f"inbox:{digest}:{i}", tags=range_tags(first, last)))
    if not run_requests and deleted:
        run_requests.append(dg.RunRequest(job_name=rebuild_tables.name, run_key=f"deleted:{digest}"))
    requests = []
    if new_keys:
        requests.append(dg.AddDynamicPartitionsRequest(REPORTS_PARTITION, new_keys))
    if deleted:
        requests.append(dg.DeleteDynamicPartitionsRequest(REPORTS_PARTITION, deleted))
    if new_keys or changed or deleted:
        context.log.info(f"inbox: {len(new_keys)} new, {len(changed)} changed, {len(deleted)} deleted, "
                         f"{len(moved) - len(changed)} touched but unchanged")
    return dg.SensorResult(
        run_requests=run_requests,
        dynamic_partitions_requests=requests,
        cursor=json.dumps({k: v[1] for k, v in current.items()}, sort_keys=True),
    )


@dg.schedule(
    name="daily_rebuild",
    job=process_reports,
    cron_schedule=DAILY_CRON,
    description="Daily (cron $AID_SCHEDULE_CRON): every registered report through the stages — only those whose "
    "file or stage code changed are recomputed — then the tables, aggregates and checks, so code changes are picked up.",
)
def daily_rebuild(context: dg.ScheduleEvaluationContext):
    keys = list(context.instance.get_dynamic_partitions(REPORTS_PARTITION))
    if not keys:
        return dg.SkipReason("no reports registered yet: nothing to rebuild")
    return dg.RunRequest(tags=range_tags(keys[0], keys[-1]))
