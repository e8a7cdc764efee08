"""The detail pane shows an indicator's actuals against its path (lctasks actual)."""

from __future__ import annotations

from pathlib import Path

from lctasks.db.engine import Database
from lctasks.domain import Actor, Source
from lctasks.services.base import ServiceContext
from lctasks.services.indicators import IndicatorService
from lctasks.tui.screens.main import MainScreen
from lctasks.tui.widgets.detail import DetailPane
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle
from tests.tui.test_actions import SIZE, open_at


async def test_detail_shows_actuals_shares_and_the_numeric_light(
    plan_db: Database, db_path: Path
) -> None:
    svc = IndicatorService(ServiceContext(plan_db, Actor("王督查", Source.CLI)))
    svc.record("I20", "2021", "398.9", source="2021年统计公报")
    svc.set_share("I20", "临清市", target="40", baseline="38")
    svc.record("I20", "2021", "38.1", unit="临清市", source="市统计局")
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_at(pilot, "I20")
        assert isinstance(screen, MainScreen)
        await settle(pilot)
        text = screen.query_one(DetailPane).text
        assert "指标监测（实际值）" in text
        assert "2021 398.9" in text
        # 396.3 + 11.7 × 1/5 = 398.64 expected in 2021; 398.9 meets it
        assert "2021年 实际 398.9，序时目标 ≥398.6" in text
        # 临清市: 38 + 2/5 = 38.4 expected, 38.1 is 15 points behind its 2-point plan
        assert "临清市  实际/序时 38.1 / 38.4  黄灯" in text


async def test_record_an_actual_from_the_dashboard(plan_db: Database, db_path: Path) -> None:
    from sqlalchemy import select

    from lctasks.db.models import EventRow
    from lctasks.tui.screens.indicators import IndicatorsScreen

    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        await pilot.press("i")
        await settle(pilot, 12)
        screen = app.screen
        assert isinstance(screen, IndicatorsScreen)
        assert [r.key for r in screen.rows[:3]] == ["I01", "I02", "I03"]
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("enter")  # the year is filled in: 2021
        await pilot.press(*"6.5", "enter", *"2021年统计公报", "enter", "enter")
        await settle(pilot, 20)
        await app.workers.wait_for_complete()
        await settle(pilot, 12)
        first = screen.rows[0]
        assert first.key == "I01" and first.by_year == {2021: 6.5}
    with plan_db.read() as s:
        (ev,) = s.scalars(select(EventRow).where(EventRow.action == "actual")).all()
        assert (ev.task_key, ev.source) == ("I01", "tui")
        assert ev.changes["value"] == [None, "6.5"]
