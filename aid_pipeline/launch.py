"""Starting a run: what ``aid-pipeline run`` and the Dask engine both do around the Dagster job (no Dagster import).

Before a run: refuse an inbox that is the warehouse or inside it (or the other way round), take the warehouse's
lock (which finishes a killed run's table switch, removes its temp files and refuses a run with another shard
count than the warehouse records), plan (``runner.plan``), refuse an empty inbox while reports are registered, and
pick the job: ``process_reports`` when a report is new, changed or stale, else ``rebuild_tables`` after the reports
that left the inbox leave the stage data. The caller's ``execute(launch)`` runs that job; ``aid-pipeline run``
keeps the lock through it (its steps run in its process and re-enter the lock), the Dask engine lets go first
(its steps run in other processes and take the lock each).

``launch('seeds', 'warehouse', execute)`` → ``(Launch(job='process_reports', todo=[…], …), execute(…)'s result)``
"""

from __future__ import annotations

import os
import socket
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from .runner.plan import Plan, plan
from .warehouse import io
from .warehouse.inbox import InboxFile, list_inbox
from .warehouse.lock import warehouse_lock

# Run tags (plain strings: the Dagster layer reads them from its runs). ``aid/full=true`` reprocesses every report;
# ``aid/allow_empty_inbox=true`` lets an empty inbox remove every report.
FULL_RUN_TAG = "aid/full"
ALLOW_EMPTY_INBOX_TAG = "aid/allow_empty_inbox"
# On every run `aid-pipeline run` starts: which warehouse it holds the lock of, and its host:pid.
CLI_WAREHOUSE_TAG = "aid/cli_warehouse"
CLI_PID_TAG = "aid/cli_pid"


class EmptyInboxError(RuntimeError):
    """The inbox holds no file while reports are registered: running would remove them all."""


@dataclass
class Launch:
    """What a run is about to do: the job to run with its tags, and the plan it was chosen from."""

    job: str
    tags: dict[str, str]
    files: list[InboxFile]
    plan: Plan
    added: list[str] = field(default_factory=list)


def inbox_warehouse_problem(inbox: str, warehouse: str) -> str | None:
    """Why the inbox cannot be used with this warehouse (None when it can): the same folder, or one
    inside the other, would read the pipeline's own tables back as reports (or list the warehouse as
    an inbox entry)."""
    if io.is_object_store(warehouse):
        return None
    ib, wh = Path(inbox).resolve(), Path(warehouse).resolve()
    if ib == wh or wh in ib.parents:
        return (f"the inbox {str(ib)!r} is the warehouse or inside it ({str(wh)!r}): the pipeline would read its own "
                "tables as reports; keep report files in a folder of their own")
    if ib in wh.parents:
        return (f"the warehouse {str(wh)!r} is inside the inbox {str(ib)!r}: keep the tables out of the folder "
                "of report files (the inbox is read flat, every folder in it is quarantined)")
    return None


def warehouse_id(warehouse: str) -> str:
    """The warehouse as one string, the same however it was spelled: ``warehouse_id('wh')`` → ``'/abs/wh'``."""
    return str(warehouse).rstrip("/") if io.is_object_store(warehouse) else str(Path(warehouse).resolve())


def prepare(inbox: str, warehouse: str, full: bool = False, allow_empty_inbox: bool = False,
            n_shards: int | None = None) -> Launch:
    """Plan the run and pick its job (call it holding the warehouse's lock): ``prepare('seeds', 'wh').job`` →
    ``'process_reports'``. Raises ``EmptyInboxError`` for an empty inbox while reports are registered (an unmounted
    or wrongly emptied inbox would remove every report from every table) unless ``allow_empty_inbox``, and
    ``io.ShardLayoutMismatch`` when ``n_shards`` is not the warehouse's shard count."""
    io.ensure_shard_layout(warehouse, n_shards)
    files = list_inbox(inbox)
    p = plan(warehouse, files, full=full)
    if not allow_empty_inbox and not files and p.gone:
        raise EmptyInboxError(
            f"the inbox {inbox!r} is empty, but {len(p.gone)} reports are registered: this run would remove every one of "
            "them from every table. If the inbox is not mounted or was emptied by mistake, put the files back; "
            "to remove them all, run again with --allow-empty-inbox")
    known = set(io.read_ledger(warehouse)["partition_key"])
    added = [k for k in p.todo if k not in known]
    tags = {CLI_WAREHOUSE_TAG: warehouse_id(warehouse), CLI_PID_TAG: f"{socket.gethostname()}:{os.getpid()}"}
    if p.todo:
        job = "process_reports"
        if full:
            tags[FULL_RUN_TAG] = "true"
        if allow_empty_inbox:
            tags[ALLOW_EMPTY_INBOX_TAG] = "true"
    else:  # nothing to process: the reports that left the inbox leave the stage data, the tables are rebuilt
        io.forget_reports(warehouse, p.gone)
        job = "rebuild_tables"
    return Launch(job=job, tags=tags, files=files, plan=p, added=added)


def launch(inbox: str, warehouse: str, execute: Callable[[Launch], object], full: bool = False,
           allow_empty_inbox: bool = False, hold_lock: bool = True, n_shards: int | None = None) -> tuple[Launch, object]:
    """Check, lock, plan, then ``execute(launch)``; returns the launch and what ``execute`` returned. With
    ``hold_lock`` the lock is held until ``execute`` returns (its steps run in this process), else it is let go
    before (steps in other processes take it themselves). Raises ``ValueError`` for an inbox/warehouse overlap,
    ``EmptyInboxError``, and ``io.ShardLayoutMismatch`` for a run with another shard count than the warehouse's."""
    problem = inbox_warehouse_problem(inbox, warehouse)
    if problem:
        raise ValueError(problem)
    with warehouse_lock(warehouse):
        planned = prepare(inbox, warehouse, full=full, allow_empty_inbox=allow_empty_inbox, n_shards=n_shards)
        if hold_lock:
            return planned, execute(planned)
    return planned, execute(planned)
