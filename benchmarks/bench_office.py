"""A whole office at once: N processes × M mixed operations, SQLite and PostgreSQL side by side.

    python benchmarks/bench_office.py [--procs 8] [--ops 200] [--pg URL] [--no-pg]

Each process is one member of staff working through the services (one
transaction per operation, as each CLI call is): a cycle of ``assign`` (a new
responsible person, with a reason), ``progress`` (a report with a percent),
``note`` and ``close`` (销号 with note and evidence). assign / progress / note
all hit the same 24 "hot" tasks of the real plan — every process edits every
hot task, so lost updates would show — while each process closes tasks of its
own (a task closes once). Everyone is a supervisor on record, so every
operation also runs the access check.

Checked after the run, per back end:

- **lost updates**: each task's version must have grown by exactly the number
  of changes the processes saw applied to it; the progress reports and events
  must number exactly the operations reported done;
- **lock errors surfaced**: operations that failed with a storage / lock /
  serialisation error (SQLite "database is locked", PostgreSQL deadlocks), or
  any other error — must be 0;
- **chain**: ``verify_chain`` over the whole history.

Throughput is operations per second of wall time from the moment all processes
are ready to the last one finishing. The baseline runs the same operations
from one process, in the same run, on a fresh copy of the same database.

PostgreSQL: ``--pg URL`` (a superuser: the benchmark creates and drops its
databases), else ``LCTASKS_BENCH_PG_URL`` or ``LCTASKS_TEST_PG_URL``; skipped
with a note when none is set. Figures, not a test: machine load moves them.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HOT = 24  # tasks every process edits
OPS = ("assign", "progress", "note", "close")


@dataclass
class WorkerResult:
    proc: int
    started: float = 0.0
    finished: float = 0.0
    done: Counter[str] = field(default_factory=Counter)  # op -> applied
    changes: Counter[str] = field(default_factory=Counter)  # task key -> version bumps seen
    errors: Counter[str] = field(default_factory=Counter)  # error type -> count
    messages: list[str] = field(default_factory=list)


def _plan_keys(url: str) -> list[str]:
    from sqlalchemy import text

    from lctasks.db.engine import open_database

    db = open_database(url)
    with db.read() as s:
        keys = [
            str(r[0])
            for r in s.execute(
                text("SELECT key FROM tasks WHERE removed = false ORDER BY chapter, key")
            )
        ]
    db.dispose()
    return keys


def prepare(url: str, procs: int, ops: int) -> None:
    """Import the real plan; hot tasks and each process's close pool in progress."""
    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService
    from lctasks.services.people import PeopleService
    from lctasks.services.workflow import WorkflowService

    db = open_database(url)
    ctx = ServiceContext(db, Actor("督查室", Source.CLI))
    LedgerService(ctx).import_plan()
    keys = _plan_keys(url)
    closes = ops // len(OPS) + 1
    need = HOT + procs * closes
    if len(keys) < need:
        raise SystemExit(f"the plan has {len(keys)} tasks, {need} needed: lower --ops/--procs")
    WorkflowService(ctx).set_status(keys[:need], "in_progress")
    people = PeopleService(ctx)
    people.add("督查室", "supervisor")
    for p in range(procs):
        people.add(f"staff{p}", "supervisor")
    db.dispose()


def _classify(exc: BaseException) -> str:
    from lctasks.domain import LctasksError, StorageError

    text = str(exc).lower()
    if isinstance(exc, StorageError) or any(
        w in text for w in ("locked", "deadlock", "serializ", "could not obtain lock")
    ):
        return "lock/storage"
    if isinstance(exc, LctasksError):
        return type(exc).__name__
    return "unexpected:" + type(exc).__name__


def work(
    url: str, proc: int, ops: int, procs: int, barrier: Any, out: Any, keys: list[str]
) -> None:
    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.workflow import WorkflowService

    res = WorkerResult(proc)
    db = open_database(url)
    wf = WorkflowService(ServiceContext(db, Actor(f"staff{proc}", Source.CLI)))
    hot = keys[:HOT]
    closes = ops // len(OPS) + 1
    own = keys[HOT + proc * closes : HOT + (proc + 1) * closes]
    # warm up (imports, caches) with dry runs, which write nothing
    wf.assign([hot[0]], person="warm-up", reason="warm-up", dry_run=True)
    wf.report_progress([hot[0]], made="warm-up", percent=1, dry_run=True)
    wf.note([hot[0]], "warm-up", dry_run=True)
    if barrier is not None:
        barrier.wait()
    res.started = time.monotonic()
    for i in range(ops):
        op = OPS[i % len(OPS)]
        key = hot[(i * 7 + proc * 5) % HOT]
        try:
            if op == "assign":
                r = wf.assign([key], person=f"staff{proc}-{i}", reason="调度会调整责任人")
            elif op == "progress":
                r = wf.report_progress([key], made=f"第{i}次进展", percent=(i + proc) % 100)
            elif op == "note":
                r = wf.note([key], f"staff{proc} 第{i}条备注")
            else:
                key = own[i // len(OPS)]
                r = wf.close([key], note="已完成", evidence=f"验收-{proc}-{i}")
            res.done[op] += 1
            for kr in r.results:
                if kr.result == "changed":
                    res.changes[kr.id] += 1
        except Exception as exc:
            kind = _classify(exc)
            res.errors[kind] += 1
            if len(res.messages) < 3:
                res.messages.append(f"{op} {key}: {kind}: {str(exc)[:200]}")
    res.finished = time.monotonic()
    db.dispose()
    out.put(res)


@dataclass
class RunFigures:
    procs: int
    ops: int
    seconds: float
    done: int
    errors: Counter[str]
    lost: int
    events_ok: bool
    chain_ok: bool
    chain_checked: int
    messages: list[str]

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0


def check(
    url: str, before: dict[str, int], results: list[WorkerResult]
) -> tuple[int, bool, bool, int]:
    """(lost updates, events/reports add up, chain ok, events checked)."""
    from sqlalchemy import text

    from lctasks.db.engine import open_database
    from lctasks.services.audit import verify_chain

    db = open_database(url)
    seen: Counter[str] = Counter()
    done: Counter[str] = Counter()
    for r in results:
        seen.update(r.changes)
        done.update(r.done)
    with db.read() as s:
        versions = {str(k): int(v) for k, v in s.execute(text("SELECT key, version FROM tasks"))}
        reports = int(s.execute(text("SELECT count(*) FROM progress_reports")).scalar_one())
        events = int(s.execute(text("SELECT count(*) FROM events")).scalar_one())
        rep = verify_chain(s)
    db.dispose()
    lost = sum(abs((versions[k] - before[k]) - seen.get(k, 0)) for k in versions if k in before)
    applied = sum(done.values())
    events_ok = (
        reports - before["__reports__"] == done["progress"]
        and events - before["__events__"] == applied
    )
    return lost, events_ok, rep.ok, rep.checked


def _state(url: str) -> dict[str, int]:
    from sqlalchemy import text

    from lctasks.db.engine import open_database

    db = open_database(url)
    with db.read() as s:
        state = {str(k): int(v) for k, v in s.execute(text("SELECT key, version FROM tasks"))}
        state["__reports__"] = int(
            s.execute(text("SELECT count(*) FROM progress_reports")).scalar_one()
        )
        state["__events__"] = int(s.execute(text("SELECT count(*) FROM events")).scalar_one())
    db.dispose()
    return state


def run(url: str, procs: int, ops: int, *, one_process: bool) -> RunFigures:
    """``procs`` workers at once, or (baseline) the same work from one process."""
    keys = _plan_keys(url)
    before = _state(url)
    ctx = mp.get_context("spawn")
    out: Any = ctx.Queue()
    results: list[WorkerResult] = []
    if one_process:
        started = time.monotonic()
        for p in range(procs):
            work(url, p, ops, procs, None, out, keys)
            results.append(out.get())
        seconds = time.monotonic() - started
    else:
        barrier = ctx.Barrier(procs)
        workers = [
            ctx.Process(target=work, args=(url, p, ops, procs, barrier, out, keys))
            for p in range(procs)
        ]
        for w in workers:
            w.start()
        results = [out.get() for _ in workers]
        for w in workers:
            w.join()
        seconds = max(r.finished for r in results) - min(r.started for r in results)
    lost, events_ok, chain_ok, checked = check(url, before, results)
    errors: Counter[str] = Counter()
    messages: list[str] = []
    for r in results:
        errors.update(r.errors)
        messages += r.messages
    return RunFigures(
        procs=procs,
        ops=procs * ops,
        seconds=seconds,
        done=sum(sum(r.done.values()) for r in results),
        errors=errors,
        lost=lost,
        events_ok=events_ok,
        chain_ok=chain_ok,
        chain_checked=checked,
        messages=messages[:5],
    )


# -- back ends ---------------------------------------------------------------


def sqlite_pair(tmp: Path, procs: int, ops: int) -> tuple[str, str]:
    base = tmp / "office.db"
    prepare(f"sqlite:///{base}", procs, ops)
    import sqlite3

    con = sqlite3.connect(base)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    a, b = tmp / "parallel.db", tmp / "baseline.db"
    shutil.copyfile(base, a)
    shutil.copyfile(base, b)
    return f"sqlite:///{a}", f"sqlite:///{b}"


class PgPair:
    """A prepared template and two copies of it on the server; dropped at the end."""

    def __init__(self, url: str, procs: int, ops: int) -> None:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url
        from sqlalchemy.pool import NullPool

        self.base = make_url(url)
        self.admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        tag = uuid.uuid4().hex[:8]
        self.names = [f"lct_bench_{tag}_tpl", f"lct_bench_{tag}_par", f"lct_bench_{tag}_one"]
        with self.admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{self.names[0]}"'))
        prepare(self.url(self.names[0]), procs, ops)
        with self.admin.connect() as c:
            for n in self.names[1:]:
                c.execute(text(f'CREATE DATABASE "{n}" TEMPLATE "{self.names[0]}"'))

    def url(self, name: str) -> str:
        return self.base.set(database=name).render_as_string(hide_password=False)

    def pair(self) -> tuple[str, str]:
        return self.url(self.names[1]), self.url(self.names[2])

    def drop(self) -> None:
        from sqlalchemy import text

        with self.admin.connect() as c:
            for n in self.names:
                c.execute(text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
        self.admin.dispose()


def report(name: str, par: RunFigures, one: RunFigures) -> list[str]:
    errs = sum(par.errors.values()) + sum(one.errors.values())
    lock = par.errors.get("lock/storage", 0) + one.errors.get("lock/storage", 0)
    return [
        f"{name:<10} {par.procs:>2}×{par.ops // par.procs:<4} {par.done:>5} ops "
        f"{par.seconds:7.2f} s {par.rate:8.1f} ops/s | 1 process: {one.seconds:7.2f} s "
        f"{one.rate:8.1f} ops/s | speed-up ×{par.rate / one.rate if one.rate else 0:.2f} | "
        f"lost updates {par.lost + one.lost} | lock errors {lock} | other errors {errs - lock} "
        f"| events/reports add up {par.events_ok and one.events_ok} | chain "
        f"{'valid' if par.chain_ok and one.chain_ok else 'BROKEN'} "
        f"({par.chain_checked} events)",
        *[f"    {m}" for m in par.messages + one.messages],
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--procs", type=int, default=8)
    ap.add_argument("--ops", type=int, default=200, help="operations per process")
    ap.add_argument("--pg", default=None, help="PostgreSQL URL (superuser)")
    ap.add_argument("--no-pg", action="store_true")
    args = ap.parse_args(argv)
    pg_url = (
        args.pg or os.environ.get("LCTASKS_BENCH_PG_URL") or os.environ.get("LCTASKS_TEST_PG_URL")
    )
    lines = [
        f"lctasks office benchmark: {args.procs} processes × {args.ops} operations "
        f"(assign, progress, note, close; {HOT} shared hot tasks), CPUs: {os.cpu_count()}",
    ]
    failed = False
    with tempfile.TemporaryDirectory(prefix="lctasks-bench-") as tmp:
        par_url, one_url = sqlite_pair(Path(tmp), args.procs, args.ops)
        par = run(par_url, args.procs, args.ops, one_process=False)
        one = run(one_url, args.procs, args.ops, one_process=True)
        lines += report("SQLite", par, one)
        failed |= bool(par.lost or one.lost or par.errors or one.errors or not par.chain_ok)
    if pg_url and not args.no_pg:
        pg = PgPair(pg_url, args.procs, args.ops)
        try:
            par_url, one_url = pg.pair()
            par = run(par_url, args.procs, args.ops, one_process=False)
            one = run(one_url, args.procs, args.ops, one_process=True)
            lines += report("PostgreSQL", par, one)
            failed |= bool(par.lost or one.lost or par.errors or one.errors or not par.chain_ok)
        finally:
            pg.drop()
    else:
        lines.append("PostgreSQL: skipped (give --pg URL or set LCTASKS_BENCH_PG_URL)")
    print("\n".join(lines))
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
