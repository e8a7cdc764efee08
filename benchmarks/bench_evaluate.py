"""`lctasks evaluate` at office scale: 100,000 tasks with actuals for five years.

    .venv/bin/python benchmarks/bench_evaluate.py [--tasks 100000] [--runs 3] [--reuse]

Builds (or reuses) a synthetic ledger (benchmarks/synth.py: plan ``big``, copies of the
real tasks, so ~2,400 indicator rows and ~20,000 quantified targets at 100,000 tasks),
records an actual for every year 2021–2025 of every indicator and of one in five
quantified targets, and times ``IndicatorService.evaluate`` for the final year. The
baseline, measured in the same run, is a plain read of every task and checklist row
(``list_tasks`` of all tasks): evaluate must read at least that much.
Prints median wall seconds, the ratio to the baseline and the peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.synth import BIG_PLAN, make_big_db  # noqa: E402


def _seed_actuals(url: str) -> int:
    import datetime as dt

    from sqlalchemy import insert, select

    from lctasks.db.engine import open_database
    from lctasks.db.models import ActualRow, ChecklistRow, PlanRow, TaskRow

    db = open_database(url)
    rows = []
    now = dt.datetime(2026, 3, 1, tzinfo=dt.UTC)
    with db.write() as s:
        plan_id = s.scalar(select(PlanRow.id).where(PlanRow.code == BIG_PLAN))
        for tid, kind in s.execute(
            select(TaskRow.id, TaskRow.kind).where(TaskRow.plan_id == plan_id)
        ):
            if kind == "indicator":
                for y in range(2021, 2026):
                    rows.append(
                        dict(
                            task_id=tid,
                            item=1,
                            target=0,
                            unit_id=None,
                            period=str(y),
                            value=5.0 + y % 3,
                            assessment=None,
                            source="bench",
                            note="",
                            actor="bench",
                            at=now,
                        )
                    )
        n = 0
        for tid, seq, targets in s.execute(
            select(ChecklistRow.task_id, ChecklistRow.seq, ChecklistRow.targets)
            .join(TaskRow, TaskRow.id == ChecklistRow.task_id)
            .where(TaskRow.plan_id == plan_id)
        ):
            for idx, tg in enumerate(targets or []):
                if tg.get("value") is None:
                    continue
                n += 1
                if n % 5:
                    continue
                for y in range(2021, 2026):
                    rows.append(
                        dict(
                            task_id=tid,
                            item=seq,
                            target=idx,
                            unit_id=None,
                            period=str(y),
                            value=float(tg["value"]) * (y - 2020) / 5,
                            assessment=None,
                            source="bench",
                            note="",
                            actor="bench",
                            at=now,
                        )
                    )
        for i in range(0, len(rows), 5000):
            s.execute(insert(ActualRow), rows[i : i + 5000])
    db.dispose()
    return len(rows)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tasks", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--reuse", action="store_true", help="keep benchmarks/out/evaluate.db")
    args = ap.parse_args()

    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.indicators import IndicatorService
    from lctasks.services.ledger import LedgerService
    from lctasks.services.query import TaskFilter

    out = ROOT / "benchmarks" / "out"
    out.mkdir(exist_ok=True)
    path = out / "evaluate.db" if args.reuse else Path(tempfile.mkdtemp()) / "evaluate.db"
    url = f"sqlite:///{path}"
    if not (args.reuse and path.exists()):
        t0 = time.perf_counter()
        make_big_db(url, args.tasks)
        n = _seed_actuals(url)
        print(f"built {args.tasks:,} tasks + {n:,} actuals in {time.perf_counter() - t0:.1f} s")
    db = open_database(url)
    ctx = ServiceContext(db, Actor("bench", Source.CLI))
    base, ev_times = [], []
    rows = 0
    for _ in range(args.runs):
        t0 = time.perf_counter()
        LedgerService(ctx).list_tasks(TaskFilter(plan=BIG_PLAN))
        base.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        ev = IndicatorService(ctx).evaluate(plan=BIG_PLAN, mode="final")
        ev_times.append(time.perf_counter() - t0)
        rows = len(ev.rows)
    b, e = statistics.median(base), statistics.median(ev_times)
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"baseline list_tasks (all {args.tasks:,} tasks): {b:.2f} s")
    print(f"evaluate --final ({rows:,} indicators and targets): {e:.2f} s  = {e / b:.2f}x baseline")
    print(f"peak RSS {rss:.0f} MB")


if __name__ == "__main__":
    main()
