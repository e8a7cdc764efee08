"""Driving the main screen: tree, table, detail, filters, jump (Pilot, file database)."""

from __future__ import annotations

from pathlib import Path

from lctasks.db.engine import Database
from lctasks.tui.screens.main import MainScreen
from lctasks.tui.widgets.plan_tree import PlanTree
from lctasks.tui.widgets.task_list import TaskList
from tests.tui.conftest import AS_OF
from tests.tui.pilot import make_app, settle, wait_until


async def test_opens_with_every_task_and_the_tree(seeded: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tl = screen.query_one(TaskList)
        assert len(tl.rows) == 40
        assert tl.current_key == "C01.M01"
        tree = screen.query_one(PlanTree)
        labels = [str(n.label) for n in tree.root.children]
        assert labels[0] == "第一篇 20项 黄3 篇名1"  # counts labelled (issue 10: were bare numbers)
        # the detail pane shows the task under the cursor (read by a worker after a
        # debounce: under coverage on a loaded machine it comes after settle's rounds)
        await wait_until(pilot, lambda: screen.detail is not None)
        assert screen.detail is not None and screen.detail.task.id == "C01.M01"


async def test_tree_picks_a_chapter(seeded: Database, db_path: Path) -> None:
    app = make_app(db_path, as_of=AS_OF)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        screen = app.screen
        tree = screen.query_one(PlanTree)
        tree.focus()
        part1 = tree.root.children[0]
        part1.expand()
        await pilot.pause()
        chapter2 = part1.children[1]
        tree.select_node(chapter2)
        await settle(pilot)
        keys = [r.key for r in screen.query_one(TaskList).rows]
        assert keys and all(k.startswith("C02.") for k in keys)
        assert len(keys) == 10
