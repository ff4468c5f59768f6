"""The inbox sensor evaluated as the daemon evaluates it: ``evaluate_tick`` on a real (temp) instance
with the repository, so every RunRequest is resolved against the sensor's jobs."""

import dagster as dg
import pytest

from aid_pipeline.orchestration.definitions import build_defs
from aid_pipeline.orchestration.resources import PipelineSettings
from aid_pipeline.orchestration.sensors import inbox_sensor


@pytest.fixture()
def instance(tmp_path):
    (tmp_path / "dh").mkdir()
    with dg.instance_for_test(temp_dir=str(tmp_path / "dh")) as inst:
        yield inst


def daemon_tick(instance, inbox, cursor):
    """One tick as the sensor daemon runs it."""
    settings = PipelineSettings(inbox=str(inbox), warehouse=str(inbox.parent / "wh"))
    defs = build_defs(settings)
    ctx = dg.build_sensor_context(instance=instance, cursor=cursor, repository_def=defs.get_repository_def(),
                                  resources={"settings": settings})
    return inbox_sensor.evaluate_tick(ctx)


def test_a_tick_after_files_were_only_deleted_requests_one_run_to_remove_them(tmp_path, instance):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for name in ("a", "b"):
        (inbox / f"{name}.txt").write_text(f"报告{name}", encoding="utf-8")
    first = daemon_tick(instance, inbox, None)
    assert [r.job_name for r in first.run_requests] == ["process_reports"]

    (inbox / "b.txt").unlink()
    second = daemon_tick(instance, inbox, first.cursor)
    assert [r.job_name for r in second.run_requests] == ["process_reports"]  # its stage step forgets b
    assert daemon_tick(instance, inbox, second.cursor).run_requests == []  # requested once, not on every tick


def test_an_inbox_back_in_an_earlier_state_gets_a_new_run_key(tmp_path, instance):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    a = inbox / "a.txt"
    a.write_text("报告甲", encoding="utf-8")
    (inbox / "b.txt").write_text("报告乙", encoding="utf-8")
    first = daemon_tick(instance, inbox, None)
    data = a.read_bytes()
    st = a.stat()

    a.unlink()  # the report is taken out …
    second = daemon_tick(instance, inbox, first.cursor)
    a.write_bytes(data)  # … and put back as it was: a new change that must be processed again
    import os
    os.utime(a, ns=(st.st_atime_ns, st.st_mtime_ns))
    third = daemon_tick(instance, inbox, second.cursor)
    assert len(third.run_requests) == 1
    used = {r.run_key for r in first.run_requests + second.run_requests}
    assert third.run_requests[0].run_key not in used  # a used key makes the daemon skip the run

    a.unlink()  # and out again: the rebuild that removes it must not reuse the first removal's key
    fourth = daemon_tick(instance, inbox, third.cursor)
    assert [r.job_name for r in fourth.run_requests] == ["process_reports"]
    assert fourth.run_requests[0].run_key not in used | {third.run_requests[0].run_key}


def test_an_emptied_inbox_removes_nothing_and_says_why(tmp_path, instance):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.txt").write_text("报告甲", encoding="utf-8")
    first = daemon_tick(instance, inbox, None)
    (inbox / "a.txt").unlink()  # e.g. the inbox volume is not mounted
    second = daemon_tick(instance, inbox, first.cursor)
    assert second.run_requests == [] and "--allow-empty-inbox" in second.skip_message
