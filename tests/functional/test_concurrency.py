"""Eight processes writing one database at once: nothing fails, nothing is lost.

Half the workers are CLI calls (the stdlib sqlite3 fast path on SQLite), half
go through the SQLAlchemy services, as the TUI does; they close and assign
different tasks and the same tasks at the same moment (a barrier releases them
together). Afterwards: every call succeeded, no "database is locked", exactly
the expected number of events, and the hash chain verifies.
"""

from __future__ import annotations

import multiprocessing as mp
from typing import Any

import pytest
from sqlalchemy import func, select

from lctasks.db.engine import open_database
from lctasks.db.models import EventRow, TaskRow
from lctasks.domain import Actor, Source
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import WorkflowService
from tests import concurrency_worker as cw
from tests.wfdata import seed

WORKERS = 8
OWN = 4  # tasks of its own per worker: assign, status, close each
NOTES = 3  # notes on the shared task per worker


def _collect(procs: list[Any], out: Any) -> dict[str, list[tuple[list[str], int, str]]]:
    got = dict(out.get(timeout=300) for _ in procs)
    for p in procs:
        p.join(timeout=60)
        assert p.exitcode == 0
    return got


def test_eight_processes_close_and_assign_at_once(db_url: str) -> None:
    db = open_database(db_url)
    seed(db, extra=WORKERS * OWN)
    wf = WorkflowService(ServiceContext(db, Actor("准备", Source.CLI)))
    wf.set_status(["C10.M02"], "done")  # everyone closes it: one change, seven unchanged
    with db.read() as s:
        before = int(s.scalar(select(func.count()).select_from(EventRow)) or 0)
    db.dispose()

    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(WORKERS)
    out = ctx.Queue()
    procs = []
    for w in range(WORKERS):
        cmds: list[list[str]] = []
        for i in range(OWN):
            key = f"C99.M{w * OWN + i:04d}"
            cmds += [
                ["assign", key, "--lead", "市科技局"],
                ["status", key, "in_progress"],
                ["close", key, "--note", "完成", "--evidence", f"E{w}"],
            ]
            # the shared tasks, interleaved with the worker's own
            if i < NOTES:
                cmds.append(["note", "C10.M01", f"第{w}号进程的意见{i}"])
        cmds += [
            ["close", "C10.M02", "--note", "同时销号", "--evidence", "E"],
            ["assign", "C10.M03", "--lead", "市工业和信息化局"],
        ]
        target = cw.cli_worker if w % 2 == 0 else cw.service_worker
        p = ctx.Process(target=target, args=(db_url, f"进程{w}", cmds, barrier, out))
        p.start()
        procs.append(p)
    results = _collect(procs, out)

    failures = [
        (name, argv, code, text)
        for name, rs in results.items()
        for argv, code, text in rs
        if code != 0
    ]
    assert failures == []
    assert not any("locked" in text for rs in results.values() for _, _, text in rs)

    db = open_database(db_url)
    with db.read() as s:
        total = int(s.scalar(select(func.count()).select_from(EventRow)) or 0)
        closed = s.scalar(
            select(func.count()).where(TaskRow.key.like("C99.%"), TaskRow.status == "closed")
        )
        m02, m03 = (
            s.scalars(select(TaskRow).where(TaskRow.key == k)).one() for k in ("C10.M02", "C10.M03")
        )
        report = verify_chain(s)
        m02_status, m03_lead, m03_version = m02.status, m03.lead_unit_id, m03.version
    db.dispose()
    # own tasks: 3 events each; notes: one each; the shared close and assign: once
    assert total - before == WORKERS * OWN * 3 + WORKERS * NOTES + 2
    assert closed == WORKERS * OWN
    assert m02_status == "closed" and m03_lead is not None and m03_version == 2
    assert report.ok and report.checked == total


@pytest.mark.parametrize("writers", [2])
def test_two_writers_same_version_one_wins(db_url: str, writers: int) -> None:
    db = open_database(db_url)
    seed(db)
    db.dispose()
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(writers)
    out = ctx.Queue()
    procs = [
        ctx.Process(target=cw.if_version_worker, args=(db_url, f"写者{i}", 1, barrier, out))
        for i in range(writers)
    ]
    for p in procs:
        p.start()
    results = _collect(procs, out)
    codes = sorted(rs[0][1] for rs in results.values())
    assert codes == [0, 5]
    loser = next(rs[0][2] for rs in results.values() if rs[0][1] == 5)
    assert "期望 1" in loser and "当前 2" in loser
    db = open_database(db_url)
    with db.read() as s:
        notes = s.scalar(select(func.count()).where(EventRow.action == "note"))
        version = s.scalars(select(TaskRow.version).where(TaskRow.key == "C10.M01")).one()
    db.dispose()
    assert (notes, version) == (1, 2)
