"""A big synthetic ledger for benchmarks: ``make_big_db(path, n)``.

Reusable by every benchmark (TUI, workflow, snapshot):

    from benchmarks.synth import make_big_db
    plan = make_big_db("big.db", 100_000)       # or a SQLAlchemy URL
    # then: lctasks --db big.db --plan big list --json

It imports the bundled plan (plan ``lc-14th``, 561 tasks, the owner units),
then writes a second plan ``big`` whose ``n`` tasks are copies of the real
ones under suffixed keys (``C06.M01`` → ``C06.M01.0042``), with the real tree,
checklists and targets, and a deterministic mix of owners (lead + co-units),
statuses, progress, extended deadlines and monthly progress reports, so that
filters and warning lights have realistic work to do. Bulk inserts: 100,000
tasks take a few seconds on SQLite.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # run as a script from anywhere
    sys.path.insert(0, str(ROOT))

BIG_PLAN = "big"
STATUS_MIX = (
    ("not_started", 30),
    ("in_progress", 45),
    ("blocked", 5),
    ("done", 8),
    ("closed", 8),
    ("returned", 2),
    ("suspended", 2),
)


def make_big_db(db: str | os.PathLike[str], n: int = 100_000, *, seed: int = 14) -> str:
    """Create (or replace) plan ``big`` with ``n`` tasks in database ``db``; returns its code."""
    from sqlalchemy import delete, select

    from lctasks.db.engine import open_database
    from lctasks.db.models import (
        ChecklistRow,
        CoUnitRow,
        PlanNodeRow,
        PlanRow,
        ProgressRow,
        TaskRow,
        UnitRow,
    )
    from lctasks.domain import Actor, Source
    from lctasks.plan import load_plan
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService
    from lctasks.services.views import target_to_json

    rnd = random.Random(seed)
    database = open_database(db)
    try:
        ledger = LedgerService(ServiceContext(database, Actor("bench", Source.IMPORT)))
        tree = load_plan()
        ledger.import_tree(tree, source_name="bundled")
        now = dt.datetime.now(dt.UTC)
        statuses = [s for s, w in STATUS_MIX for _ in range(w)]
        with database.write() as s:
            old = s.scalars(select(PlanRow).where(PlanRow.code == BIG_PLAN)).first()
            if old is not None:
                s.execute(delete(PlanRow).where(PlanRow.id == old.id))
            src = s.scalars(select(PlanRow).where(PlanRow.code == tree.code)).one()
            plan = PlanRow(
                code=BIG_PLAN,
                title=f"{src.title}（{n} 个合成任务）",
                doc_number=src.doc_number,
                start=src.start,
                end=src.end,
                source_name="benchmarks/synth.py",
                source_sha256=src.source_sha256,
                imported_at=now,
            )
            s.add(plan)
            s.flush()
            nodes = [
                {
                    c: getattr(node, c)
                    for c in (
                        "kind",
                        "number",
                        "part",
                        "chapter",
                        "title",
                        "body",
                        "line",
                        "is_reference",
                        "note",
                    )
                }
                | {"plan_id": plan.id}
                for node in s.scalars(select(PlanNodeRow).where(PlanNodeRow.plan_id == src.id))
            ]
            s.execute(PlanNodeRow.__table__.insert(), nodes)
            unit_ids = list(s.scalars(select(UnitRow.id).order_by(UnitRow.id)))
            drafts = tree.tasks
            chunk = 5000
            for start in range(0, n, chunk):
                rows: list[dict[str, Any]] = []
                for i in range(start, min(start + chunk, n)):
                    d = drafts[i % len(drafts)]
                    copy = i // len(drafts)
                    status = rnd.choice(statuses)
                    progress = {
                        "not_started": 0,
                        "done": 100,
                        "closed": 100,
                    }.get(status, rnd.randrange(0, 100, 5))
                    due = d.due
                    basis = d.due_basis.value
                    original = None
                    if rnd.random() < 0.05:
                        original, due, basis = due, due + dt.timedelta(days=180), "extended"
                    elif rnd.random() < 0.3:  # set by people: month ends (2026年6月底前)
                        month = rnd.randint(1, 12)
                        due = dt.date(2026 + month // 12, month % 12 + 1, 1) - dt.timedelta(1)
                        basis = "manual"
                    rows.append(
                        {
                            "plan_id": plan.id,
                            "key": f"{d.key}.{copy:04d}",
                            "kind": d.kind.value,
                            "chapter": d.chapter,
                            "section": d.section,
                            "box": d.box,
                            "category": d.category,
                            "title": d.title,
                            "source_text": d.source_text,
                            "line": d.line,
                            "attrs": dict(d.attrs),
                            "status": status,
                            "progress": progress,
                            "start": plan.start,
                            "due": due,
                            "due_basis": basis,
                            "due_text": d.due_text,
                            "original_due": original,
                            "lead_unit_id": (rnd.choice(unit_ids) if rnd.random() < 0.85 else None),
                            "suggested_co": [],
                            "suggested_rules": [],
                            "removed": False,
                            "version": 1,
                            "updated_at": now,
                        }
                    )
                s.execute(TaskRow.__table__.insert(), rows)
                by_key = {
                    k: v
                    for k, v in s.execute(
                        select(TaskRow.key, TaskRow.id).where(
                            TaskRow.plan_id == plan.id,
                            TaskRow.key.in_([r["key"] for r in rows]),
                        )
                    )
                }
                ids = [by_key[r["key"]] for r in rows]
                co: list[dict[str, Any]] = []
                items: list[dict[str, Any]] = []
                reports: list[dict[str, Any]] = []
                for tid, row in zip(ids, rows, strict=True):
                    if row["lead_unit_id"] is not None and rnd.random() < 0.4:
                        for pos, uid in enumerate(rnd.sample(unit_ids, rnd.randint(1, 3))):
                            if uid != row["lead_unit_id"]:
                                co.append({"task_id": tid, "unit_id": uid, "position": pos})
                    if row["status"] in ("in_progress", "blocked", "returned", "done", "closed"):
                        for back in range(rnd.randint(0, 3)):
                            at = now - dt.timedelta(days=30 * back + rnd.randint(0, 20))
                            reports.append(
                                {
                                    "task_id": tid,
                                    "at": at,
                                    "actor": "bench",
                                    "period": at.strftime("%Y-%m"),
                                    "made": "按计划推进",
                                    "problems": "",
                                    "next_steps": "",
                                    "percent": row["progress"],
                                }
                            )
                for tid, i in zip(ids, range(start, start + len(rows)), strict=True):
                    d = drafts[i % len(drafts)]
                    for seq, c in enumerate(d.checklist, start=1):
                        items.append(
                            {
                                "task_id": tid,
                                "seq": seq,
                                "text": c.text,
                                "done": rnd.random() < 0.3,
                                "targets": [target_to_json(x) for x in c.targets],
                            }
                        )
                if co:
                    s.execute(CoUnitRow.__table__.insert(), co)
                if items:
                    s.execute(ChecklistRow.__table__.insert(), items)
                if reports:
                    s.execute(ProgressRow.__table__.insert(), reports)
        return BIG_PLAN
    finally:
        database.dispose()


def main(argv: list[str] | None = None) -> int:
    """``python benchmarks/synth.py PATH [N]``"""
    import time

    args = sys.argv[1:] if argv is None else argv
    if not args:
        print(__doc__)
        return 2
    n = int(args[1]) if len(args) > 1 else 100_000
    started = time.perf_counter()
    code = make_big_db(args[0], n)
    print(f"plan {code}: {n} tasks in {args[0]} ({time.perf_counter() - started:.1f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
