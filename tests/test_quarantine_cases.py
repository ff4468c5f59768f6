"""Nothing lost: every bad input dropped into an inbox beside good reports ends as a quarantine row with a
reason a person understands, odd but good file names become ordinary reports, and the good reports go through.

One in-process run over one inbox holds every case (the 0-byte, binary-range and random-undecodable files of
conftest's e2e run are not repeated here). Two files vanish during the run, the way they do when a user moves
a file away at the wrong moment: one after `aid-pipeline run` has planned and before the stage step lists
the inbox, one after the stage step has listed the inbox and before it reads the file.
"""

import codecs
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED_A = ROOT / "seeds" / "000_ba42bb2e3b8f6f65.txt"
SEED_B = ROOT / "seeds" / "001_417b4fc4718067a4.txt"
HUGE_BYTES = 50 * 1024 * 1024
VANISH_BEFORE_RUN = "vanished before run.txt"
VANISH_MID_STAGE = "vanished_mid_stage.txt"

# file name -> bytes; a Path value means "a copy of that seed"
BAD = {
    "blank.txt": b"  \r\n\t \n\n",
    "scan.png": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4,
    "utf16 without bom.txt": "援疆资金投入5亿元。".encode("utf-16-le"),
    "latin1.txt": "Café crème brûlée, résumé naïve façade — 12 €\n".encode("cp1252") * 20,
    "shift_jis.txt": "日本語のテキストです。東京都の人口は多い。新疆への支援について報告します。".encode("shift_jis") * 5,
    "odd utf16.txt": b"\xff\xfe\xfa\x00\x81",  # a UTF-16 BOM and one stray byte (issue 13)
    "english.txt": b"Annual report: aid funding grew 12% to 5 million yuan.\n" * 10,
    "chrome only.txt": "分享到：微信 微博 QQ空间\n【打印】【关闭】\n责任编辑：张三\n".encode(),
}
EXPECTED_REASON = {
    "blank.txt": "empty",
    "scan.png": "binary",
    "utf16 without bom.txt": "binary",
    "latin1.txt": "undecodable",
    "shift_jis.txt": "undecodable",
    "odd utf16.txt": "undecodable",
    "english.txt": "no_chinese",
    "huge.txt": "too_large",
    "chrome only.txt": "no_article_text",
}
GOOD_ODD_NAMES = {
    "援疆 报告 (2023).txt": SEED_A,  # spaces, Chinese, brackets
    "援疆报告.txt": SEED_B,  # Chinese only: a safe key as it is
    "report..v2.txt": SEED_A,  # '..' inside the name
    "a\\..\\b.txt": SEED_B,  # a Windows-style traversal attempt; on POSIX '\\' is an ordinary character
    # three names that differ only in characters the partition key drops or replaces
    "aid report.txt": SEED_A,
    "aid:report.txt": SEED_B,
    "aid_report.txt": SEED_A,
    # one stem, two extensions
    "twin.txt": SEED_A,
    "twin.md": SEED_B,
}


@pytest.fixture(scope="module")
def quarantine_run(tmp_path_factory):
    from aid_pipeline import cli
    from aid_pipeline import launch as launch_module
    from aid_pipeline.runner import stages
    from aid_pipeline.runner import plan as plan_module
    from aid_pipeline.orchestration.assets import report_stages

    base = tmp_path_factory.mktemp("quarantine_cases")
    inbox, warehouse = base / "inbox", base / "warehouse"
    inbox.mkdir()
    for seed in (SEED_A, SEED_B):
        shutil.copyfile(seed, inbox / seed.name)
    for name, data in BAD.items():
        (inbox / name).write_bytes(data)
    for name, seed in GOOD_ODD_NAMES.items():
        shutil.copyfile(seed, inbox / name)
    for name in (VANISH_BEFORE_RUN, VANISH_MID_STAGE):
        shutil.copyfile(SEED_A, inbox / name)
    with open(inbox / "huge.txt", "wb") as fh:  # sparse: 50 MB on paper, nothing written to disk
        fh.truncate(HUGE_BYTES)

    real_plan, real_list = plan_module.plan, report_stages.list_inbox
    real_read = stages.read_regular_file
    read_sizes: dict[str, int] = {}

    def plan_then_vanish(*args, **kwargs):  # the launch's plan (the stage step plans with its own)
        out = real_plan(*args, **kwargs)
        (inbox / VANISH_BEFORE_RUN).unlink()  # planned by the CLI, gone before the stage step lists the inbox
        return out

    def list_then_vanish(*args, **kwargs):
        files = real_list(*args, **kwargs)
        (inbox / VANISH_MID_STAGE).unlink(missing_ok=True)  # listed by the stage step, gone before it is read
        return files

    def recording_read(path, max_bytes):  # what read_raw reads a report file with
        data = real_read(path, max_bytes)
        read_sizes[Path(path).name] = len(data)
        return data

    instance = dg.DagsterInstance.ephemeral()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(launch_module, "plan", plan_then_vanish)
        mp.setattr(report_stages, "list_inbox", list_then_vanish)
        mp.setattr(stages, "read_regular_file", recording_read)
        result = cli.run_pipeline(str(inbox), str(warehouse), instance=instance, quiet=True)
    quarantine = pd.read_parquet(warehouse / "quarantine.parquet")
    quarantine["file"] = quarantine["source_path"].map(lambda p: Path(p).name)
    return {
        "result": result,
        "inbox": inbox,
        "warehouse": warehouse,
        "instance": instance,
        "quarantine": quarantine,
        "reports": pd.read_parquet(warehouse / "reports.parquet"),
        "read_sizes": read_sizes,
    }


def quarantined(run, file_name: str) -> pd.Series:
    rows = run["quarantine"][run["quarantine"]["file"] == file_name]
    assert len(rows) == 1, (file_name, run["quarantine"][["file", "reason"]].to_dict("records"))
    return rows.iloc[0]


def test_run_succeeds_with_every_check_passing(quarantine_run):
    result = quarantine_run["result"]
    assert result.success
    failed = [
        e.asset_check_evaluation_data.check_name
        for e in result.all_events
        if e.event_type_value == "ASSET_CHECK_EVALUATION" and not e.asset_check_evaluation_data.passed
    ]
    assert failed == []


def test_good_seeds_go_through(quarantine_run):
    reports = quarantine_run["reports"].set_index("report_id")
    for seed in (SEED_A, SEED_B):
        assert seed.stem in reports.index
        assert reports.loc[seed.stem, "n_metrics"] > 0
    metrics = pd.read_parquet(quarantine_run["warehouse"] / "metrics.parquet")
    assert ((metrics["report_id"] == SEED_A.stem) & (metrics["surface"] == "25.8亿元")).sum() == 1


@pytest.mark.parametrize("file_name", sorted(EXPECTED_REASON))
def test_bad_input_is_quarantined_with_a_reason(quarantine_run, file_name):
    row = quarantined(quarantine_run, file_name)
    assert row["reason"] == EXPECTED_REASON[file_name]
    assert len(row["detail"]) >= 20 and " " in row["detail"]  # a sentence, not a code
    assert row["stage"] in ("raw_reports", "normalised_reports")
    assert Path(row["source_path"]).parent == quarantine_run["inbox"]


def test_odd_utf16_and_english_files_say_why(quarantine_run):
    assert "odd number" in quarantined(quarantine_run, "odd utf16.txt")["detail"]
    assert "no Chinese character" in quarantined(quarantine_run, "english.txt")["detail"]


def test_huge_file_is_refused_by_its_size(quarantine_run):
    row = quarantined(quarantine_run, "huge.txt")
    assert "52,428,800 bytes" in row["detail"]
    assert row["sha256"] is None


def test_huge_file_is_never_read_into_memory(quarantine_run):
    assert quarantine_run["read_sizes"].get(SEED_A.name) == SEED_A.stat().st_size  # the recorder does record reads
    assert "huge.txt" not in quarantine_run["read_sizes"]


def test_file_deleted_before_the_stage_step_lists_the_inbox_is_simply_not_there(quarantine_run):
    # the stage step plans on its own listing: a file gone by then was never a report of this run
    q = quarantine_run["quarantine"]
    assert not q["partition_key"].str.startswith("vanished_before_run").any()
    assert not any("vanished before run" in p for p in quarantine_run["reports"]["source_path"])
    assert quarantine_run["result"].success


def test_file_deleted_between_listing_and_reading_is_quarantined_as_missing(quarantine_run):
    row = quarantined(quarantine_run, VANISH_MID_STAGE)
    assert row["reason"] == "file_missing"
    assert "disappeared" in row["detail"]
    assert not (quarantine_run["inbox"] / VANISH_MID_STAGE).exists()


def test_odd_but_good_names_are_ordinary_reports(quarantine_run):
    reports = quarantine_run["reports"]
    by_file = {Path(p).name: r for p, r in zip(reports["source_path"], reports.to_dict("records"))}
    for name in GOOD_ODD_NAMES:
        assert name in by_file, (name, sorted(by_file))
        r = by_file[name]
        assert r["n_metrics"] > 0, name
        assert "/" not in r["partition_key"] and ".." not in r["partition_key"] and " " not in r["partition_key"]
    assert by_file["援疆报告.txt"]["partition_key"] == "援疆报告"
    assert by_file["援疆 报告 (2023).txt"]["report_id"] == "援疆 报告 (2023)"
    assert by_file["report..v2.txt"]["report_id"] == "report"


def test_names_differing_only_in_dropped_characters_keep_distinct_partitions_and_rows(quarantine_run):
    reports = quarantine_run["reports"]
    names = ["aid report.txt", "aid:report.txt", "aid_report.txt", "twin.txt", "twin.md"]
    rows = reports[reports["source_path"].map(lambda p: Path(p).name).isin(names)]
    assert len(rows) == len(names)
    assert rows["partition_key"].is_unique and rows["report_id"].is_unique
    # each row holds its own file: the copies of seed A and seed B keep their own hashes
    digest = {Path(p).name: s for p, s in zip(rows["source_path"], rows["sha256"])}
    assert digest["aid report.txt"] == digest["aid_report.txt"] != digest["aid:report.txt"]
    assert digest["twin.txt"] != digest["twin.md"]
    metrics = pd.read_parquet(quarantine_run["warehouse"] / "metrics.parquet")
    per_report = metrics.groupby("report_id").size()
    assert per_report[rows["report_id"]].min() > 0


def test_stage_files_stay_inside_the_warehouse(quarantine_run):
    wh = quarantine_run["warehouse"].resolve()
    files = [p for p in wh.rglob("*") if p.is_file()]
    assert files and all(wh in p.resolve().parents for p in files)
    assert not any(p.name.startswith("..") for p in files)
    outside = {p.name for p in wh.parent.iterdir()}
    assert outside == {"inbox", "warehouse"}  # nothing written next to the warehouse either


def test_every_inbox_file_is_a_report_or_a_quarantine_row(quarantine_run):
    names = {p.name for p in quarantine_run["inbox"].iterdir()}
    reported = {Path(p).name for p in quarantine_run["reports"]["source_path"]}
    held = set(quarantine_run["quarantine"]["file"])
    assert names - reported - held == set()
    assert reported.isdisjoint(held)


def test_utf16_without_bom_detail_names_the_missing_bom(quarantine_run):
    detail = quarantined(quarantine_run, "utf16 without bom.txt")["detail"]
    assert "byte order mark" in detail
    assert codecs.BOM_UTF16_LE not in (quarantine_run["inbox"] / "utf16 without bom.txt").read_bytes()[:2]


def test_hidden_files_folders_and_links_are_quarantined_with_what_to_do(tmp_path, seeds_dir):
    from aid_pipeline.cli import run_pipeline

    inbox, wh = tmp_path / "inbox", tmp_path / "wh"
    inbox.mkdir()
    seed = sorted(seeds_dir.glob("*.txt"))[0]
    shutil.copy(seed, inbox / seed.name)
    shutil.copy(seed, inbox / "..report.txt")  # a report someone named with leading dots
    (inbox / "2023").mkdir()
    (inbox / "2023" / "inside.txt").write_text("援疆", encoding="utf-8")
    (inbox / "elsewhere.txt").symlink_to(seed)
    (inbox / ".DS_Store").write_bytes(b"\0\0")
    instance = dg.DagsterInstance.ephemeral()
    assert run_pipeline(str(inbox), str(wh), instance=instance, quiet=True).success
    q = pd.read_parquet(wh / "quarantine.parquet").set_index("source_path")
    reasons = {Path(p).name: r for p, r in q["reason"].items()}
    assert reasons == {"..report.txt": "hidden_file", "2023": "folder", "elsewhere.txt": "symlink"}
    assert "move the report files it holds into the inbox" in q.loc[str(inbox / "2023"), "detail"]
    assert pd.read_parquet(wh / "reports.parquet")["report_id"].tolist() == [seed.stem]
    again = run_pipeline(str(inbox), str(wh), instance=instance, quiet=True)
    assert again.aid_todo == []  # refused entries are not reprocessed on every run
