"""The meeting pack and the unit workbooks are one key away from the dashboard."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from lctasks.db.engine import Database
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import WorkflowService
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle

SIZE = (140, 40)


async def test_pack_and_workbooks_from_the_dashboard(
    plan_db: Database, db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lctasks.tui.screens.dashboard import DashboardScreen

    monkeypatch.chdir(tmp_path)
    WorkflowService(ServiceContext(plan_db)).accept_suggestion(["C06.M01", "C06.M02"])
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, DashboardScreen)
        await pilot.press("p")
        await app.workers.wait_for_complete()
        await pilot.press("x")
        await app.workers.wait_for_complete()
        await settle(pilot)
    folder = tmp_path / "调度会材料"
    pack = folder / f"调度会材料_{AS_OF.isoformat()}.html"
    assert "单位排名" in pack.read_text(encoding="utf-8")
    book = folder / f"报送表_{AS_OF.isoformat()}" / f"市科技局_报送表_{AS_OF.isoformat()}.xlsx"
    ws = openpyxl.load_workbook(book)["报送表"]
    assert [ws.cell(r, 1).value for r in (3, 4)] == ["C06.M01", "C06.M02"]
