"""TUI figures, side by side in one run: first paint and filter latency.

    .venv/bin/python benchmarks/bench_tui.py [--n 100000] [--runs 3] [--keep DIR]
                                             [--no-tmux] [--no-filter]

First paint is measured in a fresh process for each run (imports included, as
a person starting ``lctasks`` sees it), two ways:

- headless at 200×50 (Textual's test driver): from the process start until the
  compositor first draws the plan tree (the shell) and the task list with rows;
- in a real terminal: ``lctasks --db FILE`` started in a new tmux pane (200×50),
  from the start until ``tmux capture-pane`` shows the first row's ID.

The baseline, measured the same way in the same run, is an empty Textual App
painting one label. Filter latency is the UI-thread work of one keystroke in
the running app at n tasks (filter, re-fill the virtual list, draw the visible
lines), for Chinese text, pinyin initials, an ID prefix and a unit + light filter.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import random
import shlex
import shutil
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
PAINTED = {}


def painted_when(cls, name, ready):
    # the moment the compositor first draws a line of ``cls`` with ``ready(widget)``
    # true: that frame goes to the terminal right after (headless: to nowhere)
    original = cls.render_line

    def render_line(self, y):
        if name not in PAINTED and ready(self):
            PAINTED[name] = time.time()
        return original(self, y)

    cls.render_line = render_line


async def main():
    if kind == "baseline":
        from textual.app import App
        from textual.widget import Widget
        from textual.widgets import Label

        painted_when(Widget, "paint", lambda w: isinstance(w, Label))

        class Empty(App):
            def compose(self):
                yield Label("hello")

        app = Empty()
        async with app.run_test(size=(200, 50)) as pilot:
            while "paint" not in PAINTED:
                await asyncio.sleep(0.002)
        return {"paint": PAINTED["paint"] - T0}
    import datetime as dt
    from lctasks.tui.app import LctasksApp
    from lctasks.tui.backend import Backend
    from lctasks.tui.widgets.plan_tree import PlanTree
    from lctasks.tui.widgets.task_list import TaskList

    painted_when(PlanTree, "shell", lambda w: True)
    painted_when(TaskList, "paint", lambda w: len(w.rows) > 0)
    app = LctasksApp(
        backend_factory=lambda: Backend.open(db, actor="bench"),
        as_of=dt.date(2023, 6, 30),
        poll_interval=0,
    )
    async with app.run_test(size=(200, 50)) as pilot:
        while "paint" not in PAINTED:
            await asyncio.sleep(0.002)
        while not getattr(app.screen, "loaded", False):  # filters and counts are ready
            await asyncio.sleep(0.002)
        complete = time.time()
        n = len(app.screen.store.rows)
    import resource

    return {
        "shell": PAINTED["shell"] - T0,
        "paint": PAINTED["paint"] - T0,
        "complete": complete - T0,
        "rows": n,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }

print(json.dumps(asyncio.run(main())))
"""

BASELINE_APP = """
from textual.app import App
from textual.widgets import Label

class Empty(App):
    def compose(self):
        yield Label("lctasks-baseline-ready")

Empty().run()
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


_SOCKETS = itertools.count()


def in_tmux(command: list[str], want: str, size: tuple[int, int] = (200, 50)) -> float:
    """Seconds from starting ``command`` in a new tmux pane until ``want`` shows in it.

    A real terminal (tmux's), as a person sees it: the pane's text is read with
    ``tmux capture-pane`` every few milliseconds. The program gets ``q`` then.
    """
    # a fresh tmux server each time, its socket in a folder removed afterwards
    sock = Path(tempfile.mkdtemp(prefix="lct-tmux-")) / f"s{next(_SOCKETS)}"
    tmux = ["tmux", "-S", str(sock), "-f", os.devnull]
    t0 = time.time()
    subprocess.run(
        [*tmux, "new-session", "-d", "-x", str(size[0]), "-y", str(size[1]), shlex.join(command)],
        cwd=ROOT,
        check=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        while True:
            pane = subprocess.run(
                [*tmux, "capture-pane", "-p"], capture_output=True, text=True, check=False
            ).stdout
            if want in pane:
                return time.time() - t0
            if time.time() - t0 > 120:
                raise RuntimeError(f"{want!r} did not show within 120 s:\n{pane}")
            time.sleep(0.005)
    finally:
        subprocess.run([*tmux, "send-keys", "q"], check=False)
        time.sleep(0.2)
        subprocess.run([*tmux, "kill-server"], check=False, capture_output=True)
        shutil.rmtree(sock.parent, ignore_errors=True)


def lctasks_command() -> list[str]:
    """``lctasks`` as installed beside this interpreter (else ``python -m lctasks``)."""
    script = Path(sys.executable).with_name("lctasks")
    return [str(script)] if script.exists() else [sys.executable, "-m", "lctasks"]


def first_key(db: Path) -> str:
    """The ID of the first row the list shows (the board's order: by id)."""
    import sqlite3

    with sqlite3.connect(db) as conn:
        row = conn.execute("SELECT key FROM tasks WHERE removed = 0 ORDER BY id LIMIT 1").fetchone()
    return str(row[0])


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
    ap.add_argument("--no-tmux", action="store_true", help="skip the timings in tmux")
    ap.add_argument("--no-filter", action="store_true", help="skip the filter latencies")
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
    n_small = _count(small)
    n_big = _count(big)

    def med(kind: str, path: Path, *keys: str) -> list[float]:
        runs = [first_paint(kind, str(path)) for _ in range(args.runs)]
        return [statistics.median(r[k] for r in runs) for k in keys]

    # interleaved, so a change in the machine's load hits every figure alike
    (base,) = med("baseline", small, "paint")
    shell_small, paint_small = med("app", small, "shell", "paint")
    shell_big, paint_big, complete_big, peak_big = med(
        "app", big, "shell", "paint", "complete", "peak_mb"
    )
    print()
    print(f"first paint headless (200×50), process start → painted, median of {args.runs}:")
    print(f"  empty Textual app (baseline)      {base:6.2f} s   1.00×")
    rows = [
        (f"bundled plan ({n_small:,} tasks): shell", shell_small),
        (f"bundled plan ({n_small:,} tasks): rows", paint_small),
        (f"{n_big:,} tasks: shell", shell_big),
        (f"{n_big:,} tasks: rows", paint_big),
        (f"{n_big:,} tasks: all loaded", complete_big),
    ]
    for label, secs in rows:
        print(f"  {label:<33} {secs:6.2f} s   {secs / base:.2f}×")
    print(f"  peak memory at {n_big:,} tasks, all loaded: {peak_big:.0f} MB")

    if not args.no_tmux:
        cmd = lctasks_command()
        script = tmp / "baseline_app.py"  # tmux takes one line: the program from a file
        script.write_text(BASELINE_APP, encoding="utf-8")
        baseline_cmd = [sys.executable, str(script)]
        t_base, t_small, t_big = [], [], []
        for _ in range(args.runs):
            t_base.append(in_tmux(baseline_cmd, "lctasks-baseline-ready"))
            t_small.append(in_tmux([*cmd, "--db", str(small)], first_key(small)))
            t_big.append(in_tmux([*cmd, "--db", str(big)], first_key(big)))
        tb, ts, tg = (statistics.median(x) for x in (t_base, t_small, t_big))
        print()
        print(
            "first rows in a real terminal (tmux 200×50, `lctasks --db FILE`),"
            f" median of {args.runs}:"
        )
        print(f"  empty Textual app (baseline)      {tb:6.2f} s   1.00×")
        print(f"  bundled plan ({n_small:,} tasks): rows{'':<6}{ts:6.2f} s   {ts / tb:.2f}×")
        print(f"  {n_big:,} tasks: rows{'':<15}{tg:6.2f} s   {tg / tb:.2f}×")

    if args.no_filter:
        return
    import asyncio

    typed = ["科", "科技", "k", "kj", "kjj", "x10", "x10.0", "x10.00"]
    queries = [(q, {}) for q in typed]
    queries += [("", {"#filter-light": "red"}), ("", {"#filter-unit": "市科技局"})]
    queries += [("平台", {"#filter-unit": "市科技局", "#filter-light": "red"})]
    queries += [("", {})]
    times = asyncio.run(filter_latency(str(big), [(q, {}) for q in ["", *typed]] + queries))
    print()
    print(f"filter keystroke at {n_big:,} tasks (UI thread: filter + refill + draw):")
    labels = ["(none)", *typed, *[f"{q!r} {s}" for q, s in queries]]
    for label, secs in zip(labels, times, strict=False):
        print(f"  {label:<48} {secs * 1000:7.1f} ms")
    worst = max(times[1:])
    print(f"  worst {worst * 1000:.1f} ms   (aim: < 150 ms)")


def _count(db: Path) -> int:
    import sqlite3

    with sqlite3.connect(db) as conn:
        return int(conn.execute("SELECT COUNT(*) FROM tasks WHERE removed = 0").fetchone()[0])


if __name__ == "__main__":
    main()
