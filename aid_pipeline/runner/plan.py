"""Is this report fresh? The one place that decides it (no Dagster import).

``aid-pipeline run``, the stage asset and the inbox sensor all ask ``plan``. A report is *fresh* when
every asked-for stage's ledger entry holds its current sha256 (``stages.inbox_fingerprint``) at the
current code version, and it was last read from the path it has now (a moved inbox is read again,
so no table keeps pointing at the old path; a report with neither a raw nor a quarantine row is
read again, whatever the ledger says). Anything else is *to do*, through every stage.

``plan('warehouse', list_inbox('seeds'))`` →
``Plan(todo=['004_ef'], unchanged=['000_ab', …], gone=['009_old'], shas={…}, files={…})``
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from ..warehouse import io
from ..warehouse.inbox import InboxFile, printable_path
from .stages import inbox_fingerprint
from ..contract.version import text_code_version

STAGES = io.STAGE_ORDER  # raw_reports → normalised_reports → report_sections → report_metrics


@dataclass
class Plan:
    """What a run must do: ``todo`` (partition keys to run through the stages, sorted), ``unchanged``
    (fresh: skipped), ``gone`` (in the warehouse, no longer in the inbox: to forget); ``shas`` and
    ``files`` per key of the inbox."""

    todo: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    gone: list[str] = field(default_factory=list)
    shas: dict[str, str | None] = field(default_factory=dict)
    files: dict[str, InboxFile] = field(default_factory=dict)


def plan(warehouse: str, files: Iterable[InboxFile], stages: str | Iterable[str] = STAGES,
         code_version: str | None = None, full: bool = False) -> Plan:
    """Split ``files`` (an inbox listing, or part of one) into reports to process and fresh ones, and
    name the reports the warehouse holds that are not among them (``gone``: only meaningful when
    ``files`` is the whole inbox).

    ``stages``: one stage name or several (default: all four); ``code_version``: default the current
    text code version; ``full``: every report is to do."""
    stages = (stages,) if isinstance(stages, str) else tuple(stages)
    code_version = code_version or text_code_version()
    files = {f.partition_key: f for f in files}
    ledger = io.read_ledger(warehouse)
    known = set(ledger["partition_key"])
    current = ledger[ledger["code_version"] == code_version]
    done: dict[str, set] = {}
    for key, stage, sha in zip(current["partition_key"], current["stage"], current["sha256"]):
        done.setdefault(key, set()).add((stage, sha))
    last_read_from = io.source_paths(warehouse, list(files)) if files and not full else {}
    out = Plan(gone=sorted(known - set(files)), files=files)
    for key in sorted(files):
        f = files[key]
        sha = out.shas[key] = inbox_fingerprint(f)
        fresh = (not full and sha is not None and last_read_from.get(key) == printable_path(f.path)
                 and all((s, sha) in done.get(key, ()) for s in stages))
        (out.unchanged if fresh else out.todo).append(key)
    return out


def registered_reports(warehouse: str) -> list[str]:
    """The reports the warehouse holds (every report the raw stage has seen and not forgotten), sorted:
    what the tables are built from. ``registered_reports('warehouse')`` → ``['000_ab', '001_cd']``"""
    return sorted(set(io.read_ledger(warehouse)["partition_key"]))


def shard_units(keys: Iterable[str], files: dict | None, n_shards: int) -> list[tuple[list[str], dict | None]]:
    """The work units of ``keys``: one per hash shard of the warehouse's ``n_shards``, its keys and (for the raw stage)
    their files. ``shard_units(['a', 'b'], None, 16)`` → ``[(['b'], None), (['a'], None)]`` (``b`` in a lower shard)."""
    by_shard: dict[int, list[str]] = {}
    for k in keys:
        by_shard.setdefault(io.shard_of(k, n_shards), []).append(k)
    return [(ks, {k: files[k] for k in ks} if files is not None else None) for _, ks in sorted(by_shard.items())]
