"""SVG snapshots of the main screen, a task's detail, every dialog and the dashboard.

Deterministic: a fixed as-of date and terminal size, and the history's
timestamps pinned to one moment (the services stamp events with the clock).
Regenerate with ``pytest tests/tui/test_snapshots.py --snapshot-update`` and
look at the SVGs in ``tests/tui/__snapshots__`` before committing them.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Input

from lctasks.db.engine import open_database
from lctasks.db.models import EventRow, ProgressRow, TaskRow
from lctasks.domain import Actor, Source, Status
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import WorkflowService
from lctasks.tui.screens.main import MainScreen
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle

PINNED = dt.datetime(2021, 6, 18, 9, 30, tzinfo=dt.UTC)
WIDE = (150, 42)
NARROW = (80, 24)


@pytest.fixture
def snap_db(plan_template: Path, tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "snap.db"
    shutil.copyfile(plan_template, path)
    db = open_database(path)
    wf = WorkflowService(ServiceContext(db, Actor("督查室王科长", Source.TUI)))
    wf.accept_suggestion(["C06.M01", "C06.M02", "C06.M03", "C06.P01", "C06.P02", "C10.M03"])
    wf.assign(["C06.P03"], lead="市工业和信息化局", co=["东阿县"], person="李明")
    wf.set_status(["C06.M01", "C06.M02", "C10.M03"], Status.IN_PROGRESS)
    wf.report_progress(
        ["C06.M01"],
        made="新增省级以上创新平台12家，国家级平台2家",
        problems="企业研发投入不足",
        next_steps="落实研发费用加计扣除政策",
        percent=25,
        today=AS_OF,
    )
    wf.check("C06.M01", [1])
    wf.set_status(["C06.M02"], Status.DONE)
    wf.close(["C06.M02"], note="平台已建成", evidence="聊科字〔2021〕12号")
    wf.assign(["C10.M03"], due=dt.date(2021, 5, 31), reason="调度会要求提前完成")
    with db.write() as s:  # pin the clock-stamped times
        s.execute(update(EventRow).values(at=PINNED))
        s.execute(update(ProgressRow).values(at=PINNED))
        s.execute(update(TaskRow).values(updated_at=PINNED))
    db.dispose()
    yield path


SnapCompare = Callable[..., bool]


def _app(path: Path) -> Any:
    return make_app(path, as_of=AS_OF, actor="督查员")


def _then(*steps: Any) -> Callable[[Pilot[Any]], Any]:
    """Settle, then run each step: a key name, a tuple of keys, or (selector, value)."""

    async def run(pilot: Pilot[Any]) -> None:
        await settle(pilot)
        for step in steps:
            if isinstance(step, str):
                await pilot.press(step)
            elif isinstance(step, tuple) and step and step[0].startswith("#"):
                pilot.app.screen.query_one(step[0], Input).value = step[1]
            elif callable(step):
                step(pilot.app.screen)
            else:
                await pilot.press(*step)
            await settle(pilot)
        # a blinking cursor would make the picture depend on the moment: keep it on
        for screen in pilot.app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
        await pilot.pause()

    return run


def _jump(key: str) -> Callable[[Any], None]:
    def go(screen: Any) -> None:
        assert isinstance(screen, MainScreen)
        screen.jump_to(key)

    return go


def test_main_screen_wide(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M01")))


def test_main_screen_80x24(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=NARROW, run_before=_then(_jump("C06.M01")))


def test_task_detail_focused(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(
        _app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M01"), "enter")
    )


def test_filtered_by_light_and_marked(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(
        _app(snap_db),
        terminal_size=WIDE,
        run_before=_then(("slash", "k", "j", "j", "enter"), "space", "space"),
    )


def test_dialog_assign(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(
        _app(snap_db),
        terminal_size=WIDE,
        run_before=_then(_jump("C06.P04"), "a", ("s", "d", "s", "j")),
    )


def test_dialog_status(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M03"), "s"))


def test_dialog_progress(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(
        _app(snap_db),
        terminal_size=WIDE,
        run_before=_then(_jump("C06.M03"), "p", ("#f-made", "完成选址，签订合作协议")),
    )


def test_dialog_checklist(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M01"), "c"))


def test_dialog_close(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M01"), "x"))


def test_dialog_return(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M02"), "r"))


def test_dialog_extend(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M01"), "e"))


def test_dialog_note(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then(_jump("C06.M01"), "n"))


def test_dialog_jump(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then("g", ("c", "1", "0")))


def test_help_screen(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then("question_mark"))


def test_dashboard(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=WIDE, run_before=_then("d"))


def test_dashboard_80x24(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=NARROW, run_before=_then("d"))


MEDIUM = (120, 40)


def test_main_screen_120x40(snap_compare: SnapCompare, snap_db: Path) -> None:
    assert snap_compare(_app(snap_db), terminal_size=MEDIUM, run_before=_then(_jump("C06.M01")))


def test_dialog_assign_80x24(snap_compare: SnapCompare, snap_db: Path) -> None:
    """Every field and the key hints stay in view on a 24-line terminal."""
    assert snap_compare(
        _app(snap_db), terminal_size=NARROW, run_before=_then(_jump("C06.M01"), "a")
    )


@pytest.fixture
def ind_db(snap_db: Path) -> Path:
    """The snapshot plan with two actuals and a county's share recorded (2021)."""
    from lctasks.services.indicators import IndicatorService

    db = open_database(snap_db)
    svc = IndicatorService(ServiceContext(db, Actor("督查室王科长", Source.CLI)))
    svc.record("I01", "2021", "6.5", source="2021年统计公报")
    svc.record("I20", "2021", "398.9", source="2021年统计公报")
    svc.set_share("I20", "临清市", target="40", baseline="38")
    svc.record("I20", "2021", "38.1", unit="临清市", source="市统计局")
    db.dispose()
    return snap_db


def test_indicators_80x24(snap_compare: SnapCompare, ind_db: Path) -> None:
    """指标监测 at 80×24: 最新实际, 序时目标 and 灯 in view (names and long targets cropped)."""
    assert snap_compare(_app(ind_db), terminal_size=NARROW, run_before=_then("d", "i"))


def test_indicators_120x40(snap_compare: SnapCompare, ind_db: Path) -> None:
    assert snap_compare(_app(ind_db), terminal_size=MEDIUM, run_before=_then("d", "i"))
