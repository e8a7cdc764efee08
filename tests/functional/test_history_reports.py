"""History, the filtered log, chain verification and the unit/chapter report."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import text

from lctasks import clock
from lctasks.db.engine import Database
from lctasks.domain import Actor, InvalidInputError, Light, NotFoundError, Source
from lctasks.services.base import ServiceContext
from lctasks.services.event_reads import LogFilter
from lctasks.services.history import HistoryService
from lctasks.services.reports import ReportService
from lctasks.services.workflow import WorkflowService
from tests.conftest import OFFICE_TODAY
from tests.wfdata import seed


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    seed(database)
    return ServiceContext(database, Actor("王督查", Source.CLI))


def test_history_log_and_verify(ctx: ServiceContext, office_clock: object) -> None:
    # 01:00 in Beijing on 1 December = 17:00 UTC on 30 November: "today" is the office's day
    wf = WorkflowService(ctx)
    wf.assign(["C10.M01", "C10.M03"], lead="市工业和信息化局")
    WorkflowService(ctx.with_actor(Actor("李联络", Source.TUI))).report_progress(
        ["C10.M01"], made="设备安装完成", percent=60
    )
    wf.note(["C10.M01"], "调度会点名")
    hs = HistoryService(ctx)
    hist = hs.history("c10.m01")
    assert [e.action for e in hist] == ["assign", "progress", "note"]
    assert hist[1].actor == "李联络" and hist[1].source is Source.TUI
    assert hs.history("C10.M02") == []  # a real task with no history yet
    with pytest.raises(NotFoundError):
        hs.history("C10.M77")
    assert [e.task for e in hs.log(LogFilter(action="assign"))] == ["C10.M03", "C10.M01"]
    assert len(hs.log(LogFilter(actor="李联络"))) == 1
    assert len(hs.log(LogFilter(limit=2))) == 2
    assert len(hs.log(LogFilter(source="tui"))) == 1
    assert clock.today() == OFFICE_TODAY
    assert len(hs.log(LogFilter(since=OFFICE_TODAY))) == 4
    assert hs.log(LogFilter(until=OFFICE_TODAY - dt.timedelta(days=1))) == []
    assert hs.log(LogFilter(since=OFFICE_TODAY + dt.timedelta(days=1))) == []
    assert len(hs.log(LogFilter(until=OFFICE_TODAY))) == 4
    with pytest.raises(InvalidInputError):
        hs.log(LogFilter(source="email"))
    assert hs.verify().ok
    with ctx.db.engine.begin() as c:
        c.execute(text("UPDATE events SET reason = '改过' WHERE seq = 3"))
    rep = hs.verify()
    assert not rep.ok and rep.first_bad_seq == 3


def test_report_by_unit_and_chapter(ctx: ServiceContext) -> None:
    wf = WorkflowService(ctx)
    wf.assign(["C10.M01", "C10.M02"], lead="市工业和信息化局")
    wf.assign(["C09.M01"], lead="市科技局")
    wf.set_status(["C10.M01"], "done")
    wf.close(["C10.M01"], note="完成", evidence="E")
    rs = ReportService(ctx)
    rep = rs.report(by="unit", as_of=dt.date(2023, 3, 1))
    rows = {r.group: r for r in rep.rows}
    assert list(rows) == ["市工业和信息化局", "市科技局", "（未分配）"]
    gx = rows["市工业和信息化局"]
    assert (gx.total, gx.done, gx.closed, gx.overdue, gx.red) == (2, 1, 1, 1, 1)
    assert gx.done_percent == 50.0
    assert rep.total.total == 5
    # C10.M02 (due 2022-12-31) is the only overdue task on 2023-03-01
    assert [(o.id, o.days_overdue, o.lead_unit) for o in rep.overdue] == [
        ("C10.M02", 60, "市工业和信息化局")
    ]
    by_ch = ReportService(ctx).report(by="chapter", as_of=dt.date(2023, 3, 1))
    assert [r.group.split()[0] for r in by_ch.rows] == ["C04", "C09", "C10"]
    c10 = by_ch.rows[2]
    assert (c10.total, c10.done, c10.red) == (3, 1, 2)  # M02 overdue, M03 43 points behind
    # before any deadline, nothing is overdue; a finished task is green
    early = rs.report(as_of=dt.date(2021, 2, 1))
    assert early.overdue == () and early.total.red == 0
    assert early.total.green + early.total.yellow == 5
    assert Light.RED.value == "red"
    with pytest.raises(InvalidInputError):
        rs.report(by="person")
