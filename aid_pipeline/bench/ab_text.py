"""Text throughput of this checkout against another commit, in CPU seconds per stage, runs interleaved A/B/A/B.

``python -m aid_pipeline.bench.ab_text --base 9aa76e5 --reports 300 --rounds 3`` checks out ``--base`` as a git
worktree (``/tmp/aid_textbase_<base>`` unless ``--base-dir``), compiles both trees' text modules with mypyc when they
are not compiled yet (``setup.py build_ext --inplace``, with this Python), writes the synthetic corpus once
(``corpus.write_corpus``, or reads ``--inbox``), then runs the four text stages over it in a fresh process per run,
base and this tree taking turns, and prints per stage the CPU seconds (``time.process_time``: on a shared machine
wall time measures the neighbours) of every run, the median of each tree and after / before.

Each run is one process that imports its tree (``PYTHONPATH``) and times ``read_raw``, ``normalise_report``,
``section_report`` and ``extract_report_metrics`` over every report (the first one again as a warm-up, not
counted): the functions ``bench_text`` times, under the names they have in both trees.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

STAGES = ("decode", "normalise", "segment", "extract")
ROOT = Path(__file__).resolve().parents[2]

# one run, in the tree on PYTHONPATH: argv[1] is the inbox; prints one JSON line
_WORKER = r"""
import json, sys, time
import os
if os.path.isdir("aid_pipeline/runner"):  # the tree's layer packages (cwd is the tree: an editable install of
    # another tree must not lend its modules), else the flat layout of older commits such as 9aa76e5
    from aid_pipeline.warehouse.inbox import list_inbox
    from aid_pipeline.runner.stages import QuarantineError, extract_report_metrics, normalise_report, read_raw, section_report
else:
    from aid_pipeline.inbox import list_inbox
    from aid_pipeline.stages import QuarantineError, extract_report_metrics, normalise_report, read_raw, section_report
from aid_pipeline.text import compiled_modules
clock = time.process_time
files = list_inbox(sys.argv[1])
sec = {"decode": 0.0, "normalise": 0.0, "segment": 0.0, "extract": 0.0}
def one(f, sec):
    t0 = clock()
    try:
        raw = read_raw(f)
    except QuarantineError:
        sec["decode"] += clock() - t0
        return 0
    t1 = clock()
    try:
        norm = normalise_report(raw)
    except QuarantineError:
        sec["decode"] += t1 - t0
        sec["normalise"] += clock() - t1
        return 0
    t2 = clock()
    sections = section_report(norm)
    t3 = clock()
    extract_report_metrics(norm, sections)
    t4 = clock()
    sec["decode"] += t1 - t0
    sec["normalise"] += t2 - t1
    sec["segment"] += t3 - t2
    sec["extract"] += t4 - t3
    return len(raw["raw_text"])
if files:
    one(files[0], dict(sec))
n_chars = sum(one(f, sec) for f in files)
import aid_pipeline
print(json.dumps({"tree": aid_pipeline.__file__, "compiled": compiled_modules(), "n_reports": len(files),
                  "n_chars": n_chars, "seconds": sec}))
"""


def run_once(tree: Path, inbox: str, python: str = sys.executable) -> dict:
    """One timed run of ``tree`` over ``inbox`` in a fresh process: ``{'seconds': {'decode': 0.4, …}, 'compiled': […], …}``."""
    env = {**os.environ, "PYTHONPATH": str(tree), "AID_PIPELINE_PURE": os.environ.get("AID_PIPELINE_PURE", "")}
    out = subprocess.run([python, "-c", _WORKER, inbox], env=env, cwd=str(tree), capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def ensure_tree(base: str, base_dir: Path) -> Path:
    """A git worktree of ``base`` at ``base_dir`` (added, detached, when missing)."""
    if not (base_dir / "aid_pipeline").is_dir():
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(base_dir), base], check=True)
    return base_dir


def ensure_compiled(tree: Path, python: str = sys.executable) -> None:
    """Compile ``tree``'s text modules with mypyc unless its compiled modules match its sources (about a minute)."""
    check = "from aid_pipeline.text import compiled_modules, stale_compiled_sources as s; import sys; sys.exit(bool(s()) or not compiled_modules())"
    env = {**os.environ, "PYTHONPATH": str(tree)}
    if subprocess.run([python, "-W", "ignore", "-c", check], env=env, cwd=str(tree)).returncode == 0:
        return
    print(f"compiling {tree} (mypyc, about a minute)", file=sys.stderr)
    subprocess.run([python, "setup.py", "--quiet", "build_ext", "--inplace"], cwd=str(tree), check=True,
                   stdout=subprocess.DEVNULL)


def compare(base_tree: Path, this_tree: Path, inbox: str, rounds: int) -> dict:
    """``rounds`` runs of each tree, interleaved base, this, base, this …: ``{'base': [run, …], 'this': [run, …]}``."""
    runs: dict[str, list[dict]] = {"base": [], "this": []}
    for r in range(rounds):
        for name, tree in (("base", base_tree), ("this", this_tree)):
            got = run_once(tree, inbox)
            runs[name].append(got)
            sec = got["seconds"]
            print(f"round {r + 1} {name:4s} " + " ".join(f"{s} {sec[s]:.3f}" for s in STAGES)
                  + f" overall {sum(sec.values()):.3f}", file=sys.stderr)
    return runs


def table(runs: dict) -> str:
    """The per-stage table of ``compare``'s runs: CPU seconds of every run, medians, and this / base."""
    lines = ["| stage | base CPU s (runs) | this CPU s (runs) | base median | this median | this / base |", "|---|---|---|---|---|---|"]
    for stage in (*STAGES, "overall"):
        cols = []
        for name in ("base", "this"):
            vals = [sum(r["seconds"].values()) if stage == "overall" else r["seconds"][stage] for r in runs[name]]
            cols.append(vals)
        mb, mt = statistics.median(cols[0]), statistics.median(cols[1])
        lines.append(f"| {stage} | {' '.join(f'{v:.2f}' for v in cols[0])} | {' '.join(f'{v:.2f}' for v in cols[1])} "
                     f"| {mb:.2f} | {mt:.2f} | {mt / mb:.3f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="9aa76e5", help="the commit to compare with (default: 9aa76e5, before issue 15)")
    ap.add_argument("--base-dir", help="its worktree (default /tmp/aid_textbase_<base>; added when missing)")
    ap.add_argument("--inbox", help="reports to run on (default: a synthetic corpus of --reports written to a temp dir)")
    ap.add_argument("--reports", type=int, default=300)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--no-compile", action="store_true", help="run both trees as they are (compiled or not)")
    ap.add_argument("--json", help="also write every run's numbers here")
    args = ap.parse_args(argv)
    base_tree = ensure_tree(args.base, Path(args.base_dir or f"/tmp/aid_textbase_{args.base}"))
    if not args.no_compile:
        ensure_compiled(base_tree)
        ensure_compiled(ROOT)
    with tempfile.TemporaryDirectory(prefix="aid_ab_") as tmp:
        inbox = args.inbox
        if inbox is None:
            from .corpus import write_corpus

            inbox = str(Path(tmp) / "inbox")
            write_corpus(inbox, args.reports)
        runs = compare(base_tree, ROOT, inbox, args.rounds)
    first = runs["this"][0]
    print(f"{first['n_reports']} reports, {first['n_chars']:,} raw chars; compiled: base {len(runs['base'][0]['compiled'])}, "
          f"this {len(first['compiled'])} of 9 text modules; base = {args.base} ({base_tree}), this = {ROOT}")
    print(table(runs))
    if args.json:
        Path(args.json).write_text(json.dumps(runs, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
