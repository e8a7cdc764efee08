"""The first paint: the first page of rows comes from sqlite3 through the read model,
before the database layer (SQLAlchemy) is loaded; then everything loads as before.
And the way in without Typer: which command lines ``lctasks.cli.tui_fast`` takes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from lctasks.cli import tui_fast
from lctasks.db.engine import Database
from lctasks.tui.backend import Backend
from tests.tui.conftest import AS_OF

ROOT = Path(__file__).resolve().parents[2]


def test_first_page_is_the_services_first_rows(plan_db: Database, db_path: Path) -> None:
    plan_db.dispose()
    backend = Backend.open(str(db_path), actor="督查员")
    page = backend.first_page(AS_OF, 200)
    assert page is not None
    assert backend._ctx is None  # nothing opened through the services yet
    assert page.plan.code == "lc-14th" and page.head == 1  # the import event
    assert len(page.rows) == 200
    assert [n.kind for n in page.outline[:2]] == ["part", "chapter"]
    # the same plan, outline, rows, lights and owners as the board service gives
    assert page.plan == backend.plan()
    assert page.outline == backend.outline()
    assert page.rows == backend.rows(AS_OF)[:200]
    backend.close()


def test_first_page_steps_aside_when_it_cannot_answer(
    plan_db: Database, db_path: Path, tmp_path: Path
) -> None:
    plan_db.dispose()
    # a plan code it does not know: the services load and say what is wrong
    assert Backend.open(str(db_path), actor="x", plan="nope").first_page(AS_OF, 200) is None
    assert Backend.open(str(db_path), actor="x", plan="lc-14th").first_page(AS_OF, 5) is not None
    # no database yet (the services create it and import the plan), PostgreSQL
    missing = Backend.open(str(tmp_path / "new.db"), actor="x")
    assert missing.first_page(AS_OF, 200) is None
    assert not (tmp_path / "new.db").exists()
    pg = Backend.open("postgresql+psycopg://nobody@127.0.0.1:1/none", actor="x")
    assert pg.first_page(AS_OF, 200) is None


PROBE = r"""
import asyncio, datetime as dt, json, sys
from lctasks.tui.app import LctasksApp
from lctasks.tui.backend import Backend
from lctasks.tui.screens import main_core
from lctasks.tui.widgets.task_list import TaskList

# the loader waits at most PAINT_WAIT seconds for the first paint before importing the
# database layer; on a loaded CI machine a paint can take longer than that, and this
# test is about the order, not the timing
main_core.PAINT_WAIT = 300

seen = {}
original = TaskList.render_line

def render_line(self, y):
    if "first" not in seen and len(self.rows) > 0:
        seen["first"] = {"rows": len(self.rows), "sqlalchemy": "sqlalchemy" in sys.modules}
    return original(self, y)

TaskList.render_line = render_line

async def main():
    app = LctasksApp(
        backend_factory=lambda: Backend.open(sys.argv[1], actor="x"),
        as_of=dt.date(2021, 6, 30),
        poll_interval=0,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        while not getattr(app.screen, "loaded", False):
            await asyncio.sleep(0.01)
        rows = len(app.screen.store.rows)
        seen["loaded"] = {"rows": rows, "sqlalchemy": "sqlalchemy" in sys.modules}
    print(json.dumps(seen))

asyncio.run(main())
"""


def test_rows_are_painted_before_the_database_layer_is_imported(
    plan_db: Database, db_path: Path
) -> None:
    plan_db.dispose()
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(db_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    seen = json.loads(out.stdout.strip().splitlines()[-1])
    assert seen["first"] == {"rows": 200, "sqlalchemy": False}
    assert seen["loaded"] == {"rows": 633, "sqlalchemy": True}


@pytest.mark.parametrize(
    "argv",
    [
        ["--help"],
        ["tui", "--help"],
        ["tui", "--bogus"],
        ["tui", "--poll", "soon"],  # Typer says what is wrong with it
        ["list"],
        ["--json"],
        ["--db", "postgresql://someone@somewhere/db", "tui"],  # the login is checked there
    ],
)
def test_other_command_lines_go_to_typer(argv: list[str]) -> None:
    assert tui_fast.run(argv) is None


def test_bare_lctasks_off_a_terminal_goes_to_typer(db_path: Path) -> None:
    # pytest's stdin is not a terminal: the plan overview (Typer's path)
    assert tui_fast.run(["--db", str(db_path)]) is None
