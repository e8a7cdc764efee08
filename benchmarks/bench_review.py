"""A reviewed snapshot with many edits: `apply --dry-run` and `apply`, with a baseline.

    .venv/bin/python benchmarks/bench_review.py [--n 20000] [--edits 1500] [--db PATH]

Builds plan ``big`` with ``--n`` tasks (``benchmarks/synth.py``; or reuses
``--db``, copied first), exports a snapshot, then edits ``--edits`` task tables
as a meeting would (a person named, the deadline a year later: an extension)
and times, each in a fresh process on a fresh copy of the database:

- baseline: ``tomllib.loads`` of the reviewed file (what reading it costs at least);
- ``lctasks apply FILE --dry-run`` and ``lctasks apply FILE``;
- ``lctasks export --since FILE``.

Prints wall and CPU seconds (children's user+system) and peak RSS of each.
Figures, not a test.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def run(cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
    """(wall s, CPU s, peak RSS MB) of one process."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
    if proc.stderr:
        proc.stderr.close()
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def edit(text: str, n: int) -> tuple[str, int]:
    """Edit every tenth open task table, up to ``n``: person and a later deadline."""
    parts = re.split(r'(?m)^(?=\[tasks\."[^"]+"\]\n)', text)
    out, edited = [parts[0]], 0
    for i, part in enumerate(parts[1:]):
        if edited < n and i % 10 == 3 and 'status = "closed"' not in part:
            part = part.replace('person = ""', 'person = "张三"', 1)
            part = re.sub(
                r"due = (\d{4})-", lambda m: f"due = {int(m.group(1)) + 1}-", part, count=1
            )
            edited += 1
        out.append(part)
    return "".join(out), edited


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000)
    ap.add_argument("--edits", type=int, default=1500)
    ap.add_argument("--db", help="an existing synth.py database (copied, not changed)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="lctasks-review-"))
    try:
        base = tmp / "base.db"
        if args.db:
            shutil.copy(args.db, base)
        else:
            from benchmarks.synth import make_big_db

            make_big_db(base, args.n)
        env = dict(os.environ, LCTASKS_PLAN="big", LCTASKS_USER="基准")
        lct = [sys.executable, "-m", "lctasks"]
        fresh = tmp / "work.db"
        shutil.copy(base, fresh)
        snap = tmp / "snap.toml"
        subprocess.run(
            [*lct, "--db", str(fresh), "export", "--as-of", "2025-06-30", "-o", str(snap)],
            env=env,
            check=True,
            capture_output=True,
        )
        text, edited = edit(snap.read_text(encoding="utf-8"), args.edits)
        reviewed = tmp / "reviewed.toml"
        reviewed.write_text(text, encoding="utf-8")
        size = reviewed.stat().st_size / 1e6
        print(f"{args.n:,} tasks, {edited:,} edited tables, reviewed file {size:.1f} MB")
        load = f"import tomllib; tomllib.loads(open({str(reviewed)!r}, encoding='utf-8').read())"
        steps = {
            "baseline: tomllib.loads of the file": [sys.executable, "-c", load],
            "apply --dry-run": [*lct, "--db", str(fresh), "apply", str(reviewed), "--dry-run"],
            "apply": [*lct, "--db", str(fresh), "apply", str(reviewed)],
            "export --since FILE": [
                *lct,
                "--db",
                str(fresh),
                "export",
                "--since",
                str(reviewed),
                "-o",
                "-",
            ],
        }
        print(f"{'step':40s} {'wall s':>8s} {'CPU s':>8s} {'× base CPU':>10s} {'peak MB':>8s}")
        base_cpu = None
        for label, cmd in steps.items():
            shutil.copy(base, fresh)
            for suffix in ("-wal", "-shm"):
                Path(str(fresh) + suffix).unlink(missing_ok=True)
            wall, cpu, mb = run(cmd, env)
            base_cpu = base_cpu or cpu
            print(f"{label:40s} {wall:8.2f} {cpu:8.2f} {cpu / base_cpu:10.2f} {mb:8.1f}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
