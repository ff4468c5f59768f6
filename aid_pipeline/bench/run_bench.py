"""``aid-pipeline bench --reports 100 --reports 1000 [--json bench.json]``: one table, also as JSON.

For each N: (a) ``text_bench`` per t2s backend; (b) ``aid-pipeline run`` on the N-report inbox as a
subprocess with a fresh ``DAGSTER_HOME`` (wall time, peak RSS); (c) the non-text share of (b);
(d) a second run after adding 1 report. Then the growth exponent of (b) between sizes.

Definitions used in the output:
* ``run_wall_s``: wall seconds of the ``aid-pipeline run`` subprocess (start-up and imports included).
* ``peak_rss_mb``: ``ru_maxrss`` of that process tree (largest single process, from ``os.wait4``);
  ``peak_tree_mb``: largest sum of RSS over the tree, sampled every 0.2 s (only with psutil).
* ``text_s``: CPU seconds spent in the text functions, summed over workers, from the run's
  ``--summary-json``; when the run does not report it, estimated as raw chars / the single-core
  overall rate of (a) for the backend the run used (``text_s_source`` says which).
* ``non_text_share = 1 - text_s / (run_wall_s × workers)``: the share of the run's core-seconds not
  spent in text work (orchestration, event log, validation, Parquet, start-up, and cores left idle
  while one process works alone). ``workers`` is the run's own ``workers`` from the summary, else 1.
* ``non_text_cpu_share = 1 - text_s / cpu_s``: the same without the idle cores: of the CPU seconds the
  run and its workers used (``cpu_s``, from ``os.wait4``), the part not spent in text functions.
* ``incr_wall_s``: wall seconds of the second run after 1 new report joined the N processed ones.
* ``exponent``: log-log slope of ``run_wall_s`` between consecutive sizes (1.0 = linear).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from .corpus import DEFAULT_MODE, write_corpus
from ..text import compiled_modules
from .text_bench import STAGES, bench_text


def _tree_rss_sampler(pid: int, peak: list, stop: threading.Event) -> None:
    try:
        import psutil
    except ImportError:
        return
    try:
        root = psutil.Process(pid)
    except psutil.Error:
        return
    while not stop.is_set():
        try:
            procs = [root, *root.children(recursive=True)]
            total = 0
            for p in procs:
                try:
                    total += p.memory_info().rss
                except psutil.Error:
                    pass
            peak[0] = max(peak[0], total)
        except psutil.Error:
            return
        stop.wait(0.2)


def _supports_summary_json() -> bool:
    out = subprocess.run([sys.executable, "-m", "aid_pipeline.cli", "run", "--help"], capture_output=True, text=True)
    return "--summary-json" in out.stdout


def run_pipeline_subprocess(inbox: str, warehouse: str, dagster_home: str, summary_json: str | None) -> dict:
    """``aid-pipeline run`` as a child process: ``{'wall_s', 'peak_rss_mb', 'peak_tree_mb', 'returncode', 'summary'}``."""
    Path(dagster_home).mkdir(parents=True, exist_ok=True)
    cfg = Path(dagster_home) / "dagster.yaml"
    if not cfg.exists():
        cfg.write_text("telemetry:\n  enabled: false\n")
    cmd = [sys.executable, "-m", "aid_pipeline.cli", "run", "--inbox", inbox, "--warehouse", warehouse]
    if summary_json:
        cmd += ["--summary-json", summary_json]
    env = {**os.environ, "DAGSTER_HOME": dagster_home}
    log = Path(dagster_home) / "run.log"
    peak, stop = [0], threading.Event()
    t0 = time.perf_counter()
    with open(log, "ab") as fh:
        proc = subprocess.Popen(cmd, env=env, stdout=fh, stderr=subprocess.STDOUT)
        sampler = threading.Thread(target=_tree_rss_sampler, args=(proc.pid, peak, stop), daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t0
    stop.set()
    sampler.join()
    summary = {}
    if summary_json and Path(summary_json).exists():
        try:
            summary = json.loads(Path(summary_json).read_text())
        except ValueError:
            summary = {}
    return {
        "wall_s": round(wall, 3),
        "peak_rss_mb": round(usage.ru_maxrss / 1024, 1),  # Linux: kilobytes
        "peak_tree_mb": round(peak[0] / 2**20, 1) if peak[0] else None,
        # CPU of the run and every worker it waited for (Linux folds reaped descendants into this)
        "cpu_s": round(usage.ru_utime + usage.ru_stime, 3),
        "returncode": proc.returncode,
        "log": str(log),
        "summary": summary,
    }


def run_t2s_backend() -> str:
    """The t2s backend ``aid-pipeline run`` picks here, named as ``bench_text`` names it: ``'pyo3'``."""
    from ..text.convert import backend_from_env

    name = os.environ.get("AID_T2S_BACKEND") or backend_from_env().name
    return "reimplemented" if name == "opencc" else name


def bench_text_as_python(inbox: str, backend: str, max_chars: int) -> dict:
    """``bench_text`` in a subprocess where every text module runs as Python (``AID_PIPELINE_PURE=1``)."""
    code = ("import json, sys; from aid_pipeline.bench.text_bench import bench_text; "
            "print(json.dumps(bench_text(sys.argv[1], sys.argv[2], max_chars=int(sys.argv[3]))))")
    out = subprocess.run([sys.executable, "-c", code, inbox, backend, str(max_chars)], capture_output=True, text=True,
                         env={**os.environ, "AID_PIPELINE_PURE": "1"}, check=True)
    got = json.loads(out.stdout.strip().splitlines()[-1])
    got["backend"] = f"{backend} python"
    return got


def _subdir(prefix: str, n: int, mode: str) -> str:
    """``n300`` for the default corpus, ``n300_recombined`` for another mode (kept warehouses never mix corpora)."""
    return f"{prefix}{n}" + ("" if mode == DEFAULT_MODE else f"_{mode}")


def bench_size(n: int, workdir: Path, seed: int = 0, text_chars: int = 2_000_000, backends: list[str] | None = None,
               mode: str = DEFAULT_MODE) -> dict:
    """Everything for one corpus size ``n``; files under ``workdir/n<N>``."""
    from ..text.convert import available_backends

    base = workdir / _subdir("n", n, mode)
    inbox, warehouse, home = base / "inbox", base / "warehouse", base / "dagster_home"
    corpus = write_corpus(inbox, n, seed=seed, mode=mode)
    n_chars = sum(r.n_chars for r in corpus)
    text = {b: bench_text(str(inbox), b, max_chars=text_chars) for b in (backends or available_backends())}
    if compiled_modules():  # what compiling buys: the run's backend once more, every text module as Python
        b = run_t2s_backend()
        text[f"{b} python"] = bench_text_as_python(str(inbox), b, max_chars=text_chars)
    summary_path = str(base / "summary.json") if _supports_summary_json() else None
    full = run_pipeline_subprocess(str(inbox), str(warehouse), str(home), summary_path)
    write_corpus(inbox, 1, seed=seed, start=n, mode=mode)  # one new report
    incr_summary = str(base / "summary_incr.json") if summary_path else None
    incr = run_pipeline_subprocess(str(inbox), str(warehouse), str(home), incr_summary)

    run_backend = run_t2s_backend()
    s = full["summary"]
    workers = s.get("workers") or s.get("workers_used") or 1
    text_s, source = s.get("text_seconds"), "summary"
    rate = (text.get(run_backend) or {}).get("chars_per_s", {}).get("overall")
    if text_s is None:
        text_s, source = (n_chars / rate if rate else None), "estimated from (a)"
    non_text = 1 - text_s / (full["wall_s"] * workers) if text_s is not None and full["wall_s"] else None
    return {
        "n_reports": n,
        "corpus": mode,
        "n_chars": n_chars,
        "text": text,
        "run_backend": run_backend,
        "run": full,
        "run_wall_s": full["wall_s"],
        "run_summary_wall_s": s.get("wall_seconds"),
        "peak_rss_mb": full["peak_rss_mb"],
        "peak_tree_mb": full["peak_tree_mb"],
        "n_processed": s.get("n_processed"),
        "n_skipped": s.get("n_skipped"),
        "workers": workers,
        "text_s": None if text_s is None else round(text_s, 3),
        "text_s_source": source,
        "non_text_share": None if non_text is None else round(non_text, 3),
        "cpu_s": full.get("cpu_s"),
        # of the CPU the run used (idle cores not counted): the part not spent in text functions
        "non_text_cpu_share": (round(1 - text_s / full["cpu_s"], 3)
                               if text_s is not None and full.get("cpu_s") else None),
        # wall time outside the stage work units (which include their own loading, validation and writing)
        "non_stage_wall_share": (round(1 - s["text_wall_seconds"] / s["wall_seconds"], 3)
                                 if s.get("text_wall_seconds") is not None and s.get("wall_seconds") else None),
        "incr": incr,
        "incr_wall_s": incr["wall_s"],
        "incr_n_processed": incr["summary"].get("n_processed"),
        "ok": full["returncode"] == 0 and incr["returncode"] == 0,
    }


def growth_exponents(rows: list[dict], key: str = "run_wall_s") -> list[dict]:
    """Log-log slopes of ``key`` between consecutive sizes and first→last: 1.0 = linear."""
    pts = sorted((r["n_reports"], r[key]) for r in rows if r.get(key))
    out = []
    pairs = list(zip(pts, pts[1:]))
    if len(pts) > 2:
        pairs.append((pts[0], pts[-1]))
    for (n1, y1), (n2, y2) in pairs:
        out.append({"from": n1, "to": n2, "metric": key, "exponent": round(math.log(y2 / y1) / math.log(n2 / n1), 3)})
    return out


def _fmt(v, spec: str = ".2f") -> str:
    return "—" if v is None else format(v, spec)


def format_table(result: dict) -> str:
    """The one table: a row per (N, backend); pipeline columns on the row of the backend the run used."""
    head = ["N", "Mchars", "backend", *[f"{s} Mc/s" for s in STAGES], "overall Mc/s",
            "run s", "peak MB", "text s", "cpu s", "non-text", "non-text cpu", "non-stage", "+1 run s"]
    lines = []
    for r in result["sizes"]:
        for b, t in r["text"].items():
            cps = t["chars_per_s"]
            pipe = b == r["run_backend"]
            lines.append([
                str(r["n_reports"]), f"{r['n_chars'] / 1e6:.2f}", b,
                *[_fmt(cps[s] / 1e6 if cps[s] else None) for s in STAGES], _fmt(cps["overall"] / 1e6 if cps["overall"] else None),
                _fmt(r["run_wall_s"], ".1f") if pipe else "",
                _fmt(r["peak_tree_mb"] or r["peak_rss_mb"], ".0f") if pipe else "",
                (_fmt(r["text_s"], ".1f") + ("*" if r["text_s_source"] != "summary" else "")) if pipe else "",
                _fmt(r.get("cpu_s"), ".1f") if pipe else "",
                _fmt(r["non_text_share"], ".0%") if pipe else "",
                _fmt(r.get("non_text_cpu_share"), ".0%") if pipe else "",
                _fmt(r.get("non_stage_wall_share"), ".0%") if pipe else "",
                _fmt(r["incr_wall_s"], ".1f") if pipe else "",
            ])
    widths = [max(len(h), *(len(x[i]) for x in lines)) if lines else len(h) for i, h in enumerate(head)]
    out = ["  ".join(h.rjust(w) for h, w in zip(head, widths))]
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in lines]
    for g in result["growth"]:
        out.append(f"growth of run wall time {g['from']}→{g['to']} reports: exponent {g['exponent']:.2f} (1.0 = linear)")
    out.append("Mc/s = million raw chars/s on one core (text functions, in process; text modules compiled with mypyc when "
               "the install could, '<backend> python' = the same with every text module run as Python); run s / peak MB = `aid-pipeline run` "
               "subprocess wall time and peak RSS of its process tree; cpu s = CPU seconds of the run and its workers; "
               "non-text = 1 - text s / (run s × workers) (idle cores count as non-text); non-text cpu = 1 - text s / cpu s; "
               "non-stage = share of the run's wall time outside the stage steps' own waits for their work units (Dagster events, "
               "tables, checks); "
               "* = text s estimated from the overall rate (run gave no text_seconds); +1 run s = second run after adding 1 report.")
    return "\n".join(out)


@contextlib.contextmanager
def bench_workdir(keep: str | None, prefix: str) -> Iterator[Path]:
    """Where a bench writes its corpora and warehouses: ``keep`` (made if missing, left in place), else a temp dir
    removed afterwards."""
    if keep:
        workdir = Path(keep)
        workdir.mkdir(parents=True, exist_ok=True)
        yield workdir
    else:
        with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
            yield Path(tmp)


def _write_json(result: dict, json_path: str | None) -> None:
    if json_path:
        Path(json_path).write_text(json.dumps(result, indent=2, ensure_ascii=False, default=str))
        print(f"written: {json_path}")


def run_bench(sizes: list[int], json_path: str | None = None, seed: int = 0, keep: str | None = None,
              text_chars: int = 2_000_000, backends: list[str] | None = None, mode: str = DEFAULT_MODE) -> dict:
    """Bench every size, print the table, write JSON; corpora live in a temp dir unless ``keep`` names one."""
    import platform

    with bench_workdir(keep, prefix="aid-bench-") as workdir:
        rows = []
        for n in sorted(sizes):
            print(f"bench: N={n} …", file=sys.stderr, flush=True)
            rows.append(bench_size(n, workdir, seed=seed, text_chars=text_chars, backends=backends, mode=mode))
        result = {
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "compiled_text_modules": compiled_modules(),
            "seed": seed,
            "corpus": mode,
            "sizes": rows,
            "growth": growth_exponents(rows),
        }
        print(format_table(result))
        _write_json(result, json_path)
        return result


# ---- incremental: what one new, changed or deleted report costs with N reports already processed ----------------

FLOOR_WALL_S = 3.0  # issue 14: +1 report under 3 s …
FLOOR_RSS_MB = 600.0  # … and 600 MB peak RSS, at every size
FLOOR_SPREAD = 1.3  # … within 1.3x of each other across sizes
CHANGED, DELETED = 7, 9  # the corpus reports the changed and the deleted steps touch


def _set_inbox_to_corpus(inbox: Path, n: int, seed: int, mode: str = DEFAULT_MODE) -> None:
    """The inbox holds exactly reports 0..n-1 of the corpus (undoing an earlier incremental bench's steps)."""
    from .corpus import make_report

    want = {}
    for i in sorted({CHANGED, DELETED, n}):
        name, data, _ = make_report(i, seed, mode=mode)
        want[name] = data if i < n else None
    for name, data in want.items():
        path = inbox / name
        if data is None:
            path.unlink(missing_ok=True)
        elif not path.exists() or path.read_bytes() != data:
            path.write_bytes(data)


def bench_incremental_size(n: int, workdir: Path, seed: int = 0, mode: str = DEFAULT_MODE) -> dict:
    """With ``n`` reports processed (a corpus written and run once, or kept from an earlier bench in ``workdir``):
    the wall time and peak RSS of ``aid-pipeline run`` after one report is added, then one changed, then one deleted."""
    from .corpus import make_report

    base = workdir / _subdir("incremental_n", n, mode)
    inbox, warehouse, home = base / "inbox", base / "warehouse", base / "dagster_home"
    if not (warehouse / "reports.parquet").exists():
        shutil.rmtree(base, ignore_errors=True)
        write_corpus(inbox, n, seed=seed, mode=mode)
    else:
        _set_inbox_to_corpus(inbox, n, seed, mode)
    prep = run_pipeline_subprocess(str(inbox), str(warehouse), str(home), None)  # not timed: the N processed

    def add():
        write_corpus(inbox, 1, seed=seed, start=n, mode=mode)

    def change():
        name = make_report(CHANGED, seed, mode=mode)[0]
        (inbox / name).write_bytes(make_report(CHANGED, seed + 1, mode=mode)[1])  # the same file, other content

    def delete():
        (inbox / make_report(DELETED, seed, mode=mode)[0]).unlink()

    steps = {}
    for label, step in (("add", add), ("change", change), ("delete", delete)):
        step()
        r = run_pipeline_subprocess(str(inbox), str(warehouse), str(home), str(base / f"summary_{label}.json"))
        steps[label] = {"wall_s": r["wall_s"], "cpu_s": r["cpu_s"], "peak_rss_mb": r["peak_rss_mb"], "peak_tree_mb": r["peak_tree_mb"],
                        "returncode": r["returncode"], "n_processed": r["summary"].get("n_processed")}
    # the prep run is the full run of the N reports when the warehouse was not kept (else a run with nothing to do)
    return {"n_reports": n, "corpus": mode, "prep_wall_s": prep["wall_s"], "prep_cpu_s": prep["cpu_s"],
            "prep_peak_mb": _peak(prep), "prep_returncode": prep["returncode"], "steps": steps}


def _peak(step: dict) -> float:
    return max(step["peak_rss_mb"] or 0, step["peak_tree_mb"] or 0)


def incremental_verdicts(rows: list[dict]) -> dict:
    """The issue's floors on the +1 (added) report across sizes: each under 3 s and 600 MB, the largest within
    1.3x of the smallest; and a changed and a deleted report within 1.3x of the added one at every size."""
    adds = [r["steps"]["add"] for r in rows]
    walls, peaks = [s["wall_s"] for s in adds], [_peak(s) for s in adds]
    same_cost = all(max(r["steps"][k]["wall_s"] for k in r["steps"]) <= FLOOR_SPREAD * min(r["steps"][k]["wall_s"] for k in r["steps"])
                    for r in rows)
    return {
        "wall_under_3s": all(w < FLOOR_WALL_S for w in walls),
        "wall_within_1.3x": max(walls) <= FLOOR_SPREAD * min(walls),
        "rss_under_600mb": all(p < FLOOR_RSS_MB for p in peaks),
        "rss_within_1.3x": max(peaks) <= FLOOR_SPREAD * min(peaks),
        "changed_and_deleted_cost_the_same": same_cost,
    }


def format_incremental(result: dict) -> str:
    head = ["N", "step", "wall s", "cpu s", "peak MB", "tree MB", "processed", "ok"]
    lines = [[str(r["n_reports"]), k, f"{s['wall_s']:.2f}", _fmt(s.get("cpu_s"), ".2f"), _fmt(s["peak_rss_mb"], ".0f"), _fmt(s["peak_tree_mb"], ".0f"),
              str(s["n_processed"]), "yes" if s["returncode"] == 0 else "NO"]
             for r in result["sizes"] for k, s in r["steps"].items()]
    widths = [max(len(h), *(len(x[i]) for x in lines)) if lines else len(h) for i, h in enumerate(head)]
    out = ["incremental: `aid-pipeline run` after one report is added, then one changed, then one deleted, "
           "with N reports already processed"]
    out.append("  ".join(h.rjust(w) for h, w in zip(head, widths)))
    out += ["  ".join(c.rjust(w) for c, w in zip(row, widths)) for row in lines]
    for name, ok in result["verdicts"].items():
        out.append(f"floor {name}: {'met' if ok else 'NOT MET'}")
    out.append("cpu s = CPU seconds of the run and its workers (on a shared machine a steadier measure than wall s); "
               "peak MB = ru_maxrss of the run's largest process; tree MB = largest sum over its process tree (psutil); "
               "floors (issue 14) on the added report: < 3 s and < 600 MB (the larger of the two) at every N, within 1.3x "
               "across N; a changed and a deleted report within 1.3x of the added one.")
    return "\n".join(out)


def run_incremental_bench(sizes: list[int], json_path: str | None = None, seed: int = 0, keep: str | None = None,
                          mode: str = DEFAULT_MODE) -> dict:
    """``aid-pipeline bench --incremental --reports 300 --reports 3000``: the incremental section alone. With ``keep``
    the N-report warehouses stay there and a later bench reuses them (only the three steps are run again)."""
    with bench_workdir(keep, prefix="aid-bench-incr-") as workdir:
        rows = []
        for n in sorted(sizes):
            print(f"bench incremental: N={n} …", file=sys.stderr, flush=True)
            rows.append(bench_incremental_size(n, workdir, seed=seed, mode=mode))
        result = {"created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "seed": seed, "corpus": mode, "sizes": rows,
                  "verdicts": incremental_verdicts(rows)}
        print(format_incremental(result))
        _write_json(result, json_path)
        return result
