"""The board: the TUI's compact read model (lights from lctasks.lights.LightRule)."""

from __future__ import annotations

import datetime as dt

from lctasks.db.engine import Database
from lctasks.domain import Status


def test_board_rows_outline_probe_and_timeline(database: Database) -> None:
    """The TUI's read model on both back ends, with the bundled plan."""
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.board import BoardService
    from lctasks.services.ledger import LedgerService
    from lctasks.services.workflow import WorkflowService

    ctx = ServiceContext(database, Actor("督查员", Source.TUI))
    LedgerService(ctx).import_plan()
    board = BoardService(ctx)
    plan = board.plan(None)
    assert plan is not None and plan.code == "lc-14th"
    as_of = dt.date(2021, 6, 30)
    rows = board.rows(plan.code, as_of=as_of)
    assert len(rows) == 633
    assert {r.light for r in rows} == {"green"}  # nothing is late half a year in
    outline = board.outline(plan.code)
    assert [n.number for n in outline if n.kind == "part"] == list(range(1, 16))
    assert len([n for n in outline if n.kind == "chapter"]) == 61
    assert len(board.rows(plan.code, as_of=as_of, limit=200)) == 200

    head = board.head()
    wf = WorkflowService(ctx)
    wf.accept_suggestion(["C06.M01"])
    wf.set_status(["C06.M01"], Status.IN_PROGRESS)
    wf.report_progress(["C06.M01"], made="已完成选址", percent=20, today=as_of)
    wf.assign(["C10.M03"], lead="市工业和信息化局", due=dt.date(2021, 5, 31))
    changes = board.changed_since(head, plan.code)
    assert changes.keys == {"C06.M01", "C10.M03"} and not changes.everything
    assert changes.head == board.head() > head
    fresh = {r.key: r for r in board.rows(plan.code, as_of=as_of, keys=changes.keys)}
    assert fresh["C06.M01"].lead == "市科技局" and fresh["C06.M01"].status == "in_progress"
    assert fresh["C10.M03"].light == "red"  # past its deadline
    reports = board.reports(plan.code, "C06.M01")
    assert [r.made for r in reports] == ["已完成选址"]

    points = board.timeline(plan.code, as_of=as_of, start=plan.start)
    assert [p.month for p in points][:2] == ["2021-01", "2021-02"]
    assert points[-1].month == "2021-06" and points[-1].overdue == 1
