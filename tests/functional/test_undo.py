"""`undo`: a batch reverted by appending compensating events (both back ends)."""

from __future__ import annotations

import pytest

from lctasks.db.engine import Database
from lctasks.domain import Actor, ConflictError, InvalidInputError, NotFoundError, Status
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.ledger import LedgerService
from lctasks.services.undo import UndoService
from lctasks.services.workflow import WorkflowService
from tests import wfdata

ALL = [k for k, *_ in wfdata.TASKS] + [f"C99.M{i:04d}" for i in range(500)]


def _ctx(db: Database, who: str = "督查室") -> ServiceContext:
    return ServiceContext(db, Actor(who))


def _lead(db: Database, key: str) -> str | None:
    return LedgerService(_ctx(db)).get_task(key).lead_unit


def _verified(db: Database) -> None:
    rep = HistoryService(_ctx(db)).verify()
    assert rep.ok, rep.findings[:3]


def test_undo_a_505_task_batch_and_redo_it(database: Database) -> None:
    wfdata.seed(database, extra=500)
    wf = WorkflowService(_ctx(database))
    wf.assign(ALL, lead="市科技局", co=["市发展改革委"])
    seq_assign = HistoryService(_ctx(database)).history("C10.M01")[-1].seq
    wf.set_status(["C10.M01", "C99.M0007"], Status.IN_PROGRESS)
    seq_status = HistoryService(_ctx(database)).history("C10.M01")[-1].seq
    wf.set_status(["C10.M01"], Status.BLOCKED)
    seq_blocked = seq_status + 2
    wf.check("C10.M02", [2])

    undo = UndoService(_ctx(database, "王科长"))
    # C10.M01's status was changed again after the 推进中 batch: refused, nothing written
    with pytest.raises(ConflictError) as refused:
        undo.undo(seq_status)
    assert "C10.M01：状态在这批之后又被改过（现为 受阻，这批设为 推进中）" in refused.value.message
    assert "C99.M0007" not in refused.value.message
    assert LedgerService(_ctx(database)).get_task("C99.M0007").status is Status.IN_PROGRESS

    # the last batch (the checklist tick), then the later status, then the earlier one
    assert undo.undo().batch.tasks.keys() == {"C10.M02"}
    assert LedgerService(_ctx(database)).get_task("C10.M02").checklist[1].done is False
    assert undo.undo(seq_blocked).batch.first == seq_blocked
    assert undo.undo(seq_status).batch.size == 2
    assert LedgerService(_ctx(database)).get_task("C99.M0007").status is Status.NOT_STARTED
    dry = undo.undo(seq_assign, dry_run=True)
    assert dry.result.dry_run and dry.batch.size == 505
    assert _lead(database, "C99.M0499") == "市科技局"  # the rehearsal wrote nothing
    done = undo.undo(seq_assign)
    assert done.batch.size == 505 and done.result.events == 505
    assert {_lead(database, k) for k in ("C10.M01", "C99.M0000", "C99.M0499")} == {None}
    task = LedgerService(_ctx(database)).get_task("C99.M0250")
    assert task.co_units == ()
    last = HistoryService(_ctx(database)).history("C99.M0250")[-1]
    assert last.action == "undo" and last.actor == "王科长"
    assert last.changes["lead"] == ["市科技局", None]
    _verified(database)

    # an undo is a batch: undoing it again redoes the assignment
    redo = undo.undo()
    assert redo.batch.size == 505
    assert _lead(database, "C99.M0499") == "市科技局"
    assert LedgerService(_ctx(database)).get_task("C99.M0499").co_units == ("市发展改革委",)
    _verified(database)


def test_undo_names_what_it_cannot_do(database: Database) -> None:
    wfdata.seed(database)
    undo = UndoService(_ctx(database))
    with pytest.raises(NotFoundError):
        undo.undo()  # nothing done yet
    WorkflowService(_ctx(database)).extend(
        ["C10.M03"], to=wfdata.dt.date(2026, 6, 30), reason="调整", late=True
    )
    with pytest.raises(NotFoundError):
        undo.undo(99999)
    result = undo.undo()
    task = LedgerService(_ctx(database)).get_task("C10.M03")
    assert str(task.due) == "2025-12-31" and task.original_due is None
    assert result.batch.action == "延期"
    _verified(database)
    with pytest.raises(ConflictError) as again:  # #1 was undone already: the undo moved it
        UndoService(_ctx(database)).undo(1)
    assert "C10.M03：期限在这批之后又被改过" in again.value.message
    with pytest.raises(InvalidInputError):
        UndoService(_ctx(database)).undo(0)
