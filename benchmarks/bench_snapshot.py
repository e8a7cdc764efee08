"""Snapshot export and diff at scale (aim: under 3 s each for 100,000 tasks).

    .venv/bin/python benchmarks/bench_snapshot.py [N] [--db PATH]

Builds a synthetic ledger of N tasks (default 100,000; ``benchmarks/synth.py``
when present, else a small generator here), then measures, in the same run:

- export: ``ReviewService.export`` (database → snapshot with lights) plus the
  TOML bytes (tomli_w) and the atomic write, against a plain SELECT of the same
  rows, ``tomli_w.dumps`` of the whole document in one call, and one
  ``tomli_w.dumps`` call per task table, joined (the alternative layout of calls);
- diff: ``snapshot.diff_files`` of that snapshot and one taken after changing
  ~2% of the tasks through the workflow service (tomllib reads only the tasks
  whose text differs), against ``tomllib.loads`` of the two whole files and
  against parsing both fully with ``parse_snapshot`` (tomllib + validation).

Wall time and process CPU time are printed (the machine may be shared: CPU
time shows the work, wall time what a user waits).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--db", help="database file to (re)build (default: a temporary file)")
    ap.add_argument(
        "--reuse", action="store_true", help="reuse --db when it exists (built by an earlier run)"
    )
    args = ap.parse_args(argv)

    import tomli_w

    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.review import ReviewService, _co_units, _task_rows
    from lctasks.services.workflow import WorkflowService
    from lctasks.snapshot import (
        diff_files,
        parse_snapshot,
        snapshot_bytes,
        to_document,
        write_snapshot,
    )

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

    database = open_database(db)
    ctx = ServiceContext(database, Actor("bench", Source.CLI))
    svc = ReviewService(ctx)
    rows: list[tuple[str, float, float]] = []

    def plain_rows() -> int:
        from lctasks.services.plans import resolve_plan

        with database.read() as s:
            plan_row = resolve_plan(s, code)
            return len(_task_rows(s, plan_row, (), (), ())) + len(_co_units(s, plan_row))

    timed("baseline: SELECT the task rows + co-units", plain_rows, rows)
    old_file, new_file = work / "before.toml", work / "after.toml"

    def export(path: Path) -> Any:
        snap = svc.export(as_of=AS_OF, plan=code)
        write_snapshot(snapshot_bytes(snap), path)
        return snap

    snap = timed("export: database → TOML file (total)", lambda: export(old_file), rows)
    timed(
        "  of which: database → Snapshot (lights)", lambda: svc.export(as_of=AS_OF, plan=code), rows
    )
    timed("  of which: Snapshot → bytes", lambda: snapshot_bytes(snap), rows)
    doc = to_document(snap)
    timed("baseline: tomli_w.dumps of the same document", lambda: tomli_w.dumps(doc), rows)

    def per_task() -> str:
        tasks = doc["tasks"]
        return "\n".join(tomli_w.dumps({"tasks": {k: v}}) for k, v in tasks.items())

    timed("variant: tomli_w.dumps per task table, joined", per_task, rows)

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
    export(new_file)

    text_old = old_file.read_text(encoding="utf-8")
    text_new = new_file.read_text(encoding="utf-8")
    diff, _ = timed("diff: two files → SnapshotDiff", lambda: diff_files(old_file, new_file), rows)
    timed(
        "baseline: tomllib.loads of the two files",
        lambda: (tomllib.loads(text_old), tomllib.loads(text_new)),
        rows,
    )
    timed(
        "reference: parse_snapshot of both (full read)",
        lambda: (parse_snapshot(text_old), parse_snapshot(text_new)),
        rows,
    )
    database.dispose()

    size = old_file.stat().st_size
    print(
        f"snapshot: {size / 1e6:.1f} MB, {len(snap.tasks):,} tasks; diff: "
        f"{len(diff.newly_done)} newly done, {len(diff.reassigned)} reassigned, "
        f"{len(diff.status_changed)} status changes"
    )
    print(f"{'step':52} {'wall s':>8} {'cpu s':>8}")
    for label, wall, cpu in rows:
        print(f"{label:52} {wall:8.2f} {cpu:8.2f}")
    exp = next(r for r in rows if r[0].startswith("export"))
    dif = next(r for r in rows if r[0].startswith("diff"))
    sel = next(r for r in rows if r[0].startswith("baseline: SELECT"))
    tw = next(r for r in rows if r[0].startswith("baseline: tomli_w"))
    tl = next(r for r in rows if r[0].startswith("baseline: tomllib"))
    print(
        f"export / SELECT rows: {exp[1] / sel[1]:.1f}x wall;  "
        f"export / tomli_w.dumps alone: {exp[1] / tw[1]:.2f}x wall, {exp[2] / tw[2]:.2f}x cpu"
    )
    print(f"diff / tomllib.loads of both: {dif[1] / tl[1]:.2f}x wall, {dif[2] / tl[2]:.2f}x cpu")
    ok = exp[1] < 3 and dif[1] < 3
    print(f"aim (< 3 s each, wall): {'met' if ok else 'NOT met'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
