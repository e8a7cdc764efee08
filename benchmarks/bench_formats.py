"""Unit workbooks and the meeting pack at scale (aim: the pack in a few seconds).

    .venv/bin/python benchmarks/bench_formats.py [N] [--db PATH] [--edits K]

Builds the synthetic ledger of ``benchmarks/synth.py`` (N tasks, default 100,000,
plan ``big``), then measures in the same run, as of 2025-06-30:

- baseline: ``ReviewService.export`` (database → snapshot with lights), the read
  every format starts from;
- export xlsx: the office workbook of all N tasks (``export_workbooks``), and one
  workbook per unit (``--per-unit``);
- apply xlsx: the office workbook with K rows filled in by openpyxl (percent and
  进展情况; not timed), checked and applied in one transaction
  (``apply_workbook``: read + every check + K progress reports), against reading
  the same file with openpyxl alone (read-only, values) — the floor of any check;
- pack: ``build_pack`` (export + timeline + parts + HTML) and the HTML alone.

Wall and process CPU time are printed (the machine may be shared).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

AS_OF = dt.date(2025, 6, 30)


def timed(label: str, fn: Callable[[], Any], rows: list[tuple[str, float, float]]) -> Any:
    wall, cpu = time.perf_counter(), time.process_time()
    result = fn()
    rows.append((label, time.perf_counter() - wall, time.process_time() - cpu))
    print(f"  {label}: {rows[-1][1]:.2f} s", file=sys.stderr)
    return result


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("n", nargs="?", type=int, default=100_000)
    ap.add_argument("--db", default="")
    ap.add_argument("--edits", type=int, default=1000)
    args = ap.parse_args()

    import openpyxl

    from benchmarks.synth import make_big_db
    from lctasks.db.engine import open_database
    from lctasks.domain import Actor, Source
    from lctasks.formats.pack.build import build_pack
    from lctasks.formats.pack.render import render_pack
    from lctasks.formats.xlsx.apply import apply_workbook
    from lctasks.formats.xlsx.export import export_workbooks
    from lctasks.formats.xlsx.layout import COLUMNS, SHEET
    from lctasks.services.base import ServiceContext
    from lctasks.services.review import ReviewService

    work = Path(tempfile.mkdtemp(prefix="lctasks-bench-formats-"))
    db = args.db or str(work / "big.db")
    t0 = time.perf_counter()
    plan = make_big_db(db, args.n)
    print(f"built {args.n} tasks in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    ctx = ServiceContext(open_database(db), Actor("bench", Source.CLI))
    rows: list[tuple[str, float, float]] = []

    snap = timed(
        "baseline: ReviewService.export (snapshot with lights)",
        lambda: ReviewService(ctx).export(as_of=AS_OF, plan=plan),
        rows,
    )
    office = work / "office.xlsx"
    timed(
        f"export xlsx: office workbook, {len(snap.tasks):,} rows",
        lambda: export_workbooks(ctx, office, as_of=AS_OF, plan=plan),
        rows,
    )
    infos = timed(
        "export xlsx: --per-unit (one workbook per unit)",
        lambda: export_workbooks(ctx, work / "units", per_unit=True, as_of=AS_OF, plan=plan),
        rows,
    )
    size_office = office.stat().st_size
    size_units = sum(Path(i.path).stat().st_size for i in infos)

    # a liaison's edits: K rows of open tasks get a percent and a progress text
    col = {c.key: i + 1 for i, c in enumerate(COLUMNS)}
    wb = openpyxl.load_workbook(office)
    ws = wb[SHEET]
    done = 0
    for r in range(3, ws.max_row + 1):
        if done >= args.edits:
            break
        if ws.cell(r, col["status"]).value in ("推进中", "未启动", "受阻"):
            ws.cell(r, col["percent"]).value = 50
            ws.cell(r, col["made"]).value = "按计划推进，完成阶段目标"
            done += 1
    wb.save(office)

    def plain_read() -> int:
        book = openpyxl.load_workbook(office, read_only=True)
        n = sum(1 for _ in book[SHEET].iter_rows(values_only=True))
        book.close()
        return n

    timed("baseline: openpyxl read-only read of the filled workbook", plain_read, rows)
    result = timed(
        f"apply xlsx: check every cell + {done:,} progress reports, one transaction",
        lambda: apply_workbook(ctx, office),
        rows,
    )
    assert result.tasks == done, result

    timed("pack: build_pack (export + timeline + parts + HTML)", lambda: build_pack(
        ctx, as_of=AS_OF, plan=plan), rows)  # fmt: skip
    text, info = timed("pack: HTML only (render_pack of the snapshot)", lambda: render_pack(
        snap), rows)  # fmt: skip

    print(f"\n{args.n:,} tasks (plan {plan}), as of {AS_OF}; files: office workbook "
          f"{size_office / 1e6:.1f} MB, {len(infos)} unit workbooks {size_units / 1e6:.1f} MB, "
          f"pack {len(text.encode()) / 1e3:.0f} kB (summarised: {info.summarised})\n")  # fmt: skip
    print("| step | wall s | CPU s |")
    print("|---|---:|---:|")
    for label, wall, cpu in rows:
        print(f"| {label} | {wall:.2f} | {cpu:.2f} |")
    if not args.db:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    else:
        print(f"(files kept in {work})", file=sys.stderr)
    _ = os


if __name__ == "__main__":
    main()
