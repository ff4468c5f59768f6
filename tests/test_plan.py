"""The freshness planner: which reports a run must process, which are fresh, which left the inbox."""

import shutil

from aid_pipeline.orchestration.assets.report_stages import run_stages
from aid_pipeline.warehouse.inbox import list_inbox
from aid_pipeline.runner.plan import STAGES, plan


def _inbox(tmp_path, seeds_dir, n=3):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for s in sorted(seeds_dir.glob("*.txt"))[:n]:
        shutil.copy(s, inbox / s.name)
    return inbox


def test_the_planner_says_what_is_new_changed_stale_moved_and_gone(tmp_path, seeds_dir):
    inbox, wh = _inbox(tmp_path, seeds_dir), str(tmp_path / "wh")
    keys = sorted(f.partition_key for f in list_inbox(inbox))
    assert plan(wh, list_inbox(inbox)).todo == keys  # an empty warehouse: everything is new

    run_stages(str(inbox), wh)
    fresh = plan(wh, list_inbox(inbox))
    assert (fresh.todo, fresh.unchanged, fresh.gone) == ([], keys, [])
    assert plan(wh, list_inbox(inbox), "report_metrics").todo == []  # one stage asked: the same answer
    assert plan(wh, list_inbox(inbox), full=True).todo == keys
    assert plan(wh, list_inbox(inbox), code_version="another version").todo == keys  # stale code

    changed = inbox / f"{keys[1]}.txt"
    changed.write_bytes(changed.read_bytes() + "\n新增一句：援建项目12个。".encode())
    (inbox / f"{keys[0]}.txt").unlink()
    after = plan(wh, list_inbox(inbox))
    assert (after.todo, after.unchanged, after.gone) == ([keys[1]], [keys[2]], [keys[0]])

    moved = tmp_path / "moved"
    shutil.copytree(inbox, moved)  # same bytes, new path: read again, so no table points at the old one
    assert sorted(plan(wh, list_inbox(moved)).todo) == sorted(keys[1:])


def test_a_quarantined_report_whose_file_did_not_change_is_fresh(tmp_path):
    inbox, wh = tmp_path / "inbox", str(tmp_path / "wh")
    inbox.mkdir()
    (inbox / "empty.txt").write_bytes(b"")
    md = run_stages(str(inbox), wh)
    assert md["raw_reports"]["reports_quarantined"] == 1
    assert plan(wh, list_inbox(inbox)).unchanged == ["empty"]


def test_one_new_report_is_one_reports_work(tmp_path, seeds_dir):
    inbox, wh = _inbox(tmp_path, seeds_dir, n=4), str(tmp_path / "wh")
    run_stages(str(inbox), wh)
    shutil.copy(sorted(seeds_dir.glob("*.txt"))[4], inbox / "one_more.txt")
    md = run_stages(str(inbox), wh)
    for stage in STAGES:
        assert (md[stage]["reports_processed"], md[stage]["reports_unchanged"]) == (1, 4), stage
