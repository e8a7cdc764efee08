"""TUI figures, side by side in one run: first paint and filter latency.

    .venv/bin/python benchmarks/bench_tui.py [--n 100000] [--runs 3]

First paint is measured in a fresh process for each run (imports included,
as a person starting ``lctasks tui`` sees it), headless at 200×50: from the
process start until the main screen has painted the task list with its
rows. The baseline is an empty Textual App painting one label. Filter latency
is the UI-thread work of one keystroke in the running app at n tasks (filter,
re-fill the virtual list, draw the visible lines), for Chinese text, pinyin
initials, an ID prefix and a unit + light filter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AS_OF = dt.date(2023, 6, 30)

CHILD = r"""
import sys, time, json, asyncio
T0 = float(sys.argv[1])
kind, db = sys.argv[2], sys.argv[3]

async def main():
    if kind == "baseline":
        from textual.app import App
        from textual.widgets import Label

        class Empty(App):
            def compose(self):
                yield Label("hello")

        app = Empty()
        async with app.run_test(size=(200, 50)) as pilot:
            await pilot.pause()
            painted = time.time()
        return {"paint": painted - T0}
    import datetime as dt
    from lctasks.tui.app import LctasksApp
    from lctasks.tui.backend import Backend
    from lctasks.tui.widgets.task_list import TaskList

    app = LctasksApp(
        backend_factory=lambda: Backend.open(db, actor="bench"),
        as_of=dt.date(2023, 6, 30),
        poll_interval=0,
    )
    shell = None
    async with app.run_test(size=(200, 50)) as pilot:
        await pilot.pause()
        shell = time.time()
        while True:
            screen = app.screen
            tl = screen.query(TaskList)
            if tl and len(tl.first().rows) > 0:
                break
            await asyncio.sleep(0.005)
        await pilot.pause()  # the frame with the rows
        painted = time.time()
        while not app.screen.loaded:  # the whole list (filters, counts) is ready
            await asyncio.sleep(0.005)
        await pilot.pause()
        complete = time.time()
        n = len(app.screen.store.rows)
    return {"shell": shell - T0, "paint": painted - T0, "complete": complete - T0, "rows": n}

print(json.dumps(asyncio.run(main())))
"""


def first_paint(kind: str, db: str) -> dict[str, float]:
    t0 = time.time()
    out = subprocess.run(
        [sys.executable, "-c", CHILD, repr(t0), kind, db],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def make_big(path: Path, n: int) -> None:
    """The bundled plan plus synthetic tasks up to ``n``, spread over its chapters."""
    from sqlalchemy import insert, select

    from lctasks.db.engine import open_database
    from lctasks.db.models import PlanRow, TaskRow, UnitRow
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    rnd = random.Random(14)
    db = open_database(path)
    try:
        LedgerService(ServiceContext(db, Actor("bench", Source.IMPORT))).import_plan()
        with db.write() as s:
            plan = s.execute(select(PlanRow.id)).scalar_one()
            units = list(s.execute(select(UnitRow.id, UnitRow.short)))
            base = list(
                s.execute(
                    select(
                        TaskRow.kind,
                        TaskRow.chapter,
                        TaskRow.section,
                        TaskRow.title,
                        TaskRow.source_text,
                        TaskRow.suggested_lead,
                    )
                )
            )
            now = dt.datetime.now(dt.UTC)
            statuses = ["not_started"] * 5 + ["in_progress"] * 3 + ["done", "closed", "blocked"]
            rows = []
            for i in range(n - len(base)):
                kind, chapter, section, title, text, sugg = base[i % len(base)]
                rows.append(
                    {
                        "plan_id": plan,
                        "key": f"X{chapter:02d}.{i:06d}",
                        "kind": kind,
                        "chapter": chapter,
                        "section": section,
                        "title": f"{title}（{units[i % len(units)][1]}分解{i % 97}）",
                        "source_text": text[:200],
                        "line": 0,
                        "attrs": {},
                        "status": rnd.choice(statuses),
                        "progress": rnd.randrange(0, 101, 5),
                        "start": dt.date(2021, 1, 1),
                        "due": dt.date(2021 + rnd.randrange(5), 12, 31),
                        "due_basis": "inferred",
                        "due_text": "",
                        "lead_unit_id": units[rnd.randrange(len(units))][0]
                        if rnd.random() < 0.7
                        else None,
                        "suggested_lead": sugg,
                        "suggested_co": [],
                        "suggested_rules": [],
                        "removed": False,
                        "version": 1,
                        "updated_at": now,
                    }
                )
            for k in range(0, len(rows), 5000):
                s.execute(insert(TaskRow), rows[k : k + 5000])
    finally:
        db.dispose()


async def filter_latency(db: str, queries: list[tuple[str, dict[str, str]]]) -> list[float]:
    from textual.widgets import Input

    from lctasks.tui.app import LctasksApp
    from lctasks.tui.backend import Backend
    from lctasks.tui.screens.main import MainScreen
    from lctasks.tui.widgets.task_list import TaskList

    app = LctasksApp(
        backend_factory=lambda: Backend.open(db, actor="bench"), as_of=AS_OF, poll_interval=0
    )
    out: list[float] = []
    async with app.run_test(size=(200, 50)) as pilot:
        for _ in range(8):
            await app.workers.wait_for_complete()
            await pilot.pause()
        screen = app.screen
        assert isinstance(screen, MainScreen)
        tl = screen.query_one(TaskList)
        for text, selects in queries:
            with screen.prevent(Input.Changed):
                screen.query_one("#filter-text", Input).value = text
            for sel_id, value in selects.items():
                from textual.widgets import Select

                with screen.prevent(Select.Changed):
                    screen.query_one(sel_id, Select).value = value
            t0 = time.perf_counter()
            screen._refilter()
            for y in range(tl.size.height):  # draw what is on screen
                tl.render_line(y)
            out.append(time.perf_counter() - t0)
            await pilot.pause()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--keep", type=Path, help="reuse (or keep) the databases in this folder")
    args = ap.parse_args()
    tmp = args.keep or Path(tempfile.mkdtemp(prefix="lct-bench-"))
    tmp.mkdir(parents=True, exist_ok=True)
    small, big = tmp / "plan.db", tmp / "big.db"
    fresh = not big.exists()

    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService

    if fresh:
        small.unlink(missing_ok=True)
        db = open_database(small)
        LedgerService(ServiceContext(db, Actor("bench", Source.IMPORT))).import_plan()
        db.dispose()
        t0 = time.perf_counter()
        make_big(big, args.n)
        print(f"built {args.n:,}-task database in {time.perf_counter() - t0:.1f} s ({big})")

    def med(kind: str, path: Path, key: str) -> float:
        return statistics.median(first_paint(kind, str(path))[key] for _ in range(args.runs))

    base = med("baseline", small, "paint")
    shell_small = med("app", small, "shell")
    paint_small = med("app", small, "paint")
    shell_big = med("app", big, "shell")
    paint_big = med("app", big, "paint")
    complete_big = med("app", big, "complete")
    print()
    print(f"first paint, process start → painted, 200×50, median of {args.runs}:")
    print(f"  empty Textual app (baseline)   {base:6.2f} s   1.00×")
    print(f"  bundled plan: shell            {shell_small:6.2f} s   {shell_small / base:.2f}×")
    print(f"  bundled plan (561 tasks): rows {paint_small:6.2f} s   {paint_small / base:.2f}×")
    print(f"  {args.n:,} tasks: shell          {shell_big:6.2f} s   {shell_big / base:.2f}×")
    print(f"  {args.n:,} tasks: rows           {paint_big:6.2f} s   {paint_big / base:.2f}×")
    print(
        f"  {args.n:,} tasks: all loaded     {complete_big:6.2f} s   {complete_big / base:.2f}×"
        "   (filters and tree counts ready)"
    )

    import asyncio

    typed = ["科", "科技", "k", "kj", "kjj", "x10", "x10.0", "x10.00"]
    queries = [(q, {}) for q in typed]
    queries += [("", {"#filter-light": "red"}), ("", {"#filter-unit": "市科技局"})]
    queries += [("平台", {"#filter-unit": "市科技局", "#filter-light": "red"})]
    queries += [("", {})]
    times = asyncio.run(filter_latency(str(big), [(q, {}) for q in ["", *typed]] + queries))
    print()
    print(f"filter keystroke at {args.n:,} tasks (UI thread: filter + refill + draw):")
    labels = ["(none)", *typed, *[f"{q!r} {s}" for q, s in queries]]
    for label, secs in zip(labels, times, strict=False):
        print(f"  {label:<48} {secs * 1000:7.1f} ms")
    worst = max(times[1:])
    print(f"  worst {worst * 1000:.1f} ms   (aim: < 150 ms)")


if __name__ == "__main__":
    main()
