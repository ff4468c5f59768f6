"""Inbox entries that change under the run: a file rewritten between hashing and reading, a name
swapped for a symlink or a FIFO after the inbox was listed, a name that is not valid UTF-8."""

import hashlib
import os
import threading

import dagster as dg
import pandas as pd

from aid_pipeline.cli import run_pipeline

V1 = "援疆项目总投资3亿元，帮助1200名群众就业。\n".encode()
V2 = "援疆项目总投资5亿元，帮助800名群众就业。\n".encode()


def test_a_file_rewritten_while_the_run_reads_it_is_recorded_as_the_bytes_read(tmp_path, inbox, monkeypatch):
    from aid_pipeline.runner import plan

    report = inbox / "zz_changing.txt"
    report.write_bytes(V2)
    real = plan.inbox_fingerprint

    def hashed_then_rewritten(f):
        sha = real(f)
        if f.path == report:
            report.write_bytes(V1)  # a writer (cp, rsync) is still busy: the run reads another version
        return sha

    monkeypatch.setattr(plan, "inbox_fingerprint", hashed_then_rewritten)
    wh, instance = tmp_path / "wh", dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    monkeypatch.setattr(plan, "inbox_fingerprint", real)
    report.write_bytes(V2)  # the writer finishes: the file is V2 again, as it was hashed

    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    reports = pd.read_parquet(wh / "reports.parquet").set_index("report_id")
    assert reports.loc["zz_changing", "sha256"] == hashlib.sha256(V2).hexdigest()
    metrics = pd.read_parquet(wh / "metrics.parquet")
    assert sorted(metrics[metrics.report_id == "zz_changing"].value) == [800.0, 5e8]


def test_a_name_swapped_for_a_symlink_after_listing_is_not_followed(tmp_path, inbox, monkeypatch):
    from aid_pipeline.orchestration.assets import report_stages

    secret = tmp_path / "outside.txt"
    secret.write_text("机密文件：投资9亿元。\n", encoding="utf-8")
    victim = inbox / "zz_swapped.txt"
    victim.write_bytes(V1)
    real = report_stages.list_inbox

    def listed_then_swapped(folder):
        found = real(folder)
        victim.unlink()
        victim.symlink_to(secret)
        return found

    monkeypatch.setattr(report_stages, "list_inbox", listed_then_swapped)
    wh = tmp_path / "wh"
    assert run_pipeline(str(inbox), str(wh), instance=dg.DagsterInstance.ephemeral(), quiet=True).success
    texts = pd.read_parquet(wh / "texts.parquet")
    assert not texts.raw_text.str.contains("机密").any()
    q = pd.read_parquet(wh / "quarantine.parquet").set_index("report_id")
    assert q.loc["zz_swapped", "reason"] == "symlink"


def _within(seconds, fn):
    """fn() in a thread: its result, or None if it is still blocked after ``seconds``."""
    out = {}
    t = threading.Thread(target=lambda: out.setdefault("r", fn()), daemon=True)
    t.start()
    t.join(seconds)
    return out.get("r", None), t.is_alive()


def test_a_name_swapped_for_a_fifo_after_listing_does_not_hang(tmp_path, inbox):
    from aid_pipeline.warehouse.inbox import list_inbox
    from aid_pipeline.runner.stages import QuarantineError, inbox_fingerprint, read_raw

    victim = inbox / "zz_fifo.txt"
    victim.write_bytes(V1)
    listed = [f for f in list_inbox(inbox) if f.path == victim][0]
    victim.unlink()
    os.mkfifo(victim)

    def read():
        try:
            read_raw(listed)
        except QuarantineError as exc:
            return exc.reason
        return "read"

    try:
        assert _within(60, lambda: inbox_fingerprint(listed) or "no hash") == ("no hash", False)
        assert _within(60, read) == ("not_a_file", False)
    finally:  # unblock a reader stuck in open() (before the fix), so the test process can end
        try:
            os.close(os.open(victim, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass


def test_a_file_name_that_is_not_utf8_is_quarantined_and_the_rest_goes_on(tmp_path, inbox):
    bad = os.path.join(os.fsencode(inbox), b"report-\xff\xfe.txt")
    with open(bad, "wb") as fh:
        fh.write(V1)
    wh, instance = tmp_path / "wh", dg.DagsterInstance.ephemeral()
    for _ in range(2):  # every run, not only the first
        assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    reports = pd.read_parquet(wh / "reports.parquet")
    assert len(reports) == 2
    q = pd.read_parquet(wh / "quarantine.parquet")
    row = q[q.reason == "bad_file_name"]
    assert len(row) == 1 and "\\xff\\xfe" in row.source_path.iloc[0]
    assert "UTF-8" in row.detail.iloc[0]
