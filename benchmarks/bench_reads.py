"""Cold-start cost of the read commands, side by side with Taskwarrior's `task export`.

    python benchmarks/bench_reads.py [--runs 7] [--tw-tasks 10000] [--big PATH] [--only TEXT]

Prints, in one run (median wall time of ``--runs`` processes, taken round-robin
so that every measure sees the same machine load) and the peak RSS of each:

- ``python -c pass`` — the interpreter alone (baseline);
- Taskwarrior's ``task export`` of ``--tw-tasks`` pending tasks (default 10,000;
  Debian's ``taskwarrior``, ``apt-get install -y taskwarrior``; when it is not
  installed the issue's figure, 0.12 s, is used and said so);
- ``lctasks list --json`` of the bundled plan (633 tasks): the installed entry
  point (read fast path) and the same through the Typer app;
- ``lctasks show ID --json``, ``show ID``, ``report``, ``report --json``, ``plan``
  (text and ``--json``), filtered ``list`` (``--chapter --status --light``; ``--unit
  kjj --json``), ``history``, ``log`` and a filtered ``log --action import --json``
  of the bundled plan;
- with ``--big PATH`` (a database from ``benchmarks/synth.py``, plan ``big``):
  ``list --json``, ``report``, ``report --json`` and ``report --by chapter --csv``
  at that size.

Each line gives the median wall time, its ratio to ``python -c pass`` and to
``task export``, the median CPU time (user + system of the process: on a shared
machine it moves less than the wall time) and the peak RSS.

Figures, not a test: machine load moves them, the ratios matter.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

TW_FIGURE = 0.12  # s: Taskwarrior's `task export` of 10,000 tasks, from issue 11


def run(cmd: Sequence[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak RSS MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    took = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{err}")
    if proc.stderr:
        proc.stderr.close()
    return took, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def lctasks_cmd() -> list[str]:
    """The installed `lctasks` script when it uses the fast entry point, else -m."""
    script = Path(sys.executable).with_name("lctasks")
    if script.is_file() and "lctasks.cli.entry" in script.read_text(encoding="utf-8"):
        return [str(script)]
    return [sys.executable, "-m", "lctasks"]


def taskwarrior(data: Path, n: int) -> tuple[list[str], dict[str, str]] | None:
    if shutil.which("task") is None:
        return None
    data.mkdir()
    env = dict(os.environ, TASKRC="/dev/null")
    base = ["task", "rc.confirmation=off", f"rc.data.location={data}", "rc.verbose=nothing"]
    tasks = data.parent / "tw.json"
    with tasks.open("w", encoding="utf-8") as fh:
        for i in range(n):
            item = {"uuid": str(uuid.uuid4()), "description": f"任务 {i}", "status": "pending"}
            fh.write(json.dumps({**item, "entry": "20250101T000000Z"}) + "\n")
    subprocess.run([*base, "import", str(tasks)], env=env, capture_output=True, check=True)
    return base, env


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--tw-tasks", type=int, default=10_000)
    ap.add_argument("--big", help="a synth.py database (plan big) for the large figures")
    ap.add_argument(
        "--only",
        metavar="TEXT",
        help="measure only the lines whose label holds TEXT (and the baselines), e.g. 'big plan'",
    )
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="lctasks-reads-"))
    try:
        db = tmp / "plan.db"
        env = dict(os.environ, LCTASKS_DB=str(db), LCTASKS_USER="基准")
        env.pop("LCTASKS_PLAN", None)
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: .pyc files present
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "lctasks")], check=True, env=env
        )
        lct = lctasks_cmd()
        subprocess.run([*lct, "import"], env=env, check=True, capture_output=True)
        typer_main = "import sys; from lctasks.cli.app import main; sys.argv[0] = 'lctasks'; main()"
        typer = [sys.executable, "-c", typer_main]
        measures: dict[str, tuple[list[str], dict[str, str]]] = {
            "python -c pass (baseline)": ([sys.executable, "-c", "pass"], env),
        }
        tw = taskwarrior(tmp / "tw", args.tw_tasks)
        if tw is not None:
            measures[f"task export ({args.tw_tasks:,} tasks; Taskwarrior)"] = (
                [*tw[0], "export"],
                tw[1],
            )
        reads = {
            "lctasks list --json (bundled plan)": ["list", "--json"],
            "lctasks show C10.M03 --json": ["show", "C10.M03", "--json"],
            "lctasks show C10.M03": ["show", "C10.M03"],
            "lctasks report": ["report"],
            "lctasks report --json": ["report", "--json"],
            "lctasks plan": ["plan"],
            "lctasks plan --json": ["plan", "--json"],
            "lctasks list -c 10 --status not_started --light red": [
                "list",
                *("--chapter", "10", "--status", "not_started", "--light", "red"),
            ],
            "lctasks list --unit kjj --json": ["list", "--unit", "kjj", "--json"],
            "lctasks history C10.M03": ["history", "C10.M03"],
            "lctasks log": ["log"],
            "lctasks log --action import --json": ["log", "--action", "import", "--json"],
        }
        for label, words in reads.items():
            measures[label] = ([*lct, *words], env)
        measures["lctasks list --json, through Typer (reference)"] = (
            [*typer, "list", "--json"],
            env,
        )
        if args.big:
            big_env = dict(env, LCTASKS_DB=str(Path(args.big).resolve()), LCTASKS_PLAN="big")
            measures["lctasks list --json (big plan)"] = ([*lct, "list", "--json"], big_env)
            measures["lctasks report (big plan)"] = ([*lct, "report"], big_env)
            measures["lctasks report --json (big plan)"] = ([*lct, "report", "--json"], big_env)
            measures["lctasks report --by chapter --csv (big plan)"] = (
                [*lct, "report", "--by", "chapter", "--csv"],
                big_env,
            )
        if args.only:
            measures = {
                k: v
                for k, v in measures.items()
                if args.only in k or k.startswith(("python -c pass", "task export"))
            }
        times: dict[str, list[float]] = {k: [] for k in measures}
        cpus: dict[str, list[float]] = {k: [] for k in measures}
        rss: dict[str, float] = {k: 0.0 for k in measures}
        for _ in range(args.runs):
            for label, (cmd, cmd_env) in measures.items():
                took, cpu, mb = run(cmd, cmd_env)
                times[label].append(took)
                cpus[label].append(cpu)
                rss[label] = max(rss[label], mb)
        med = {k: statistics.median(v) for k, v in times.items()}
        cpu_med = {k: statistics.median(v) for k, v in cpus.items()}
        py = med["python -c pass (baseline)"]
        tw_s = next((v for k, v in med.items() if k.startswith("task export")), None)
        tw_note = (
            " against Taskwarrior's task export measured in this run"
            if tw_s is not None
            else f" (Taskwarrior not installed: task export = issue 11's {TW_FIGURE} s)"
        )
        tw_ref = tw_s if tw_s is not None else TW_FIGURE
        print(f"median of {args.runs} round-robin runs{tw_note}")
        print(
            f"{'what':52s} {'s':>7s} {'× pass':>7s} {'× task export':>14s}"
            f" {'CPU s':>7s} {'peak MB':>8s}"
        )
        for label, s in med.items():
            print(
                f"{label:52s} {s:7.3f} {s / py:7.2f} {s / tw_ref:14.2f}"
                f" {cpu_med[label]:7.3f} {rss[label]:8.1f}"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
