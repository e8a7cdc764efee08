"""Ledger figures: parse, first import, re-import, `lctasks list --json`, 100,000 tasks.

    .venv/bin/python benchmarks/bench_ledger.py [--n 100000] [--big PATH]
                                                          [--skip-big] [--repeat 5]

Prints medians (wall clock). The subprocess figure is compared with a
``python -c pass`` baseline measured in the same run, so machine load shows up
in both. ``--big PATH`` reuses a database made by ``benchmarks/synth.py``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


CPU: list[float] = []  # process CPU seconds of the last median_time, per run


def median_time(fn: Callable[[], object], repeat: int) -> float:
    """Median wall seconds; the median CPU seconds of this process go to CPU[-1]."""
    times, cpu = [], []
    for _ in range(repeat):
        started, cpu0 = time.perf_counter(), time.process_time()
        fn()
        times.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu0)
    CPU.append(statistics.median(cpu))
    return statistics.median(times)


def child_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu() -> str:
    return f"cpu {CPU[-1] * 1000:.0f} ms"


def row(label: str, seconds: float, extra: str = "") -> None:
    print(f"  {label:<44} {seconds * 1000:9.0f} ms  {extra}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--n", type=int, default=100_000, help="synthetic tasks")
    ap.add_argument("--big", help="reuse this synthetic database (benchmarks/synth.py)")
    ap.add_argument("--skip-big", action="store_true")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()

    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Light, Source, Status
    from lctasks.plan import load_plan
    from lctasks.services.base import ServiceContext
    from lctasks.services.ledger import LedgerService
    from lctasks.services.query import TaskFilter

    print(
        f"lctasks ledger benchmark — {dt.datetime.now():%Y-%m-%d %H:%M}, "
        f"{os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}"
    )
    tmp = Path(tempfile.mkdtemp(prefix="lctasks-bench-"))
    actor = Actor("bench", Source.IMPORT)

    print("bundled plan (561 tasks):")
    row("parse (load_plan)", median_time(load_plan, args.repeat), cpu())

    counter = iter(range(1000))

    def first_import() -> None:
        db = open_database(tmp / f"first-{next(counter)}.db")
        try:
            LedgerService(ServiceContext(db, actor)).import_plan()
        finally:
            db.dispose()

    row("first import, incl. parse (fresh SQLite file)", median_time(first_import, 3), cpu())
    main_db = tmp / "main.db"
    db = open_database(main_db)
    ledger = LedgerService(ServiceContext(db, actor))
    result = ledger.import_plan()
    row("  (as reported by ImportResult.seconds)", result.seconds)
    row("re-import unchanged, incl. parse", median_time(ledger.import_plan, 3), cpu())
    row("list_tasks (all 561)", median_time(ledger.list_tasks, args.repeat), cpu())
    row("outline", median_time(ledger.outline, args.repeat), cpu())
    db.dispose()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "lctasks", "--db", str(main_db), "list", "--json"]

    def run(argv: list[str]) -> None:
        subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)

    cpu0 = child_cpu()
    base = median_time(lambda: run([sys.executable, "-c", "pass"]), args.repeat)
    cpu1 = child_cpu()
    listed = median_time(lambda: run(cmd), args.repeat)
    cpu2 = child_cpu()
    base_cpu, list_cpu = (cpu1 - cpu0) / args.repeat, (cpu2 - cpu1) / args.repeat
    row("python -c pass (baseline, subprocess)", base, f"cpu {base_cpu * 1000:.0f} ms")
    row(
        "lctasks list --json (subprocess)",
        listed,
        f"ratio {listed / base:.0f}x baseline; cpu {list_cpu * 1000:.0f} ms "
        f"({list_cpu / max(base_cpu, 1e-6):.0f}x)",
    )
    show = median_time(
        lambda: run([sys.executable, "-m", "lctasks", "--db", str(main_db), "show", "C06.M01"]),
        args.repeat,
    )
    row("lctasks show C06.M01 (subprocess)", show, f"ratio {show / base:.0f}x baseline")

    if args.skip_big:
        return 0
    from benchmarks.synth import make_big_db

    big = Path(args.big) if args.big else tmp / "big.db"
    if not args.big:
        started = time.perf_counter()
        make_big_db(big, args.n)
        print(
            f"synthetic plan 'big': {args.n} tasks written in "
            f"{time.perf_counter() - started:.1f} s ({big})"
        )
    db = open_database(big)
    ledger = LedgerService(ServiceContext(db, actor))
    as_of = dt.date(2025, 6, 30)
    print(f"list_tasks on plan 'big' (as of {as_of}):")
    cases = [
        ("everything", TaskFilter(plan="big")),
        ("--limit 50 --order due", TaskFilter(plan="big", limit=50, order="due")),
        ("--chapter 10", TaskFilter(plan="big", chapters=(10,))),
        ("--status in_progress", TaskFilter(plan="big", statuses=(Status.IN_PROGRESS,))),
        ("--light red", TaskFilter(plan="big", lights=(Light.RED,))),
        ("--text 新材料", TaskFilter(plan="big", text="新材料")),
        ("--unit kjj (市科技局, lead or co)", TaskFilter(plan="big", units=("kjj",))),
        ("--unassigned --chapter 6", TaskFilter(plan="big", unassigned=True, chapters=(6,))),
    ]
    for label, flt in cases:
        found = len(ledger.list_tasks(flt, as_of=as_of))
        wall = median_time(lambda f=flt: ledger.list_tasks(f, as_of=as_of), 3)
        row(label, wall, f"{found} tasks; {cpu()}")
    wall = median_time(lambda: ledger.outline("big", as_of=as_of), 3)
    row("outline (counts + lights of every task)", wall, f"cpu {CPU[-1] * 1000:.0f} ms")
    wall = median_time(lambda: ledger.get_task("C06.M01.0100", "big"), args.repeat)
    row("get_task", wall, cpu())
    db.dispose()
    big_cmd = [
        sys.executable,
        "-m",
        "lctasks",
        "--db",
        str(big),
        "--plan",
        "big",
        "list",
        "--json",
        "--chapter",
        "10",
    ]
    row("lctasks --plan big list --json --chapter 10", median_time(lambda: run(big_cmd), 3))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
