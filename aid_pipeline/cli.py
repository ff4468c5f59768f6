"""Command line: ``aid-pipeline run | eval | bench``.

    aid-pipeline run  [--inbox DIR] [--warehouse DIR] [--full] [--summary-json PATH]
                      new or changed reports through every stage, then the tables and checks
    aid-pipeline eval --gold DIR [--inbox DIR] [--warehouse DIR] [--verbose]

Dagster's state goes to ``$DAGSTER_HOME``, by default ``./.dagster``, so runs started here show up
in ``make ui``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

DEFAULT_DAGSTER_HOME = ".dagster"


INSTANCE_MARKER = "# written by aid-pipeline"
INSTANCE_YAML = """{marker}: the project-local Dagster instance. Delete this file to regenerate it;
# replace it (without the first line) to use your own storage, e.g. Postgres (see deploy/).
telemetry:
  enabled: false
storage:  # Dagster's stock SQLite storage: {home}/history (runs, event log), {home}/schedules
  sqlite:
    base_dir: {home}
run_queue:  # one run at a time writes the warehouse (sensor, schedule and UI runs queue up)
  max_concurrent_runs: 1
compute_logs:  # Dagster's local step logs, shown on the terminal by a thread, not by `tail -F` children
  module: aid_pipeline.orchestration.compute_logs
  class: MirroringComputeLogManager
  config:
    base_dir: {home}/storage
"""

def ensure_dagster_home() -> Path:
    """Use ``$DAGSTER_HOME`` (default ``./.dagster``), writing our instance config there unless the user has their own."""
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    cfg = home / "dagster.yaml"
    wanted = INSTANCE_YAML.format(marker=INSTANCE_MARKER, home=home.as_posix())
    current = cfg.read_text() if cfg.exists() else None
    if current is None or (current != wanted and _generated_by_us(current)):
        tmp = cfg.with_suffix(".yaml.tmp")
        tmp.write_text(wanted)
        os.replace(tmp, cfg)
    os.environ["DAGSTER_HOME"] = str(home)
    return home


def _generated_by_us(text: str) -> bool:
    """Ours: starts with the marker, or is the one-line telemetry file earlier versions wrote."""
    return text.startswith(INSTANCE_MARKER) or text.strip() == "telemetry:\n  enabled: false"


def run_pipeline(inbox: str, warehouse: str, instance=None, quiet: bool = False, log_level: str = "WARNING",
                 full: bool = False, allow_empty_inbox: bool = False):
    """Materialise the stages for new or changed reports (all with ``full``), then the tables and checks, in ONE run
    (``aid_pipeline.launch``: checks, lock, plan, job; ``orchestration.runs``: the job in this process).

    The whole run holds the warehouse's lock (``aid_pipeline.warehouse.lock``): a second run on the same
    warehouse, from here, the UI or the sensor, waits for it. Taking the lock cleans up after a run
    that was killed (its temp files, a half-done switch of the tables).

    An inbox without a single entry while reports are registered raises ``EmptyInboxError`` (an
    unmounted or wrongly emptied inbox would remove every report from every table) unless
    ``allow_empty_inbox``."""
    import dagster as dg

    from .launch import launch
    from .orchestration.definitions import build_defs
    from .orchestration.resources import settings_from_env
    from .orchestration.runs import run_in_process

    if instance is None:
        ensure_dagster_home()
        instance = dg.DagsterInstance.get()
    settings = settings_from_env(inbox=inbox, warehouse=warehouse)
    defs = build_defs(settings)
    planned, result = launch(inbox, warehouse, lambda planned: run_in_process(planned, defs, instance, log_level),
                             full=full, allow_empty_inbox=allow_empty_inbox, n_shards=settings.n_shards or None)
    p = planned.plan
    if not quiet:
        print(f"inbox:      {len(planned.files)} files, {len(planned.added)} new, {len(p.gone)} removed")
        print(f"reports:    {len(p.todo)} to process, {len(p.unchanged)} unchanged and skipped"
              + (" (--full: all reprocessed)" if full else ""))
    result.aid_todo, result.aid_unchanged = p.todo, p.unchanged
    return result


def run_statistics(result) -> dict:
    """Per-run numbers from the stage assets' materialisation metadata (text CPU seconds, reports processed)."""
    from .runner.plan import STAGES

    stats = {"text_seconds": 0.0, "text_wall_seconds": 0.0, "n_processed": 0, "n_quarantined": 0}
    for event in result.all_events:
        if event.event_type_value != "ASSET_MATERIALIZATION":
            continue
        record = event.step_materialization_data.materialization
        asset = record.asset_key.to_user_string()
        if asset not in STAGES:
            continue
        md = {k: getattr(v, "value", v) for k, v in record.metadata.items()}
        stats["text_seconds"] += float(md.get("cpu_seconds_text_work", 0.0))
        stats["n_quarantined"] += int(md.get("reports_quarantined", 0))
        if asset == "raw_reports":  # the units' wall (all four stages, pool included) and what the run read
            stats["text_wall_seconds"] += float(md.get("seconds_units_wall", 0.0))
            stats["n_processed"] = int(md.get("reports_processed", 0)) + int(md.get("reports_quarantined", 0))
    stats["text_seconds"] = round(stats["text_seconds"], 3)
    stats["text_wall_seconds"] = round(stats["text_wall_seconds"], 3)
    return stats


def summary(warehouse: str, result=None) -> str:
    """A few lines on what the run did (with its ``result``) and what the warehouse holds."""
    import pyarrow.parquet as pq

    from .warehouse import io

    def count(name: str) -> int:
        p = io.table_path(warehouse, name)
        return pq.ParquetFile(str(p)).metadata.num_rows if p.exists() else 0

    lines = []
    if result is not None and hasattr(result, "aid_todo"):
        lines.append(f"reports processed: {len(result.aid_todo)} in this run, "
                     f"{len(result.aid_unchanged)} unchanged and skipped")
    lines += [
        f"reports in tables: {count('reports')}",
        f"sections:          {count('sections')}",
        f"metrics:           {count('metrics')}",
        f"quarantined:       {count('quarantine')}",
        f"tables in:         {io.warehouse_path(warehouse).resolve()}",
    ]
    return "\n".join(lines)


def cmd_run(args) -> int:
    import json

    from .launch import EmptyInboxError, inbox_warehouse_problem
    from .warehouse import io
    from .orchestration.resources import settings_from_env
    from .runner.batch import workers
    from .warehouse.io import warehouse_dir

    warehouse = str(warehouse_dir(args.warehouse))
    if not Path(args.inbox).is_dir():
        print(f"aid-pipeline: the inbox folder {args.inbox!r} does not exist (give one with --inbox DIR)", file=sys.stderr)
        return 2
    problem = inbox_warehouse_problem(args.inbox, warehouse) or dagster_home_problem()
    if problem:
        print(f"aid-pipeline: {problem}", file=sys.stderr)
        return 2
    t0 = time.perf_counter()
    try:
        result = run_pipeline(args.inbox, warehouse, full=args.full, allow_empty_inbox=args.allow_empty_inbox)
    except (EmptyInboxError, io.ShardLayoutMismatch) as exc:
        print(f"aid-pipeline: {exc}", file=sys.stderr)
        return 2
    dt = time.perf_counter() - t0
    print(summary(warehouse, result))
    evaluations = [e.asset_check_evaluation_data for e in result.all_events if e.event_type_value == "ASSET_CHECK_EVALUATION"]
    failed_checks = [c.check_name for c in evaluations if not c.passed]
    print(checks_line(len(evaluations), failed_checks, result.success))
    print(f"run {result.run_id} {'succeeded' if result.success else 'FAILED'} in {dt:.1f} s")
    if args.summary_json:
        stats = {
            "run_id": result.run_id,
            "success": bool(result.success),
            "wall_seconds": round(dt, 3),
            "n_reports": len(result.aid_todo) + len(result.aid_unchanged),
            "n_skipped": len(result.aid_unchanged),
            "workers": workers(settings_from_env().workers),
            "checks_failed": failed_checks,
            **run_statistics(result),
        }
        Path(args.summary_json).write_text(json.dumps(stats, indent=2, sort_keys=True) + "\n")
    return 0 if result.success else 1


def checks_line(n_evaluated: int, failed: list[str], success: bool) -> str:
    """The summary's line on the checks: ``checks_line(0, [], False)`` → ``'checks:            NOT RUN (…)'``."""
    if n_evaluated == 0:
        why = "the run failed before them" if not success else "none evaluated"
        return f"checks:            NOT RUN ({why})"
    return f"checks failed:     {', '.join(failed) if failed else 'none'} (of {n_evaluated} evaluated)"


def dagster_home_problem() -> str | None:
    """Why Dagster could not keep its state in ``$DAGSTER_HOME`` (None when it can): the folders its
    SQLite storage writes must be writable (else: 'unable to open database file', without a path)."""
    import tempfile

    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    for folder in (home, home / "history", home / "history" / "runs", home / "schedules"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            with tempfile.TemporaryFile(dir=folder):
                pass
        except OSError as exc:
            return (f"Dagster keeps its run history in DAGSTER_HOME={str(home)!r}, but {str(folder)!r} is not "
                    f"writable ({exc.strerror or exc}); make it writable or set DAGSTER_HOME to a folder that is")
    return None


def cmd_eval(args) -> int:
    from .warehouse import io
    from .evaluation.meta import evaluate_meta, format_meta_report
    from .evaluation.metrics import evaluate_metrics, format_metrics_report

    from .evaluation.metrics import load_gold

    gold_dir = Path(args.gold)
    if not gold_dir.is_dir():
        print(f"aid-pipeline: the gold folder {args.gold!r} does not exist", file=sys.stderr)
        return 2
    gold = load_gold(gold_dir)
    if not gold:
        print(f"aid-pipeline: no gold annotations in {args.gold!r} (expected metrics_*.jsonl files)", file=sys.stderr)
        return 2
    warehouse = str(io.warehouse_dir(args.warehouse))
    if args.inbox or not io.table_path(warehouse, "metrics").exists():
        run_pipeline(args.inbox or "seeds", warehouse, quiet=True)
    metrics = io.read_frame(io.table_path(warehouse, "metrics"))
    reports = set(io.read_frame(io.table_path(warehouse, "reports"), columns=["report_id"])["report_id"])
    if not reports & set(gold):
        print(f"aid-pipeline: none of the {len(gold)} documents annotated in {args.gold!r} "
              f"({', '.join(sorted(gold)[:3])}{', …' if len(gold) > 3 else ''}) is among the {len(reports)} reports of "
              f"the warehouse: give the inbox holding them with --inbox", file=sys.stderr)
        return 1
    result = evaluate_metrics(metrics.to_dict("records"), args.gold)
    print(format_metrics_report(result, verbose=args.verbose))
    meta_path = Path(args.gold) / "meta.json"
    if meta_path.exists():
        print()
        print(format_meta_report(evaluate_meta(predicted_meta(warehouse), meta_path)))
    return 0


def predicted_meta(warehouse: str) -> dict[str, dict]:
    """Per report_id: metadata, headings, captions and body text, in the shape ``evaluate_meta`` reads."""
    from .warehouse import io

    reports = io.read_frame(io.table_path(warehouse, "reports"))
    sections = io.read_frame(io.table_path(warehouse, "sections"))
    texts = io.read_frame(io.table_path(warehouse, "texts")).set_index("report_id")
    corrupt = io.read_frame(io.table_path(warehouse, "corrupt_spans"))
    out = {}
    for r in reports.to_dict("records"):
        secs = sections[sections["report_id"] == r["report_id"]].sort_values("ordinal")
        body = secs[secs["kind"].isin(["lead", "body"])]  # the main article: no captions, no appended article
        out[r["report_id"]] = {
            "title": r["title"],
            "subtitle": r["subtitle"],
            "publish_date": None if r["publish_date"] is None or r["publish_date"] != r["publish_date"] else str(r["publish_date"]),
            "source": r["source"],
            "donor": r["donor"],
            "recipients": list(r["recipients"]) if r["recipients"] is not None else [],
            "headings": [h for h in body["heading"].tolist() if isinstance(h, str)],
            "captions": secs[secs["kind"] == "caption"]["text"].tolist(),
            "corrupt_spans": corrupt[corrupt["report_id"] == r["report_id"]][["raw", "repaired"]].to_dict("records"),
            "text": "\n".join(body["text"].tolist()) if len(body) else texts.loc[r["report_id"], "text"],
        }
    return out


def cmd_bench(args) -> int:
    if args.hostile:  # text functions on million-character hostile inputs: seconds printed, not asserted
        from .bench.hostile import bench_hostile

        bench_hostile(args.hostile_scale)
        if not args.reports:
            return 0
    if not args.reports:
        print("aid-pipeline bench: give --reports N (or --hostile)", file=sys.stderr)
        return 2
    if args.incremental:  # +1 added, changed, deleted report at each N, and the floors of issue 14
        from .bench.run_bench import run_incremental_bench

        result = run_incremental_bench(args.reports, json_path=args.json, seed=args.seed, keep=args.keep, mode=args.corpus)
        return 0 if all(s["returncode"] == 0 for r in result["sizes"] for s in r["steps"].values()) else 1
    from .bench.run_bench import run_bench

    result = run_bench(args.reports, json_path=args.json, seed=args.seed, keep=args.keep, mode=args.corpus)
    return 0 if all(r["ok"] for r in result["sizes"]) else 1


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="aid-pipeline", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p_run = sub.add_parser("run", help="materialise every asset over the inbox into the warehouse")
    p_run.add_argument("--inbox", default=os.environ.get("AID_INBOX", "seeds"), help="folder of report files (default: seeds)")
    p_run.add_argument("--warehouse", default=None, help="output folder (default: $AID_WAREHOUSE or ./warehouse)")
    p_run.add_argument("--full", action="store_true", help="reprocess every report, not only new or changed ones")
    p_run.add_argument("--allow-empty-inbox", action="store_true",
                       help="an empty inbox removes every registered report from the tables (refused without this)")
    p_run.add_argument("--summary-json", default=None, metavar="PATH",
                       help="also write the run's numbers (wall and text seconds, reports processed/skipped) as JSON")
    p_run.set_defaults(func=cmd_run)
    p_eval = sub.add_parser("eval", help="precision/recall of metrics and metadata against gold annotations")
    p_eval.add_argument("--gold", required=True, help="folder with metrics_*.jsonl and meta.json")
    p_eval.add_argument("--inbox", default=None, help="run the pipeline on this inbox first")
    p_eval.add_argument("--warehouse", default=None)
    p_eval.add_argument("--verbose", action="store_true", help="list misses and extras")
    p_eval.set_defaults(func=cmd_eval)
    p_bench = sub.add_parser("bench", help="benchmark text functions and whole runs on a synthetic N-report corpus")
    p_bench.add_argument("--reports", type=int, action="append", default=[], help="corpus size N (repeat for several)")
    p_bench.add_argument("--hostile", action="store_true",
                         help="time the text functions on hostile inputs of about a million characters (printed, not asserted)")
    p_bench.add_argument("--hostile-scale", type=float, default=1.0, help="size factor of the hostile inputs (default 1)")
    p_bench.add_argument("--json", default=None, help="also write the table as JSON to this file")
    p_bench.add_argument("--seed", type=int, default=0, help="corpus seed (default 0)")
    p_bench.add_argument("--corpus", choices=("warehouse", "recombined"), default="warehouse",
                         help="warehouse: reports spread over the donor-recipient pairs and years, restating one "
                              "another's figures (default); recombined: the seeds' places and years with new figures "
                              "in every report (aid_pipeline/bench/corpus.py)")
    p_bench.add_argument("--keep", default=None, help="keep corpora, warehouses and logs in this folder")
    p_bench.add_argument("--incremental", action="store_true",
                         help="only the incremental section: one report added, changed, deleted with N processed")
    p_bench.set_defaults(func=cmd_bench)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
