"""Dagster's SQLite event log, made fit for runs that materialise thousands of partitions at once.

The stock ``SqliteEventLogStorage`` creates a SQLAlchemy engine, opens a connection and commits
(an fsync) for every single event, twice for asset events (run shard + index shard): about 10 ms
per partition per asset, i.e. most of the wall time of a 10,000-report run. This subclass changes
only *how* rows are written, not *what* is written:

- one engine per shard, kept for the life of the storage (connections are pooled, not re-opened);
- ``store_event_batch`` writes a whole batch of asset events (Dagster batches the per-partition
  materialisations of a ranged run when ``DAGSTER_EVENT_BATCH_SIZE`` is set) in one transaction per
  shard instead of one per event;
- the events of a batch that differ only in their partition, timestamp and ``dagster/row_count`` are
  serialised once, as a template the values are put into (``EventSerializer``): serialising each one was most of
  what an event cost. Every template is checked against Dagster's own ``serialize_value`` on its
  first events; on any difference the storage goes back to serialising every event itself.

The tables, rows and indexes are exactly the stock ones, so ``dagster dev`` and every Dagster tool
read the same instance. The project-local ``$DAGSTER_HOME/dagster.yaml`` written by
``aid-pipeline`` selects it; for a cluster use Postgres storage instead (see deploy/).
"""

from __future__ import annotations

import json
import logging
import os
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from dagster import IntMetadataValue
from dagster._core.events import ASSET_EVENTS
from dagster._core.storage.compute_log_manager import CapturedLogContext, ComputeIOType
from dagster._core.storage.local_compute_log_manager import IO_TYPE_EXTENSION, LocalComputeLogManager
from dagster._utils import touch_file
from dagster._core.events.log import EventLogEntry
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    SQLITE_BUSY_TIMEOUT_SECONDS,
    SqliteEventLogStorage,
)
import sqlalchemy as db
from dagster._core.storage.event_log.schema import AssetEventTagsTable, SqlEventLogStorageTable
from dagster._serdes import serialize_value
from sqlalchemy import create_engine
from sqlalchemy.engine import Connection, Engine

log = logging.getLogger(__name__)

# stand-ins that cannot occur in a real event, each found exactly once in a template's JSON
_PARTITION_STANDIN = "aid-pipeline:partition-standin:6b1d"
_TIMESTAMP_STANDIN = 1.234567891234567e-300
_ROW_COUNT_STANDIN = -7_350_918_264_537_182_409  # a partition's own `dagster/row_count` (it varies by report)
ROW_COUNT = "dagster/row_count"


def _skeleton(event: EventLogEntry) -> EventLogEntry | None:
    """A partition's materialisation event with its partition and timestamp replaced by stand-ins;
    None for any other event (serialised as it is)."""
    de = event.dagster_event
    if de is None or de.event_type_value != "ASSET_MATERIALIZATION":
        return None
    data = de.event_specific_data
    mat = getattr(data, "materialization", None)
    if mat is None or not isinstance(mat.partition, str):
        return None
    mat = mat._replace(partition=_PARTITION_STANDIN)
    if _row_count(mat) is not None:
        mat = mat._replace(metadata={**mat.metadata, ROW_COUNT: IntMetadataValue(_ROW_COUNT_STANDIN)})
    return event._replace(timestamp=_TIMESTAMP_STANDIN, dagster_event=de._replace(event_specific_data=data._replace(materialization=mat)))


def _row_count(mat) -> int | None:
    """The materialisation's ``dagster/row_count`` when it is an int (put into the template), else None."""
    value = mat.metadata.get(ROW_COUNT)
    return value.value if isinstance(value, IntMetadataValue) and isinstance(value.value, int) else None


def _materialization(de):
    """The ``AssetMaterialization`` of a materialisation event, else None."""
    if de is None or de.event_type_value != "ASSET_MATERIALIZATION":
        return None
    return getattr(de.event_specific_data, "materialization", None)


class EventSerializer:
    """``serialize_value(event)`` for a stream of events, fast when consecutive events differ only in
    partition, timestamp and row count (a ranged run's per-partition materialisations): the shared part
    is serialised once and the values are put into it.

    ``EventSerializer()(event)`` → the same JSON text as ``serialize_value(event)``.
    """

    VERIFY_FIRST = 2  # events of each new template compared with serialize_value

    def __init__(self) -> None:
        self.skeleton: EventLogEntry | None = None
        self.template: str | None = None
        self.unverified = 0
        self.disabled = False
        self.templated = 0

    def __call__(self, event: EventLogEntry) -> str:
        if self.disabled:
            return serialize_value(event)
        skeleton = _skeleton(event)
        if skeleton is None:
            return serialize_value(event)
        if self.template is None or skeleton != self.skeleton:
            text = serialize_value(skeleton)
            if text.count(json.dumps(_PARTITION_STANDIN)) != 1 or text.count(json.dumps(_TIMESTAMP_STANDIN)) != 1 \
                    or text.count(json.dumps(_ROW_COUNT_STANDIN)) > 1:
                return serialize_value(event)
            self.skeleton, self.template, self.unverified = skeleton, text, self.VERIFY_FIRST
        mat = event.dagster_event.event_specific_data.materialization
        out = self.template.replace(json.dumps(_PARTITION_STANDIN), json.dumps(mat.partition), 1).replace(
            json.dumps(_TIMESTAMP_STANDIN), json.dumps(event.timestamp), 1
        )
        rows = _row_count(mat)
        if rows is not None:
            out = out.replace(json.dumps(_ROW_COUNT_STANDIN), json.dumps(rows), 1)
        if self.unverified:
            self.unverified -= 1
            exact = serialize_value(event)
            if out != exact:
                log.warning("event template differs from serialize_value; serialising every event from now on")
                self.disabled = True
                return exact
        self.templated += 1
        return out


class BatchingSqliteEventLogStorage(SqliteEventLogStorage):
    """``SqliteEventLogStorage`` with an engine kept per shard and batched asset-event writes."""

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> BatchingSqliteEventLogStorage:
        return cls(inst_data=inst_data, **config_value)

    def _engine_for(self, shard: str) -> Engine:
        engines = self.__dict__.setdefault("_aid_engines", {})
        engine = engines.get(shard)
        if engine is None:
            engine = create_engine(
                self.conn_string_for_shard(shard),
                connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS, "check_same_thread": False},
                pool_size=1,
                max_overflow=2,
            )
            engines[shard] = engine
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            engine = self._engine_for(shard)
            if shard not in self._initialized_dbs:
                self._initdb(engine)
                self._initialized_dbs.add(shard)
            with engine.connect() as conn:
                with conn.begin():
                    yield conn

    def store_event_batch(self, events: Sequence[EventLogEntry]) -> None:
        """All events of a batch in one transaction per shard (asset events only; anything else one by one).

        Each event is serialised once, inserted with one executemany per shard, and the asset's
        summary row (last materialisation) is updated once per asset with the batch's last event —
        the same final rows the stock one-event-at-a-time path leaves.
        """
        events = list(events)
        if not events:
            return
        run_ids = {e.run_id for e in events}
        if len(run_ids) != 1 or not all(e.is_dagster_event and e.dagster_event_type in ASSET_EVENTS for e in events):
            for event in events:
                self.store_event(event)
            return
        (run_id,) = run_ids
        rows = self._events_to_rows(events)
        # The shared index shard first: if anything goes wrong there, nothing has been written yet
        # and Dagster falls back to storing the events one by one.
        with self.index_transaction() as conn:
            conn.execute(SqlEventLogStorageTable.insert(), rows)
            # our inserts hold SQLite's write lock until commit, so no other process can interleave
            # rows: the new ids are the last len(rows) ones — verified, not assumed
            last = conn.execute(db.select(db.func.max(SqlEventLogStorageTable.c.id))).scalar()
            first = last - len(rows) + 1
            ours = conn.execute(
                db.select(db.func.count())
                .select_from(SqlEventLogStorageTable)
                .where(SqlEventLogStorageTable.c.id >= first, SqlEventLogStorageTable.c.run_id == run_id)
            ).scalar()
            if ours != len(rows):
                raise RuntimeError(f"expected {len(rows)} consecutive new event ids, found {ours}")
            ids = list(range(first, last + 1))
            self._store_batch_tags(conn, events, ids, rows)
            latest: dict = {}
            for event, event_id in zip(events, ids):
                latest[(event.dagster_event_type, event.get_dagster_event().asset_key)] = (event, event_id)
            for event, event_id in latest.values():
                self._store_asset_event(conn, event, event_id)
        with self.run_connection(run_id) as conn:  # the run's own shard: only this run writes it
            conn.execute(SqlEventLogStorageTable.insert(), rows)

    def _events_to_rows(self, events: list[EventLogEntry]) -> list[dict]:
        """``_event_to_row`` of each event, the events serialised by one ``EventSerializer``; the first
        two rows of every batch are compared with the stock ``_event_to_row`` (any difference: stock rows).

        A partition's materialisation gives its asset key and partition straight from its
        ``AssetMaterialization`` (what ``DagsterEvent.asset_key``/``.partition`` return for it, without
        their type dispatch), and each asset key is turned into its string once per batch."""
        serializer = self.__dict__.setdefault("_aid_serializer", EventSerializer())
        key_strings: dict = {}
        rows = []
        for event in events:
            de = event.get_dagster_event()
            mat = _materialization(de)
            asset_key, partition = (mat.asset_key, mat.partition) if mat is not None else (de.asset_key, de.partition)
            if asset_key is not None and asset_key not in key_strings:
                key_strings[asset_key] = asset_key.to_string()
            rows.append(
                {
                    "run_id": event.run_id,
                    "event": serializer(event),
                    "dagster_event_type": de.event_type_value,
                    "timestamp": self._event_insert_timestamp(event),
                    "step_key": de.step_key,
                    "asset_key": key_strings[asset_key] if asset_key is not None else None,
                    "partition": partition or None,
                }
            )
        if any(row != self._event_to_row(event) for row, event in zip(rows[:2], events[:2])):
            log.warning("event rows differ from Dagster's own; storing the stock rows")
            serializer.disabled = True
            return [self._event_to_row(event) for event in events]
        return rows

    def _store_batch_tags(self, conn: Connection, events: list[EventLogEntry], event_ids: list[int], rows: list[dict]) -> None:
        """The stock ``_store_asset_event_tags`` rows, with the asset key and timestamp taken from the
        batch's event rows and the indexed tags worked out once per distinct tag set (the partitions
        of one asset carry the same ones): ``_tags_for_asset_event`` runs on the first event of each
        set. The first two events' rows are compared with the stock ones (any difference: stock rows)."""
        tag_sets: dict = {}
        values = []
        for event, event_id, row in zip(events, event_ids, rows):
            mat = _materialization(event.get_dagster_event())
            if mat is None:
                indexed = self._tags_for_asset_event(event)
            else:
                key = tuple((mat.tags or {}).items())
                indexed = tag_sets.get(key)
                if indexed is None:
                    indexed = tag_sets[key] = self._tags_for_asset_event(event)
            for name, value in indexed.items():
                values.append(
                    dict(event_id=event_id, asset_key=row["asset_key"], key=name, value=value, event_timestamp=row["timestamp"])
                )
        stock = [
            dict(event_id=event_id, asset_key=event.get_dagster_event().asset_key.to_string(), key=name, value=value,
                 event_timestamp=self._event_insert_timestamp(event))
            for event_id, event in zip(event_ids[:2], events[:2])
            for name, value in self._tags_for_asset_event(event).items()
        ]
        if values[: len(stock)] != stock:
            log.warning("asset event tag rows differ from Dagster's own; storing the stock rows")
            self._store_asset_event_tags(conn, events, event_ids)
            return
        if values and self.has_table(AssetEventTagsTable.name):
            conn.execute(AssetEventTagsTable.insert(), values)

    def dispose(self) -> None:
        for engine in self.__dict__.get("_aid_engines", {}).values():
            engine.dispose()
        self.__dict__["_aid_engines"] = {}
        super().dispose()


# ---- compute logs without `tail -F` subprocesses -------------------------------------------------------

MIRROR_POLL_SECONDS = 0.05


def _follow(path: str, out_fd: int, stop: threading.Event) -> None:
    """Copy what is appended to ``path`` to ``out_fd`` until ``stop`` is set, then the rest (a ``tail -F`` in a thread)."""
    with open(path, "rb") as fh:
        while True:
            chunk = fh.read(65536)
            if chunk:
                try:
                    os.write(out_fd, chunk)
                except OSError:  # the terminal went away: keep capturing to the file
                    pass
                continue
            if stop.is_set():
                return
            stop.wait(MIRROR_POLL_SECONDS)


@contextmanager
def mirror_to_file(stream, path: str) -> Iterator[None]:
    """Send ``stream``'s file descriptor to ``path`` and show what it gets on the stream's old target too,
    as Dagster's ``mirror_stream_to_file`` does, but by a thread of this process instead of a ``tail -F``
    child (plus a watcher) per stream: nothing is left running when the process ends, however it ends."""
    from dagster._core.execution.compute_logs import _fileno, redirect_to_file
    from dagster._utils import ensure_file

    ensure_file(path)
    fd = _fileno(stream)
    if fd is None:  # a stream without a descriptor (a test runner's): captured as Dagster would (not at all)
        with redirect_to_file(stream, path):
            yield
        return
    original = os.dup(fd)
    stop = threading.Event()
    follower = threading.Thread(target=_follow, args=(path, original, stop), name="aid-compute-log-mirror", daemon=True)
    follower.start()
    try:
        with redirect_to_file(stream, path):
            yield
    finally:
        stop.set()
        follower.join()
        os.close(original)


class MirroringComputeLogManager(LocalComputeLogManager):
    """Dagster's local compute log manager (same files, same UI), mirroring each captured stream to the
    terminal by a thread (``mirror_to_file``) instead of ``tail -F`` subprocesses, which outlived runs
    that were killed (issue 16 item 14: a test suite left 48 of them)."""

    @classmethod
    def from_config_value(cls, inst_data, config_value) -> MirroringComputeLogManager:
        return cls(inst_data=inst_data, **config_value)

    @contextmanager
    def capture_logs(self, log_key: Sequence[str]) -> Iterator[CapturedLogContext]:
        outpath = self.get_captured_local_path(log_key, IO_TYPE_EXTENSION[ComputeIOType.STDOUT])
        errpath = self.get_captured_local_path(log_key, IO_TYPE_EXTENSION[ComputeIOType.STDERR])
        with mirror_to_file(sys.stdout, outpath), mirror_to_file(sys.stderr, errpath):
            yield CapturedLogContext(log_key)
        touch_file(self.complete_artifact_path(log_key))
