"""Snapshot export, diff, apply and export --since at scale, with their baselines.

    .venv/bin/python benchmarks/bench_snapshot.py [N] [--db PATH --reuse] [--edits 2000]

Builds a synthetic ledger of N tasks (default 100,000; ``benchmarks/synth.py``
when present, else a small generator here), then measures, in the same run:

- in this process: ``ReviewService.export`` plus the TOML bytes and the atomic
  write, with the render cache cold and warm (``lctasks.snapshot.render``),
  against a plain SELECT of the rows and ``tomli_w.dumps`` of the whole
  document in one call (the aim: export <= 1.0x of it); ``snapshot.diff_files``
  of two snapshots ~2% apart against ``tomllib.loads`` of both files;
- in fresh processes (wall, CPU and peak RSS of each): ``lctasks export``,
  ``lctasks apply REVIEWED --dry-run``, ``lctasks apply REVIEWED`` and
  ``lctasks export --since REVIEWED`` of a reviewed file with ``--edits`` edited
  task tables (a person named, the deadline a year later), against a process
  that only runs ``tomllib.loads`` of that file (the floor a whole read costs).

Wall time and process CPU time are printed (the machine may be shared: CPU
time shows the work, wall time what a user waits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2025, 6, 30)


def timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float, float]]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    return result


def build(db: str, n: int) -> str:
    try:
        from benchmarks.synth import make_big_db
    except ImportError:
        return _fallback(db, n)
    return make_big_db(db, n)


def _fallback(db: str, n: int) -> str:
    """A plan ``big`` of n copies of the real tasks with owners, statuses and reports."""
    from sqlalchemy import select

    from lctasks.db.engine import open_database
    from lctasks.db.models import CoUnitRow, PlanRow, ProgressRow, TaskRow, UnitRow
    from lctasks.domain import Actor, Source
    from lctasks.plan import load_plan
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    rnd = random.Random(14)
    database = open_database(db)
    tree = load_plan()
    LedgerService(ServiceContext(database, Actor("bench", Source.IMPORT))).import_tree(tree)
    now = dt.datetime.now(dt.UTC)
    statuses = ["not_started"] * 30 + ["in_progress"] * 45 + ["blocked"] * 5 + ["done"] * 8
    statuses += ["closed"] * 8 + ["returned"] * 2 + ["suspended"] * 2
    with database.write() as s:
        plan = PlanRow(
            code="big",
            title="synthetic",
            doc_number="",
            start=tree.start,
            end=tree.end,
            imported_at=now,
        )
        s.add(plan)
        s.flush()
        units = list(s.scalars(select(UnitRow.id)))
        for start in range(0, n, 5000):
            rows = []
            for i in range(start, min(n, start + 5000)):
                d = tree.tasks[i % len(tree.tasks)]
                status = rnd.choice(statuses)
                rows.append(
                    {
                        "plan_id": plan.id,
                        "key": f"{d.key}.{i // len(tree.tasks):04d}",
                        "kind": d.kind.value,
                        "chapter": d.chapter,
                        "title": d.title,
                        "status": status,
                        "progress": rnd.randrange(0, 100, 5),
                        "start": tree.start,
                        "due": d.due,
                        "due_basis": d.due_basis.value,
                        "lead_unit_id": rnd.choice(units) if rnd.random() < 0.85 else None,
                        "version": 1,
                        "updated_at": now,
                        "attrs": {},
                        "suggested_co": [],
                        "suggested_rules": [],
                    }
                )
            s.execute(TaskRow.__table__.insert(), rows)
            ids = dict(
                s.execute(
                    select(TaskRow.key, TaskRow.id).where(TaskRow.key.in_([r["key"] for r in rows]))
                ).all()
            )
            co, reports = [], []
            for r in rows:
                tid = ids[r["key"]]
                if r["lead_unit_id"] and rnd.random() < 0.4:
                    uid = rnd.choice(units)
                    if uid != r["lead_unit_id"]:
                        co.append({"task_id": tid, "unit_id": uid, "position": 0})
                if r["status"] != "not_started" and rnd.random() < 0.6:
                    reports.append(
                        {
                            "task_id": tid,
                            "at": now - dt.timedelta(days=rnd.randint(0, 90)),
                            "actor": "bench",
                            "period": "",
                            "made": "按计划推进",
                            "problems": "",
                            "next_steps": "",
                            "percent": r["progress"],
                        }
                    )
            if co:
                s.execute(CoUnitRow.__table__.insert(), co)
            if reports:
                s.execute(ProgressRow.__table__.insert(), reports)
    database.dispose()
    return "big"


# Linux keeps a process's peak RSS across exec, so a child forked from this (big)
# process would report this process's size: children start from a small helper
# process, started before anything big is loaded.
_SPAWNER = """
import json, os, subprocess, sys, time
for line in sys.stdin:
    cmd, env, cwd = json.loads(line)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE)
    err = proc.stderr.read().decode()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    print(json.dumps([os.waitstatus_to_exitcode(status), wall,
                      usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, err]), flush=True)
"""


class Spawner:
    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", _SPAWNER],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def run(self, cmd: list[str], env: dict[str, str]) -> tuple[float, float, float]:
        """(wall s, CPU s, peak RSS MB) of one child process."""
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps([cmd, env, str(ROOT)]) + "\n")
        self.proc.stdin.flush()
        code, wall, cpu, rss, err = json.loads(self.proc.stdout.readline())
        if code != 0:
            raise SystemExit(f"failed: {' '.join(cmd)}\n{err}")
        return wall, cpu, rss

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--db", help="database file to (re)build (default: a temporary file)")
    ap.add_argument(
        "--reuse", action="store_true", help="reuse --db when it exists (built by an earlier run)"
    )
    ap.add_argument("--edits", type=int, default=2000, help="edited task tables to apply")
    args = ap.parse_args(argv)
    spawner = Spawner()  # first: small

    import tomli_w

    from benchmarks.bench_review import edit
    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.review import ReviewService
    from lctasks.services.workflow import WorkflowService
    from lctasks.snapshot import diff_files, snapshot_bytes, to_document, write_snapshot
    from lctasks.snapshot.render import RenderCache

    work = Path(tempfile.mkdtemp(prefix="lctasks-bench-snapshot-"))
    db = args.db or str(work / "big.db")
    if args.reuse and os.path.exists(db):
        code = "big"
        print(f"reusing {db}")
    else:
        if os.path.exists(db):
            os.unlink(db)
        t0 = time.perf_counter()
        code = build(db, args.n)
        print(f"built {args.n:,} tasks in plan {code!r} ({time.perf_counter() - t0:.1f} s): {db}")
    pristine = work / "pristine.db"
    shutil.copy(db, pristine)

    database = open_database(db)
    ctx = ServiceContext(database, Actor("bench", Source.CLI))
    svc = ReviewService(ctx)
    rows: list[tuple[str, float, float]] = []

    def plain_rows() -> int:
        from lctasks.db.sql import SessionRunner
        from lctasks.services.plans import resolve_plan
        from lctasks.services.read_model import task_records

        with database.read() as s:
            plan_row = resolve_plan(s, code)
            settings = svc._settings()
            return len(task_records(SessionRunner(s), plan_row.id, as_of=AS_OF, settings=settings))

    timed("baseline: SELECT the task rows (read model)", plain_rows, rows)
    old_file, new_file = work / "before.toml", work / "after.toml"
    cache_file = work / "render-cache.bin"

    def export(path: Path, cache: RenderCache | None) -> Any:
        snap = svc.export(as_of=AS_OF, plan=code)
        write_snapshot(snapshot_bytes(snap, cache), path)
        if cache is not None:
            cache.save()
        return snap

    timed("export, no cache (as before)", lambda: export(old_file, None), rows)
    snap = timed(
        "export, cache cold (first export)", lambda: export(old_file, RenderCache(cache_file)), rows
    )
    timed(
        "export: database → TOML file, cache warm",
        lambda: export(old_file, RenderCache(cache_file)),
        rows,
    )
    timed(
        "  of which: database → Snapshot (lights)", lambda: svc.export(as_of=AS_OF, plan=code), rows
    )
    doc = to_document(snap)
    timed("baseline: tomli_w.dumps of the same document", lambda: tomli_w.dumps(doc), rows)

    # ~2% of the tasks change between the two meetings, through the workflow
    rnd = random.Random(7)
    keys = [x.id for x in snap.tasks]
    wf = WorkflowService(ctx)
    open_ = [x.id for x in snap.tasks if x.status.value in ("in_progress", "blocked")]
    wf.set_status(rnd.sample(open_, min(len(open_), args.n // 100)), "done", plan=code)
    assigned = rnd.sample(keys, args.n // 200)
    closed = {x.id for x in snap.tasks if x.status.value == "closed"}
    assigned = [k for k in assigned if k not in closed]
    wf.assign(assigned, lead="市大数据局", reason="调度会改派", plan=code)
    export(new_file, RenderCache(cache_file))
    text_old = old_file.read_text(encoding="utf-8")
    text_new = new_file.read_text(encoding="utf-8")
    diff, _ = timed("diff: two files → SnapshotDiff", lambda: diff_files(old_file, new_file), rows)
    timed(
        "baseline: tomllib.loads of the two files",
        lambda: (tomllib.loads(text_old), tomllib.loads(text_new)),
        rows,
    )
    database.dispose()
    size = old_file.stat().st_size
    print(
        f"snapshot: {size / 1e6:.1f} MB; diff: {len(diff.newly_done)} newly done, "
        f"{len(diff.reassigned)} reassigned, {len(diff.status_changed)} status changes"
    )

    # fresh processes on a fresh copy of the database: what a person at the CLI waits
    reviewed, edited = edit(text_old, args.edits)
    review_file = work / "reviewed.toml"
    review_file.write_text(reviewed, encoding="utf-8")
    shutil.copy(pristine, db)
    env = dict(
        os.environ,
        LCTASKS_DB=db,
        LCTASKS_PLAN=code,
        LCTASKS_USER="基准",
        XDG_CACHE_HOME=str(work / "xdg-cache"),
    )
    cli = [sys.executable, "-m", "lctasks"]
    as_of = ["--as-of", AS_OF.isoformat()]
    procs: list[tuple[str, tuple[float, float, float]]] = []
    floor = "import sys, tomllib; tomllib.loads(open(sys.argv[1], encoding='utf-8').read())"
    out, reviewed_arg = str(work / "cli.toml"), str(review_file)
    # --late: the synthetic deadlines are past today, and moving them later is the
    # meeting granting an extension after the fact (as ``extend --late``)
    apply = [*cli, "apply", reviewed_arg, "--late"]
    steps = [
        ("baseline: tomllib.loads of the file", [sys.executable, "-c", floor, reviewed_arg]),
        ("lctasks export (cache cold)", [*cli, "export", *as_of, "--out", out]),
        ("lctasks export (cache warm)", [*cli, "export", *as_of, "--out", out]),
        ("lctasks export --since REVIEWED", [*cli, "export", *as_of, "--since", reviewed_arg]),
        (f"lctasks apply --late --dry-run ({edited} edits)", [*apply, "--dry-run"]),
        (f"lctasks apply --late ({edited} edits)", apply),
    ]
    for label, cmd in steps:
        procs.append((label, spawner.run(cmd, env)))

    print(f"{'step (this process)':52} {'wall s':>8} {'cpu s':>8}")
    for label, wall, cpu in rows:
        print(f"{label:52} {wall:8.2f} {cpu:8.2f}")
    exp = next(r for r in rows if r[0].startswith("export: database"))
    dif = next(r for r in rows if r[0].startswith("diff"))
    tw = next(r for r in rows if r[0].startswith("baseline: tomli_w"))
    tl = next(r for r in rows if r[0].startswith("baseline: tomllib"))
    print(
        f"export (cache warm) / tomli_w.dumps alone: {exp[1] / tw[1]:.2f}x wall, "
        f"{exp[2] / tw[2]:.2f}x cpu (aim <= 1.0)"
    )
    print(f"diff / tomllib.loads of both: {dif[1] / tl[1]:.2f}x wall, {dif[2] / tl[2]:.2f}x cpu")
    base = procs[0][1]
    print(f"{'step (fresh process)':52} {'wall s':>8} {'cpu s':>8} {'x cpu':>6} {'peak MB':>8}")
    for label, (wall, cpu, rss) in procs:
        print(f"{label:52} {wall:8.2f} {cpu:8.2f} {cpu / base[1]:6.2f} {rss:8.0f}")
    spawner.close()
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
