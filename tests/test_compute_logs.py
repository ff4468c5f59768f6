"""Issue 16, item 14: runs leave no `tail -F` behind. Dagster's local compute log manager mirrored each
step's stdout/stderr to the terminal by a `tail -F` child (and a watcher) per stream; a killed run's
could outlive it (`make test` left 48). The instance `aid-pipeline` writes selects
``MirroringComputeLogManager``: the same log files, mirrored by a thread of the run's own process."""

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import dagster as dg

from aid_pipeline.orchestration.compute_logs import MirroringComputeLogManager

EXE = Path(sys.executable).parent / "aid-pipeline"


def processes_mentioning(text: str) -> list[list[str]]:
    """The command lines of the live processes with ``text`` in an argument (read from /proc)."""
    found = []
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            args = (d / "cmdline").read_bytes().decode("utf-8", "replace").split("\0")
        except OSError:
            continue
        if any(text in a for a in args):
            found.append([a for a in args if a])
    return found


def test_a_cli_run_starts_no_tail_and_still_writes_its_step_logs(tmp_path, seeds_dir):
    inbox, home = tmp_path / "inbox", tmp_path / "dagster_home"
    inbox.mkdir()
    for s in sorted(seeds_dir.glob("*.txt"))[:2]:
        (inbox / s.name).write_bytes(s.read_bytes())
    env = {**os.environ, "DAGSTER_HOME": str(home)}
    run = subprocess.Popen([str(EXE), "run", "--inbox", str(inbox), "--warehouse", str(tmp_path / "wh")], env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    seen = []
    while run.poll() is None:  # every process that names the instance's folder while the run lasts
        seen += processes_mentioning(str(home))
        time.sleep(0.02)
    out = run.stdout.read()
    assert run.returncode == 0, out
    tails = [p for p in seen if os.path.basename(p[0]) == "tail"]
    assert tails == []
    assert processes_mentioning(str(home / "storage")) == []  # and none is left after it
    with dg.DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.compute_log_manager, MirroringComputeLogManager)
        (record,) = instance.get_run_records()
        logs = list((home / "storage" / record.dagster_run.run_id / "compute_logs").iterdir())
    assert {p.suffix for p in logs} >= {".out", ".err", ".complete"}  # the UI's stdout/stderr of the run


CAPTURE = textwrap.dedent("""
    import os, subprocess, sys
    from pathlib import Path
    from aid_pipeline.orchestration.compute_logs import MirroringComputeLogManager

    manager = MirroringComputeLogManager(base_dir=sys.argv[1])
    with manager.capture_logs(["run", "step"]):
        print("printed by the step", flush=True)
        os.write(2, b"written to fd 2\\n")
        children = [p for t in Path("/proc/self/task").iterdir() for p in (t / "children").read_text().split()]
        subprocess.run(["echo", "from a child process"], check=True)
        print("children while capturing:", len(children), flush=True)
    print("after the capture", flush=True)
""")


def test_captured_output_goes_to_the_log_files_and_still_to_the_terminal(tmp_path):
    proc = subprocess.run([sys.executable, "-c", CAPTURE, str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    stdout_file = tmp_path / "run" / "step.out"
    stderr_file = tmp_path / "run" / "step.err"
    assert stdout_file.read_text().splitlines() == ["printed by the step", "from a child process", "children while capturing: 0"]
    assert stderr_file.read_text() == "written to fd 2\n"
    # the terminal (here the parent's pipes) shows the same, in order, and what follows the capture
    assert proc.stdout.splitlines() == ["printed by the step", "from a child process", "children while capturing: 0",
                                        "after the capture"]
    assert "written to fd 2" in proc.stderr
    assert (tmp_path / "run" / "step.complete").exists()
