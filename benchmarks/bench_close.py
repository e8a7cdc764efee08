"""Cold-start cost of `lctasks close`, side by side with `python -c pass` and Taskwarrior.

    python benchmarks/bench_close.py [--tasks 100000] [--tw-tasks 10000]
                                     [--batch 1000] [--runs 11]

Prints, in one run on this machine (median wall time of ``--runs`` processes,
taken round-robin so that every measure sees the same machine load):

- ``python -c pass`` — the interpreter alone;
- ``lctasks close ID --note … --evidence …`` — one call on a database of
  ``--tasks`` tasks (default 100,000), each run closing a different task; the
  installed entry point's fast path (stdlib sqlite3, no Typer/SQLAlchemy);
- the same call through the Typer app (for reference: what the fast path saves);
- Taskwarrior's ``task N done`` on ``--tw-tasks`` pending tasks (default 10,000;
  Debian's ``taskwarrior``; rc.confirmation=off, a temporary rc.data.location);
- one ``lctasks close --from FILE`` call closing ``--batch`` tasks (ms per task).

Bytecode: an installed package has its ``.pyc`` files (pip compiles them); an
editable checkout run with ``PYTHONDONTWRITEBYTECODE=1`` would recompile every
module on every call (~100 ms here). The benchmark byte-compiles ``lctasks/``
first (``compileall``, into the git-ignored ``__pycache__``) so that it
measures what users run.

Figures, not a test: machine load moves them, the ratios matter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import sqlite3
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


def make_db(path: Path, n: int) -> tuple[list[str], str | None]:
    """An lctasks database with ``n`` tasks; the keys of in-progress tasks, the plan code.

    The ledger's synthetic generator (``benchmarks/synth.py``: the real plan's tasks
    copied with a realistic mix of statuses, owners, checklists and reports) when
    present, else plain rows.
    """
    try:
        from benchmarks.synth import BIG_PLAN, make_big_db
    except ImportError:
        pass
    else:
        make_big_db(path, n)
        con = sqlite3.connect(path)
        plan_id = con.execute("SELECT id FROM plans WHERE code = ?", (BIG_PLAN,)).fetchone()[0]
        rows = con.execute(
            "SELECT key FROM tasks WHERE plan_id = ? AND status IN ('in_progress', 'done') "
            "ORDER BY id",
            (plan_id,),
        )
        keys = [r[0] for r in rows]
        con.close()
        return keys, BIG_PLAN
    from lctasks.db.engine import open_database

    open_database(str(path)).dispose()  # the schema, through Alembic
    now = dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(sep=" ")
    con = sqlite3.connect(path)
    con.execute(
        'INSERT INTO plans (code, title, doc_number, start, "end", source_name, '
        "source_sha256, imported_at) VALUES ('bench', '基准规划', '', '2021-01-01', "
        "'2025-12-31', '', '', ?)",
        (now,),
    )
    keys = [f"C{1 + i // 2000:02d}.M{i % 2000 + 1:04d}" for i in range(n)]
    con.executemany(
        "INSERT INTO tasks (plan_id, key, kind, chapter, title, source_text, line, attrs, "
        "status, progress, start, due, due_basis, due_text, suggested_co, suggested_rules, "
        "removed, version, updated_at) VALUES (1, ?, 'measure', ?, ?, ?, 0, '{}', "
        "'in_progress', 0, '2021-01-01', '2025-12-31', 'inferred', '', '[]', '[]', 0, 1, ?)",
        [(k, 1 + i // 2000, f"任务{i}", f"任务{i}的原文。", now) for i, k in enumerate(keys)],
    )
    con.commit()
    con.close()
    return keys, None


def timed(cmd: Sequence[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    res = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    took = (time.perf_counter() - start) * 1000
    if res.returncode != 0:
        raise SystemExit(f"failed ({res.returncode}): {' '.join(cmd)}\n{res.stderr}")
    return took


def lctasks_cmd() -> list[str]:
    """The installed `lctasks` script when it uses the fast entry point, else -m."""
    script = Path(sys.executable).with_name("lctasks")
    if script.is_file() and "lctasks.cli.entry" in script.read_text(encoding="utf-8"):
        return [str(script)]
    return [sys.executable, "-m", "lctasks"]


def taskwarrior(data: Path, n: int, env: dict[str, str]) -> tuple[list[str], dict[str, str]] | None:
    """A Taskwarrior data dir with ``n`` pending tasks; the base command and its env."""
    if shutil.which("task") is None:
        print("taskwarrior: not installed (apt-get install -y taskwarrior)")
        return None
    data.mkdir()
    tw_env = dict(env, TASKRC="/dev/null")
    base = ["task", "rc.confirmation=off", f"rc.data.location={data}", "rc.verbose=nothing"]
    tasks = data.parent / "tw.json"
    with tasks.open("w", encoding="utf-8") as fh:
        for i in range(n):
            item = {"uuid": str(uuid.uuid4()), "description": f"任务 {i}", "status": "pending"}
            fh.write(json.dumps({**item, "entry": "20250101T000000Z"}) + "\n")
    subprocess.run([*base, "import", str(tasks)], env=tw_env, capture_output=True, check=True)
    count = subprocess.run(
        [*base, "status:pending", "count"], env=tw_env, capture_output=True, text=True
    ).stdout.strip()
    print(f"taskwarrior: {count} pending tasks")
    return base, tw_env


def main(argv: Sequence[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--tw-tasks", type=int, default=10_000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=11)
    args = ap.parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="lctasks-bench-"))
    try:
        db = tmp / "big.db"
        t0 = time.perf_counter()
        keys, plan = make_db(db, args.tasks)
        con = sqlite3.connect(db)
        total = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
        con.close()
        took = time.perf_counter() - t0
        print(f"database: {total:,} tasks, {len(keys):,} open to close ({took:.1f} s to build)")
        env = dict(os.environ, LCTASKS_DB=str(db), LCTASKS_USER="基准")
        env.pop("LCTASKS_PLAN", None)
        if plan:
            env["LCTASKS_PLAN"] = plan
        env.pop("PYTHONDONTWRITEBYTECODE", None)  # as installed: .pyc files present
        subprocess.run(
            [sys.executable, "-m", "compileall", "-q", str(ROOT / "lctasks")], check=True, env=env
        )
        lct = lctasks_cmd()
        note = ["--note", "完成", "--evidence", "bench"]
        pick = iter(keys[len(keys) // 3 :])  # each run closes a task still in progress

        typer_main = "import sys; from lctasks.cli.app import main; sys.argv[0] = 'lctasks'; main()"
        tw_setup = taskwarrior(tmp / "tw", args.tw_tasks, env)
        # round-robin: every measure sees the same machine load, so the ratios hold
        times: dict[str, list[float]] = {"pass": [], "fast": [], "typer": [], "tw": []}
        for i in range(args.runs):
            times["pass"].append(timed([sys.executable, "-c", "pass"], env))
            times["fast"].append(timed([*lct, "close", next(pick), *note], env))
            times["typer"].append(
                timed([sys.executable, "-c", typer_main, "close", next(pick), *note], env)
            )
            if tw_setup:
                base, tw_env = tw_setup
                times["tw"].append(timed([*base, str(args.tw_tasks // 2 + i), "done"], tw_env))
        py, fast, slow = (statistics.median(times[k]) for k in ("pass", "fast", "typer"))
        tw = statistics.median(times["tw"]) if times["tw"] else None
        ids = tmp / "batch.txt"
        ids.write_text("\n".join(next(pick) for _ in range(args.batch)) + "\n", encoding="utf-8")
        batch = timed([*lct, "close", "--from", str(ids), *note], env)

        print()
        print(f"{'what':58s} {'ms':>8s}  {'× pass':>7s}  {'× task':>7s}")

        def line(what: str, ms: float) -> None:
            vs_tw = f"{ms / tw:7.2f}" if tw else "      —"
            print(f"{what:58s} {ms:8.1f}  {ms / py:7.2f}  {vs_tw}")

        line("python -c pass", py)
        line(f"lctasks close ID ({total:,} tasks; entry fast path)", fast)
        line("lctasks close ID (same, through the Typer app)", slow)
        if tw:
            line(f"task N done ({args.tw_tasks:,} tasks; Taskwarrior)", tw)
        line(f"lctasks close --from FILE ({args.batch:,} tasks, one call)", batch)
        print(f"batch: {batch / args.batch:.2f} ms per task (goal < 5 ms)")
        if tw:
            print(
                f"single close: {fast / tw:.2f}× Taskwarrior (goal ≤ 3×), {fast / py:.1f}× python"
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
