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
The cursor (fingerprints per partition key, and a sequence number counting the ticks that
requested runs) is stored by Dagster and survives restarts. Run keys carry that sequence number, so
each change gets its own key: an inbox that comes back to an earlier state (a file taken out and put
back) is a new change, not the completed run of the earlier one (the daemon skips a used key).
An inbox that is empty while reports are registered requests nothing and removes nothing (an
unmounted or emptied-by-mistake inbox would otherwise empty every table): the tick says so; run
``aid-pipeline run --allow-empty-inbox`` to really remove every report.
"""

from __future__ import annotations

import json
import os

import dagster as dg

from . import io
from .inbox import list_inbox
from .jobs import process_reports, range_tags, rebuild_tables
from .lock import warehouse_lock
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


def read_cursor(cursor: str | None) -> tuple[int, dict[str, str]]:
    """(sequence, fingerprints) from a stored cursor; an older cursor (the fingerprints alone) is sequence 0.

    ``read_cursor('{"seq": 3, "files": {"a": "3:17"}}')`` → ``(3, {'a': '3:17'})``.
    """
    data = json.loads(cursor) if cursor else {}
    if isinstance(data.get("files"), dict) and "seq" in data:
        return int(data["seq"]), data["files"]
    return 0, data


@dg.sensor(
    jobs=[process_reports, rebuild_tables],
    minimum_interval_seconds=30,
    description="Watches the inbox: new or changed files get a partition and one batched run; deleted files leave the tables.",
)
def inbox_sensor(context: dg.SensorEvaluationContext, settings: PipelineSettings) -> dg.SensorResult:
    with warehouse_lock(settings.warehouse, blocking=False) as free:
        if free:  # no run is writing the warehouse: a CLI run still "started" was killed, and blocks the queue
            from .cli import fail_killed_runs

            for run_id in fail_killed_runs(context.instance, settings.warehouse):
                context.log.warning(f"run {run_id} of aid-pipeline run was killed: marked failed")
    seq, seen = read_cursor(context.cursor)
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
    if not current and deleted:
        return dg.SkipReason(
            f"the inbox {settings.inbox!r} is empty but {len(deleted)} reports are registered: nothing is removed "
            "(an unmounted or wrongly emptied inbox would empty every table). To remove them all, run "
            "`aid-pipeline run --allow-empty-inbox`."
        )
    changed = []
    if moved:
        processed = io.raw_shas(settings.warehouse)
        changed = [k for k in moved if processed.get(k) is None or processed[k] != inbox_fingerprint(current[k][0])]

    order = [k for k in registered if k not in deleted] + new_keys
    run_requests = []
    # one key per tick that asks for runs: a key already used (by a completed run) makes the daemon
    # skip the request, so a key must never come back, even when the inbox does
    if new_keys or changed or deleted:
        seq += 1
    for i, (first, last) in enumerate(batch_ranges(order, set(new_keys) | set(changed))):
        run_requests.append(dg.RunRequest(job_name=process_reports.name, run_key=f"inbox:{seq}:{i}",
                                          tags=range_tags(first, last)))
    if not run_requests and deleted:
        run_requests.append(dg.RunRequest(job_name=rebuild_tables.name, run_key=f"deleted:{seq}"))
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
        cursor=json.dumps({"seq": seq, "files": {k: v[1] for k, v in current.items()}}, sort_keys=True),
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
    return dg.RunRequest(job_name=process_reports.name, tags=range_tags(keys[0], keys[-1]))
