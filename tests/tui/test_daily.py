"""Issue 10 in the TUI: each fix driven with keys as a person meets it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual.widgets import Checkbox, Input, Label

from lctasks.db.engine import Database
from lctasks.domain import Actor, Role
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.people import PeopleService
from lctasks.services.workflow import WorkflowService
from lctasks.tui.screens import dialogs
from lctasks.tui.screens.main import MainScreen
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle
from tests.tui.test_actions import SIZE, open_at, set_input, task


def notes(app: Any) -> list[str]:
    return [str(n.message) for n in app._notifications]


def dialog_error(app: Any) -> str:
    return str(app.screen.query_one("#dialog-error", Label).render())


async def test_a_refused_transition_is_not_called_a_stale_edit(
    plan_db: Database, db_path: Path
) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M03")  # 未启动: cannot be closed
        await pilot.press("x")
        await settle(pilot)
        set_input(app.screen, "#f-note", "已完成")
        set_input(app.screen, "#f-evidence", "文号1")
        await pilot.press("enter", "enter")
        await settle(pilot)
        shown = notes(app)
        assert len(shown) == 1
        assert "已被他人修改" not in shown[0]
        assert "未启动" in shown[0] and "不能销号" in shown[0], shown[0]


def _past_due(db: Database, key: str) -> None:
    wf = WorkflowService(ServiceContext(db, Actor("督查室")))
    wf.assign([key], due=dt.date(2021, 5, 31), reason="调度会要求提前完成")


async def test_extend_refuses_a_bad_date_in_place_keeping_the_input(
    plan_db: Database, db_path: Path
) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M03")
        await pilot.press("e")
        await settle(pilot)
        set_input(app.screen, "#f-due", "2026年13月底")
        set_input(app.screen, "#f-reason", "受疫情影响")
        await pilot.click("#ok")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.FormDialog)  # still open
        assert app.screen.query_one("#f-reason", Input).value == "受疫情影响"
        assert "2026年13月底" in dialog_error(app)
        assert app.screen.focused is app.screen.query_one("#f-due")
        set_input(app.screen, "#f-due", "2026-06-30")
        await pilot.click("#ok")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    assert str(task(plan_db, "C06.M03").due) == "2026-06-30"


async def test_a_supervisor_grants_a_late_extension_in_the_dialog(
    plan_db: Database, db_path: Path
) -> None:
    _past_due(plan_db, "C10.M03")
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C10.M03")
        await pilot.press("e")
        await settle(pilot)
        set_input(app.screen, "#f-due", "2021年9月底")
        set_input(app.screen, "#f-reason", "选址调整")
        await pilot.click("#ok")
        await settle(pilot)
        # not ticked: refused in place, naming the box, nothing mentions a CLI flag
        assert isinstance(app.screen, dialogs.FormDialog)
        assert "逾期补批" in dialog_error(app) and "--late" not in dialog_error(app)
        assert app.screen.focused is app.screen.query_one("#f-late", Checkbox)
        await pilot.press("space")  # tick it
        await pilot.click("#ok")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert not any("--" in n for n in notes(app))
    t = task(plan_db, "C10.M03")
    assert str(t.due) == "2021-09-30"
    last = HistoryService(ServiceContext(plan_db)).history("C10.M03")[-1]
    assert last.action == "extend" and last.changes["late"] == [False, True]


async def test_a_liaison_is_told_who_grants_a_late_extension(
    plan_db: Database, db_path: Path
) -> None:
    _past_due(plan_db, "C10.M03")
    PeopleService(ServiceContext(plan_db)).add("督查员", Role.SUPERVISOR)
    ctx = ServiceContext(plan_db, Actor("督查员"))
    PeopleService(ctx).add("刘联络员", Role.LIAISON, "市工业和信息化局")
    app = make_app(db_path, as_of=AS_OF, actor="刘联络员")
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C10.M03")
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no dialog to fill in vain
        shown = notes(app)
        assert shown == ["C10.M03 的期限已过，延期只能由督查室补批；请联系督查室"]
