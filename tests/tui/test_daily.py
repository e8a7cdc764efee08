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
        # the task's reason only: no "本批次" headline, no advice about IDs on a command line
        assert shown[0].startswith("C06.M03：") and "ID" not in shown[0], shown[0]


async def test_a_liaison_is_told_at_the_key_what_only_the_office_does(
    plan_db: Database, db_path: Path
) -> None:
    PeopleService(ServiceContext(plan_db)).add("督查员", Role.SUPERVISOR)
    ctx = ServiceContext(plan_db, Actor("督查员"))
    PeopleService(ctx).add("刘联络员", Role.LIAISON, "市科技局")
    PeopleService(ctx).add("赵只读", Role.VIEWER)
    app = make_app(db_path, as_of=AS_OF, actor="刘联络员")
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M01")
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)  # no dialog to fill in vain
        assert notes(app) == [
            "“分配”只能由督查室操作；单位联络员可以报进展（p）、勾选事项（c）、备注（n）、改状态（s）"
        ]
        await pilot.press("p")  # what a liaison may do still opens its dialog
        await settle(pilot)
        assert isinstance(app.screen, dialogs.FormDialog)
    app = make_app(db_path, as_of=AS_OF, actor="赵只读")
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M01")
        await pilot.press("p")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert notes(app) == ["只读用户不能“报进展”；请联系督查室"]
    assert task(plan_db, "C06.M01").lead_unit is None


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


def _main(app: Any) -> MainScreen:
    for screen in app.screen_stack:
        if isinstance(screen, MainScreen):
            return screen
    raise AssertionError("no main screen")


async def test_esc_in_the_filter_box_returns_to_the_list(plan_db: Database, db_path: Path) -> None:
    from lctasks.tui.widgets.task_list import TaskList

    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"kjj")
        await settle(pilot)
        screen = _main(app)
        assert isinstance(screen.focused, Input)
        shown = len(screen.query_one(TaskList).rows)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(screen.focused, TaskList)
        assert len(screen.query_one(TaskList).rows) == shown  # the filter stays


async def test_the_detail_follows_the_cursor_after_jump_and_clear(
    plan_db: Database, db_path: Path
) -> None:
    from lctasks.tui.widgets.task_list import TaskList

    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"kjj", "enter")  # a filter that hides C10.M03
        await settle(pilot)
        screen = _main(app)
        await pilot.press("g", *"C10.M03", "enter")  # not visible: the filter is cleared
        await settle(pilot)
        tl = screen.query_one(TaskList)
        assert tl.current_key == "C10.M03"
        assert screen.detail is not None and screen.detail.task.id == "C10.M03"
        await pilot.press("ctrl+l")
        await settle(pilot)
        assert screen.detail is not None and screen.detail.task.id == tl.current_key


async def test_unit_filter_and_text_agree_and_include_the_suggested_lead(
    plan_db: Database, db_path: Path
) -> None:
    from lctasks.tui.widgets.task_list import TaskList

    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = _main(app)
        screen.filter_unit("市科技局")
        await settle(pilot)
        by_unit = {r.key for r in screen.query_one(TaskList).rows}
        assert "C06.M01" in by_unit  # unassigned: 市科技局 is its suggested lead
        top = str(screen.query_one("#topbar").render())
        assert "含牵头、配合及建议牵头" in top
        await pilot.press("ctrl+l", "slash", *"科技局", "enter")
        await settle(pilot)
        by_text = {r.key for r in screen.query_one(TaskList).rows}
        await pilot.press("ctrl+l", "slash", *"kjj", "enter")
        await settle(pilot)
        by_initials = {r.key for r in screen.query_one(TaskList).rows}
        assert by_unit <= by_text and by_unit <= by_initials


async def test_my_unit_view_says_when_no_unit_is_set(plan_db: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        top = str(_main(app).query_one("#topbar").render())
        assert "0 / 633" in top and "未设定本单位" in top and "--unit" in top


async def test_status_dialog_offers_only_allowed_moves(plan_db: Database, db_path: Path) -> None:
    from textual.widgets import OptionList

    from lctasks.domain import Status

    wf = WorkflowService(ServiceContext(plan_db, Actor("督查室")))
    wf.set_status(["C06.M02"], Status.DONE)
    wf.close(["C06.M02"], note="完成", evidence="文号")
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await open_at(pilot, "C06.M02")  # closed
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert notes(app) == ["C06.M02 为“已销号”，不能在此改状态；按 r 退回重办"]
        await open_at(pilot, "C06.M03")
        await pilot.press("s")
        await settle(pilot)
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert labels == ["未启动", "推进中", "受阻", "暂缓", "已完成（待销号）"]


async def test_a_closed_task_shows_its_closure_in_the_detail(
    plan_db: Database, db_path: Path
) -> None:
    """The completion note and evidence of 销号, as `show` prints them (QA pass 2: they
    were only in the change record at the bottom)."""
    from lctasks.domain import Status
    from lctasks.tui.widgets.detail import DetailPane

    wf = WorkflowService(ServiceContext(plan_db, Actor("督查室")))
    wf.set_status(["C06.M02"], Status.DONE)
    wf.close(["C06.M02"], note="平台已挂牌", evidence="聊政办字〔2025〕12号")
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M02")
        text = screen.query_one(DetailPane).text
        block = text[text.index("── 销号") : text.index("── 责任单位")].splitlines()
        assert block[0].strip() == "── 销号"
        assert block[1].startswith("销号时间：") and block[1].endswith(" 督查室")
        assert block[2:4] == ["办结说明：平台已挂牌", "佐证材料：聊政办字〔2025〕12号"]
        await open_at(pilot, "C06.M03")  # not closed: no such section
        assert "── 销号" not in screen.query_one(DetailPane).text


async def test_a_bulk_action_asks_first_and_undo_reverts_it(
    plan_db: Database, db_path: Path
) -> None:
    from lctasks.tui.widgets.task_list import TaskList

    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "C06.M01")
        await pilot.press(*["space"] * 7)  # C06.M01 … C06.P04
        assert len(screen.query_one(TaskList).marked) == 7
        await pilot.press("y")  # accept 7 suggestions
        await settle(pilot)
        assert isinstance(app.screen, dialogs.ConfirmDialog)
        question = str(app.screen.query_one("#confirm-question").render())
        assert "7 项任务" in question and "采纳建议" in question and "z 撤销" in question
        await pilot.press("n")
        await settle(pilot)
        assert task(plan_db, "C06.M01").lead_unit is None  # nothing done
        await pilot.press("y")
        await settle(pilot)
        await pilot.press("y")  # yes
        await settle(pilot)
        assert task(plan_db, "C06.M01").lead_unit == "市科技局"
        await pilot.press("z")
        await settle(pilot)
        assert isinstance(app.screen, dialogs.ConfirmDialog)
        assert "7 项任务" in str(app.screen.query_one("#confirm-question").render())
        await pilot.press("y")
        await settle(pilot)
        assert notes(app)[-1] == "已撤销 7 项任务的修改"
        row = screen.store.get("C06.P04") if screen.store else None
        assert row is not None and row.lead == ""  # the list shows it at once
    assert task(plan_db, "C06.M01").lead_unit is None
    assert HistoryService(ServiceContext(plan_db)).history("C06.M01")[-1].action == "undo"


def test_month_bars_are_whole_counts_with_chinese_labels() -> None:
    from rich.cells import cell_len

    from lctasks.services.board import TimelinePoint
    from lctasks.tui.screens.dashboard import month_bars

    points = [TimelinePoint(f"2021-{m:02d}", m % 3, 100 * m) for m in range(1, 13)]
    text = month_bars(points, 60, 8)
    lines = text.plain.splitlines()
    assert lines[0] == "按月完成数与逾期数"
    assert [ln[:7] for ln in lines[1:]] == [f"2021-{m:02d}" for m in range(7, 13)]
    assert all(cell_len(ln) <= 60 for ln in lines)
    assert lines[-1].endswith(" 1200") and " 完成 " in lines[-1] and " 逾期 " in lines[-1]
    assert ".0" not in text.plain
