"""Every action, driven with keys on the bundled plan in a file database."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from textual.widgets import Input, Select

from lctasks.db.engine import Database
from lctasks.domain import Status
from lctasks.services.base import ServiceContext
from lctasks.services.history import HistoryService
from lctasks.services.ledger import LedgerService
from lctasks.services.workflow import WorkflowService
from lctasks.tui.app import LctasksApp
from lctasks.tui.screens import dialogs
from lctasks.tui.screens.main import MainScreen
from lctasks.tui.widgets.task_list import TaskList
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle

SIZE = (160, 45)


def task(db: Database, key: str) -> Any:
    from lctasks.domain import Actor

    return LedgerService(ServiceContext(db, Actor("检查"))).get_task(key, as_of=AS_OF)


async def open_at(pilot: Any, key: str) -> MainScreen:
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, MainScreen)
    assert screen.jump_to(key)
    await settle(pilot)
    assert screen.query_one(TaskList).current_key == key
    return screen


def set_input(screen: Any, selector: str, value: str) -> None:
    screen.query_one(selector, Input).value = value


async def test_assign_with_the_unit_picker_by_initials(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M01")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.UnitPicker)
        await pilot.press("s", "j", "d", "j")  # 市教育局? no: initials of 市大数据局 = sdsjj
        await pilot.press("backspace", "backspace", "backspace", "backspace")
        await pilot.press(*"sdsjj")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
    t = task(plan_db, "C06.M01")
    assert t.lead_unit == "市大数据局"
    events = HistoryService(ServiceContext(plan_db)).history("C06.M01")
    assert events[-1].action == "assign" and events[-1].actor == "督查员"
    assert events[-1].source.value == "tui"


async def test_accept_suggestion_with_one_key(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M01")
        await pilot.press("y")
        await settle(pilot)
        row = screen.store.get("C06.M01") if screen.store else None
        assert row is not None and row.lead == "市科技局"  # the list shows it at once
    assert task(plan_db, "C06.M01").lead_unit == "市科技局"


async def test_status_dialog(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M02")
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.StatusDialog)
        await pilot.press("down", "enter")  # not_started → in_progress
        set_input(app.screen, "#status-reason", "已召开专题会")
        await pilot.press("enter")
        await settle(pilot)
    assert task(plan_db, "C06.M02").status is Status.IN_PROGRESS


async def test_progress_report_form(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M03")
        await pilot.press("p")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, dialogs.FormDialog)
        set_input(form, "#f-made", "新增省级众创空间3家")
        set_input(form, "#f-problems", "资金不足")
        set_input(form, "#f-next_steps", "争取省级资金")
        set_input(form, "#f-percent", "40")
        await pilot.click("#ok")
        await settle(pilot)
        assert screen.detail is not None
        assert screen.detail.reports[0].made == "新增省级众创空间3家"
    t = task(plan_db, "C06.M03")
    assert t.progress == 40
    assert t.latest_report is not None and t.latest_report.problems == "资金不足"


async def test_progress_form_refuses_an_empty_report(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M03")
        await pilot.press("p")
        await settle(pilot)
        await pilot.click("#ok")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.FormDialog)  # still open
        assert "不能为空" in str(app.screen.query_one("#dialog-error").render())
    assert task(plan_db, "C06.M03").latest_report is None


async def test_tick_checklist_items(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M01")
        n = len(task(plan_db, "C06.M01").checklist)
        assert n == 6
        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.ChecklistDialog)
        await pilot.press("space", "down", "space", "enter")
        await settle(pilot)
    t = task(plan_db, "C06.M01")
    assert [i.done for i in t.checklist][:2] == [True, True]
    assert [i.done for i in t.checklist] == [True, True, False, False, False, False]
    assert t.progress == 33  # 2 of 6 items


async def test_close_with_note_and_evidence_then_return(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M02")
        await pilot.press("s", "down", "enter", "enter")  # in progress first
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        set_input(app.screen, "#f-note", "平台已建成并通过验收")
        set_input(app.screen, "#f-evidence", "聊科字〔2021〕12号")
        await pilot.press("enter")  # on the first field: moves to the next
        await pilot.press("enter")
        await settle(pilot)
        assert task(plan_db, "C06.M02").status is Status.CLOSED
        await pilot.press("r")
        await settle(pilot)
        set_input(app.screen, "#f-reason", "佐证材料不全")
        await pilot.press("enter")
        await settle(pilot)
    assert task(plan_db, "C06.M02").status is Status.RETURNED


async def test_extend_and_note(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M03")
        await pilot.press("e")
        await settle(pilot)
        set_input(app.screen, "#f-due", "2026年6月底前")
        set_input(app.screen, "#f-reason", "受疫情影响")
        await pilot.click("#ok")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        set_input(app.screen, "#f-text", "已电话督促")
        await pilot.press("enter")
        await settle(pilot)
    t = task(plan_db, "C06.M03")
    assert str(t.due) == "2026-06-30" and str(t.original_due) == "2025-12-31"
    events = HistoryService(ServiceContext(plan_db)).history("C06.M03")
    assert [e.action for e in events][-2:] == ["extend", "note"]
    assert events[-1].reason == "已电话督促"


async def test_mark_several_and_assign_all(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.P01")
        await pilot.press("space", "space", "space")  # marks P01, P02, P03
        assert screen.query_one(TaskList).marked == {"C06.P01", "C06.P02", "C06.P03"}
        await pilot.press("a")
        await settle(pilot)
        await pilot.press(*"kjj", "enter")
        await settle(pilot)
        assert screen.query_one(TaskList).marked == set()
    for key in ("C06.P01", "C06.P02", "C06.P03"):
        assert task(plan_db, key).lead_unit == "市科技局"
    assert task(plan_db, "C06.P04").lead_unit is None


async def test_stale_edit_is_refused_and_the_fresh_state_shown(
    plan_db: Database, db_path: Path, script: ServiceContext
) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M01")
        seen = screen.store.get("C06.M01") if screen.store else None
        assert seen is not None
        # meanwhile a script assigns the task (the screen has not polled yet)
        WorkflowService(script).assign(["C06.M01"], lead="市发展改革委")
        await pilot.press("y")  # accept the suggestion 市科技局 on the stale version
        await settle(pilot)
        shown = screen.store.get("C06.M01") if screen.store else None
        assert shown is not None and shown.lead == "市发展改革委"  # fresh state shown
        assert shown.version == seen.version + 1
        messages = [n.message for n in app._notifications]
        assert any("已被他人修改" in m for m in messages), messages
    assert task(plan_db, "C06.M01").lead_unit == "市发展改革委"  # not overwritten


async def test_live_refresh_after_a_script_closes_a_task(
    plan_db: Database, db_path: Path, script: ServiceContext
) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M02")
        wf = WorkflowService(script)
        wf.set_status(["C06.M02"], Status.IN_PROGRESS)
        wf.close(["C06.M02"], note="完成", evidence="文件")
        screen.poll()  # what the 1.5 s timer does
        await settle(pilot)
        row = screen.store.get("C06.M02") if screen.store else None
        assert row is not None and row.status == "closed"
        assert screen.detail is not None and screen.detail.task.status is Status.CLOSED


async def test_the_poll_timer_runs_by_itself(
    plan_db: Database, db_path: Path, script: ServiceContext
) -> None:
    app = LctasksApp(
        backend_factory=make_app(db_path, as_of=AS_OF)._factory, as_of=AS_OF, poll_interval=3600
    )
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M02")
        # the screen runs its own timer at the app's interval, calling poll: no
        # waiting on a real timer here (it would fire in an hour), its callback is
        # driven directly
        timer = screen._poll_timer
        assert timer is not None
        assert (timer._interval, timer._callback) == (3600, screen.poll)
        WorkflowService(script).note(["C06.M02"], "外部备注")
        timer._callback()
        await settle(pilot)
        row = screen.store.get("C06.M02") if screen.store else None
        assert row is not None and row.version == 2


async def test_filters_unit_light_text_initials(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M01")
        wf = WorkflowService(ServiceContext(plan_db))
        wf.accept_suggestion(["C06.M01", "C06.M02", "C10.M03"])
        wf.set_status(["C06.M02"], Status.IN_PROGRESS)  # no report this month: yellow
        wf.assign(["C10.M03"], due=dt.date(2021, 5, 31))  # past its deadline: red
        screen.poll()
        await settle(pilot)
        tl = screen.query_one(TaskList)
        screen.filter_unit("市科技局")
        await settle(pilot)
        # the tasks it leads, and the unassigned ones it is the suggested lead of (issue 10)
        assert {r.key for r in tl.rows if r.lead} == {"C06.M01", "C06.M02"}
        assert all(r.lead == "市科技局" or r.suggested == "市科技局" for r in tl.rows)
        screen.query_one("#filter-unit", Select).clear()
        await settle(pilot)
        await pilot.press("slash", *"xny")  # 新能源 initials
        await pilot.press("enter")
        await settle(pilot)
        keys = {r.key for r in tl.rows}
        assert "C10.M03" in keys and len(keys) < 30
        await pilot.press("ctrl+l")
        set_input(screen, "#filter-text", "新能源汽车")
        await pilot.press("enter")
        await settle(pilot)
        assert "C10.M03" in {r.key for r in tl.rows}
        await pilot.press("ctrl+l", "l")  # light: red
        await settle(pilot)
        assert [r.key for r in tl.rows] == ["C10.M03"]
        await pilot.press("l")  # yellow
        await settle(pilot)
        assert [r.key for r in tl.rows] == ["C06.M02"]
        screen.filter_unit("市科技局")  # the unit's yellow tasks
        await settle(pilot)
        assert [r.key for r in tl.rows] == ["C06.M02"]


async def test_jump_to_an_id(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("g")
        await settle(pilot)
        await pilot.press(*"c10.m3", "enter")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert screen.query_one(TaskList).current_key == "C10.M03"
        assert screen.detail is not None and screen.detail.task.title == "新能源汽车"


async def test_dashboard_and_back(plan_db: Database, db_path: Path) -> None:
    from textual.widgets import DataTable

    from lctasks.tui.screens.dashboard import DashboardScreen

    WorkflowService(ServiceContext(plan_db)).accept_suggestion(["C06.M01", "C06.M02"])
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dash = app.screen
        assert isinstance(dash, DashboardScreen)
        table = dash.query_one(DataTable)
        units = [table.get_row_at(i)[1] for i in range(table.row_count)]
        assert "市科技局" in units and units[-1] == "（未分配）"
        assert dash.points is not None and dash.points[0].month == "2021-01"
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_and_palette_list_the_actions(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.HelpScreen)
        assert ("x", "销号") in app.screen.rows
        await pilot.press("escape")
        from lctasks.tui.commands import TaskCommands

        provider = TaskCommands(app.screen)
        labels = [label for label, _a, _k in provider._entries()]
        for want in ("分配", "采纳建议", "报进展", "销号", "退回", "延期", "备注", "勾选事项"):
            assert want in labels


async def test_keymap_from_settings_remaps_a_binding(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF, keymap={"close_task": "ctrl+k"})
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M02")
        await pilot.press("ctrl+k")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.FormDialog)
        assert app.screen.id == "close-dialog"


async def test_my_unit_view_uses_the_people_record(plan_db: Database, db_path: Path) -> None:
    from lctasks.domain import Actor, Role
    from lctasks.services.people import PeopleService

    PeopleService(ServiceContext(plan_db)).add("督查员", Role.SUPERVISOR)
    ctx = ServiceContext(plan_db, Actor("督查员"))
    PeopleService(ctx).add("张联络员", Role.LIAISON, "市科技局")
    WorkflowService(ctx).accept_suggestion(["C06.M01", "C10.M03"])  # 市科技局, 市工信局
    app = make_app(db_path, as_of=AS_OF, actor="张联络员")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")  # view: my unit
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        assert [r.key for r in screen.query_one(TaskList).rows] == ["C06.M01"]
