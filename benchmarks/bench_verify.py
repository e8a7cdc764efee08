"""`lctasks log --verify` (chain + replay) at 100,000 tasks and 1,000,000 events.

    .venv/bin/python benchmarks/bench_verify.py [--n 100000] [--events 1000000]
                                                [--db PATH --reuse]

Builds plan ``big`` with ``benchmarks/synth.py`` (owners, statuses, ticks,
extensions, month-end deadlines), then writes a history that *explains* every
task row — assign, extend, tick, progress and status events whose old → new
values lead from a fresh task to the row as it is — padded with notes to the
wanted number of events, hash-chained exactly as lctasks chains them. Then
times ``HistoryService.verify()`` (in process) and ``lctasks log --verify``
(a subprocess, as an office runs it), prints wall and CPU seconds, and checks
the result is clean (a wrong generator would show as findings, not speed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def _start(row: Any) -> tuple[str, str]:
    """The deadline and basis a synth row started with (before its assign/extend)."""
    _key, _status, _progress, due, basis, original, _lead = row
    if basis == "extended":
        return original.isoformat(), "explicit"
    if basis == "manual":
        return "2025-12-31", "explicit"
    return due.isoformat(), basis


def _history_for(row: Any, co: list[str], ticks: list[int], n_items: int) -> list[tuple]:
    """(action, task, changes, reason) events leading a fresh task to ``row``."""
    key, status, progress, due, basis, original, lead = row
    due0, basis0 = _start(row)
    out: list[tuple] = []
    if lead:
        ch: dict[str, Any] = {"lead": [None, lead]}
        if co:
            ch["co_units"] = [[], co]
        out.append(("assign", key, ch, ""))
    if basis == "manual":
        out.append(
            (
                "assign",
                key,
                {"due": [due0, due.isoformat()], "due_basis": [basis0, "manual"]},
                "调度会定",
            )
        )
    elif basis == "extended":
        out.append(
            (
                "extend",
                key,
                {
                    "due": [due0, due.isoformat()],
                    "due_basis": [basis0, "extended"],
                    "original_due": [None, original.isoformat()],
                },
                "资金未到位",
            )
        )
    cur_status, cur_progress = "not_started", 0
    done: set[int] = set()
    for i in ticks:
        done.add(i)
        share = round(100 * len(done) / n_items)
        ch = {f"item{i}": [False, True], "progress": [cur_progress, share]}
        if cur_status == "not_started":
            ch["status"] = [cur_status, "in_progress"]
            cur_status = "in_progress"
        out.append(("check", key, ch, ""))
        cur_progress = share
    if progress != cur_progress:
        ch = {"progress": [cur_progress, progress], "report": [None, {"made": "按计划推进"}]}
        if cur_status == "not_started":
            ch["status"] = [cur_status, "in_progress"]
            cur_status = "in_progress"
        out.append(("progress", key, ch, "按计划推进"))
        cur_progress = progress
    if status != cur_status:
        out.append(("status", key, {"status": [cur_status, status]}, ""))
    return out


def build(db: str, n: int, events: int) -> None:
    import random

    from sqlalchemy import select

    from benchmarks.synth import BIG_PLAN, make_big_db
    from lctasks.db.engine import open_database
    from lctasks.db.models import ChecklistRow, CoUnitRow, EventRow, PlanRow, TaskRow, UnitRow
    from lctasks.services.chain import GENESIS, _jsonable, event_digest
    from lctasks.services.keys import load_keyring

    started = time.perf_counter()
    make_big_db(db, n)
    print(f"synth: {n} tasks in {time.perf_counter() - started:.1f} s", flush=True)
    database = open_database(db)
    rnd = random.Random(12)
    started = time.perf_counter()
    with database.write() as s:
        plan_id = s.scalars(select(PlanRow.id).where(PlanRow.code == BIG_PLAN)).one()
        head = s.execute(select(EventRow.seq, EventRow.hash).order_by(EventRow.seq.desc())).first()
        seq, prev = (head[0], head[1]) if head else (0, GENESIS)
        co: dict[int, list[str]] = {}
        for tid, short in s.execute(
            select(CoUnitRow.task_id, UnitRow.short)
            .join(UnitRow, UnitRow.id == CoUnitRow.unit_id)
            .join(TaskRow, TaskRow.id == CoUnitRow.task_id)
            .where(TaskRow.plan_id == plan_id)
            .order_by(CoUnitRow.task_id, CoUnitRow.position, CoUnitRow.unit_id)
        ):
            co.setdefault(tid, []).append(short)
        items: dict[int, list[tuple[int, bool]]] = {}
        for tid, i, d in s.execute(
            select(ChecklistRow.task_id, ChecklistRow.seq, ChecklistRow.done)
            .join(TaskRow, TaskRow.id == ChecklistRow.task_id)
            .where(TaskRow.plan_id == plan_id)
            .order_by(ChecklistRow.task_id, ChecklistRow.seq)
        ):
            items.setdefault(tid, []).append((i, bool(d)))
        rows = s.execute(
            select(
                TaskRow.id,
                TaskRow.key,
                TaskRow.status,
                TaskRow.progress,
                TaskRow.due,
                TaskRow.due_basis,
                TaskRow.original_due,
                UnitRow.short,
            )
            .outerjoin(UnitRow, UnitRow.id == TaskRow.lead_unit_id)
            .where(TaskRow.plan_id == plan_id)
            .order_by(TaskRow.id)
        ).all()
        # the plan's import records where every task starts (as lctasks import does)
        start = {r[1]: [*_start(r[1:]), len(items.get(r[0], []))] for r in rows}
        plan_events: list[tuple] = [("import", None, {"tasks": [None, start]}, "")]
        for r in rows:
            its = items.get(r[0], [])
            ticks = [i for i, d in its if d]
            plan_events += _history_for(r[1:], co.get(r[0], []), ticks, len(its))
        pad = max(0, events - len(plan_events))
        # notes spread over the tasks (they change nothing, but are hashed and read)
        per = pad / max(1, len(plan_events))
        merged: list[tuple] = []
        owed = 0.0
        for ev in plan_events:
            merged.append(ev)
            owed += per
            while owed >= 1:
                merged.append(("note", rows[rnd.randrange(len(rows))][1], {}, "已督办"))
                owed -= 1
        while len(merged) < len(plan_events) + pad:  # rounding
            merged.append(("note", rows[0][1], {}, "已督办"))
        plan_events = merged
        ring = load_keyring()  # signed as the office signs (main() sets a key)
        at0 = dt.datetime(2026, 1, 5, 1, 0, tzinfo=dt.UTC)
        batch: list[dict[str, Any]] = []
        for k, (action, key, changes, reason) in enumerate(plan_events):
            seq += 1
            at = at0 + dt.timedelta(seconds=k * 7, microseconds=k % 997)
            body = _jsonable(changes)
            digest = event_digest(
                seq=seq,
                at=at,
                actor="bench",
                source="cli",
                action=action,
                plan=BIG_PLAN,
                task=key,
                changes=body,
                reason=reason,
                prev_hash=prev,
            )
            batch.append(
                {
                    "seq": seq,
                    "at": at,
                    "actor": "bench",
                    "source": "cli",
                    "action": action,
                    "plan_code": BIG_PLAN,
                    "task_key": key,
                    "changes": body,
                    "reason": reason,
                    "prev_hash": prev,
                    "hash": digest,
                }
            )
            batch[-1]["mac"] = ring.sign(digest)
            prev = digest
            if len(batch) == 20_000:
                s.execute(EventRow.__table__.insert(), batch)
                batch.clear()
        if batch:
            s.execute(EventRow.__table__.insert(), batch)
    database.dispose()
    print(
        f"history: {len(plan_events)} events in {time.perf_counter() - started:.1f} s", flush=True
    )


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--n", type=int, default=100_000)
    p.add_argument("--events", type=int, default=1_000_000)
    p.add_argument("--db")
    p.add_argument("--reuse", action="store_true")
    args = p.parse_args()
    # a keyed history, as on PostgreSQL: the verify below checks every HMAC too
    os.environ.setdefault("LCTASKS_CHAIN_KEY", "bench-chain-key-0123456789abcdef")
    tmp = tempfile.mkdtemp(prefix="lctasks-bench-verify-")
    db = args.db or os.path.join(tmp, "big.db")
    if not (args.reuse and os.path.exists(db)):
        if os.path.exists(db):
            os.remove(db)
        build(db, args.n, args.events)

    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.history import HistoryService

    database = open_database(db)
    hs = HistoryService(ServiceContext(database, Actor("bench", Source.CLI)))
    for replay in (False, True):
        wall, cpu = time.perf_counter(), time.process_time()
        res = hs.verify(replay=replay)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        what = "chain + replay" if replay else "chain only"
        print(
            f"verify ({what}): {res.events} events, {res.tasks} tasks, "
            f"{len(res.findings)} findings: wall {wall:.1f} s, CPU {cpu:.1f} s",
            flush=True,
        )
        if res.findings:
            print("  first findings:", res.findings[:3])
    database.dispose()
    lctasks = Path(sys.executable).with_name("lctasks")
    wall = time.perf_counter()
    proc = subprocess.run(
        [str(lctasks), "--db", db, "log", "--verify"], capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - wall
    print(f"lctasks log --verify (subprocess): exit {proc.returncode}, wall {wall:.1f} s")
    print(proc.stdout.strip() or proc.stderr.strip()[:400])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
