"""The warehouse can live in an object store: the whole pipeline on ``s3://bucket/prefix`` (a local
moto S3 server, the same protocol as AWS S3 or MinIO) writes the same tables as on a local folder."""

import shutil

import dagster as dg
import pyarrow.parquet as pq
import pytest

from aid_pipeline.warehouse import io
from aid_pipeline.cli import run_pipeline

moto_server = pytest.importorskip("moto.server", reason="moto[server] (dev extra) runs a local S3 endpoint")

TABLES = ("reports", "texts", "sections", "metrics", "quarantine", "corrupt_spans", "dropped_lines",
          "facts", "funding_by_donor_year", "metrics_by_category", "report_summary", "cumulative_by_donor", "plans_by_donor")


@pytest.fixture
def s3_bucket(monkeypatch):
    import pyarrow.fs as pafs

    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    for name, value in {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_DEFAULT_REGION": "us-east-1",
                        "AWS_ENDPOINT_URL": f"http://{host}:{port}"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(io.ObjectPath, "_filesystems", {})  # no filesystem cached for another endpoint
    pafs.S3FileSystem(endpoint_override=f"http://{host}:{port}", scheme="http", allow_bucket_creation=True).create_dir("aid")
    yield "s3://aid/warehouse"
    server.stop()


def test_object_path_does_what_the_pipeline_asks_of_a_path(s3_bucket):
    root = io.warehouse_path(s3_bucket)
    assert str(root / "stages" / "ledger.parquet") == "s3://aid/warehouse/stages/ledger.parquet"
    note = root / "stages" / "note.txt"
    assert not note.exists()
    note.write_text("援疆")
    assert note.exists() and note.read_text() == "援疆" and note.parent.is_dir()
    assert [p.name for p in (root / "stages").glob("*.txt")] == ["note.txt"]
    note.unlink()
    assert not note.exists()
    note.unlink(missing_ok=True)


def test_the_pipeline_on_an_object_store_writes_the_tables_a_local_run_writes(s3_bucket, tmp_path, seeds_dir):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for s in sorted(seeds_dir.glob("*.txt")):
        shutil.copy(s, inbox / s.name)
    (inbox / "empty.txt").write_bytes(b"")
    local = tmp_path / "local"
    assert run_pipeline(str(inbox), str(local), instance=dg.DagsterInstance.ephemeral(), quiet=True).success

    instance = dg.DagsterInstance.ephemeral()
    first = run_pipeline(str(inbox), s3_bucket, instance=instance, quiet=True)
    assert first.success and len(first.aid_todo) == 6
    for name in TABLES:
        remote = pq.read_table(str(io.table_path(s3_bucket, name)))
        assert remote.equals(pq.read_table(local / f"{name}.parquet")), name
    assert not (local / "stages" / "ledger.parquet").with_name(".ledger.parquet.tmp").exists()

    # reruns are incremental there too: the ledger and the tables manifest are read back from the store
    again = run_pipeline(str(inbox), s3_bucket, instance=instance, quiet=True)
    assert again.success and again.aid_todo == [] and len(again.aid_unchanged) == 6
    (inbox / "000_ba42bb2e3b8f6f65.txt").unlink()
    fewer = run_pipeline(str(inbox), s3_bucket, instance=instance, quiet=True)
    assert fewer.success
    reports = pq.read_table(str(io.table_path(s3_bucket, "reports")))["report_id"].to_pylist()
    assert "000_ba42bb2e3b8f6f65" not in reports and len(reports) == 4
