"""The report of a generated ledger (the shape ``benchmarks/synth.py`` gives the
100,000-task benchmark) is the report the per-task read model gives.

``build_report`` counts from ``read_model.report_tallies`` (distinct rows of the
columns the light reads, ruled once each) and lists the overdue tasks straight
from SQL; ``_reference`` below is the report as it was built before (a record
per task from ``task_records``, its light, every overdue task sorted in Python).
Both must agree on every count, light and overdue task — with unassigned tasks,
reports inside and before the current period, removed tasks, tasks carried over
to another plan and indicators judged by recorded actuals — over the sqlite3
runner, a SQLAlchemy session and PostgreSQL; and ``report --json``'s piecewise
writer must write what ``json.dumps`` of the document writes.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from operator import attrgetter

import pytest
import time_machine
from sqlalchemy import select

from benchmarks.synth import make_big_db
from lctasks.cli.report_text import print_report, report_json
from lctasks.config import Settings
from lctasks.db.engine import open_database
from lctasks.db.models import PlanRow, TaskRow
from lctasks.db.sql import LiteDatabase, Runner, SessionRunner
from lctasks.db.urls import resolve_url
from lctasks.domain import CARRIED_TO, Actor, Light, Status
from lctasks.services.base import ServiceContext
from lctasks.services.indicators import IndicatorService
from lctasks.services.read_model import carried_ids, numeric_lights_by_key, task_records
from lctasks.services.reports import OverdueTask, Report, _Acc, build_report
from lctasks.textsafe import json_text
from tests.conftest import OFFICE_NOW, once_per_module

N = 2_000  # tasks of plan "big"
DAYS = (
    dt.date(2021, 2, 1),  # nothing late, no report yet
    dt.date(2023, 6, 30),
    dt.date(2026, 11, 3),  # inside the report grace days
    dt.date(2026, 12, 1),  # the generator's today: reports in and before the period
    dt.date(2031, 1, 1),  # everything late
)


def _shape(url: str) -> None:
    """Plan ``big`` (N tasks, owners, statuses, reports) plus what the generator
    leaves out: removed tasks, tasks carried over, recorded actuals."""
    with time_machine.travel(OFFICE_NOW, tick=False):
        make_big_db(url, N)
        db = open_database(url)
        try:
            with db.write() as s:
                big = select(PlanRow.id).where(PlanRow.code == "big").scalar_subquery()
                tasks = list(s.scalars(select(TaskRow).where(TaskRow.plan_id == big)))
                for i, task in enumerate(sorted(tasks, key=attrgetter("id"))):
                    if i % 37 == 0:
                        task.removed = True
                    elif i % 41 == 0:
                        task.status = Status.CLOSED.value
                        task.progress = 100
                        task.attrs = {**dict(task.attrs), CARRIED_TO: f"lc-15th:{task.key}"}
            svc = IndicatorService(ServiceContext(db, Actor("督查员")))
            for year, value in ((2021, "1.0"), (2022, "1.5"), (2023, "0.5")):
                svc.record("I01.0000", str(year), value, source="统计公报", plan="big")
            svc.record("I11.0001", "2025", "未达到", source="省考核通报", plan="big")
            svc.record("I11.0002", "2023", "达到", source="省考核通报", plan="big")
        finally:
            db.dispose()


@pytest.fixture(scope=once_per_module)
def big_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    path = tmp_path_factory.mktemp("big") / "big.db"
    _shape(str(path))
    return str(path)


def _reference(
    runner: Runner, plan_id: int, code: str, by: str, day: dt.date, settings: Settings
) -> Report:
    """The report as ``build_report`` made it before: a record per task."""
    records = task_records(runner, plan_id, as_of=day, settings=settings, owners=False)
    carried = carried_ids(runner, plan_id)
    titles = {
        int(n): str(title)
        for n, title in runner.all(
            "SELECT number, title FROM plan_nodes WHERE plan_id = :plan AND kind = 'chapter'",
            {"plan": plan_id},
        )
    }
    finished = {x.value for x in Status if x.finished}
    groups: dict[tuple[int, str], _Acc] = {}
    total = _Acc()
    late_ones = []
    for r in records:
        late = r.due < day and r.status not in finished
        key = (r.chapter, "") if by == "chapter" else (int(r.lead is None), r.lead or "")
        moved = r.id in carried
        for acc in (groups.setdefault(key, _Acc()), total):
            acc.add(Status(r.status), r.light, late, 1, moved)
        if late:
            late_ones.append(r)
    late_ones.sort(key=attrgetter("due", "key"))
    rows = tuple(
        acc.row(
            f"C{n:02d} {titles.get(n, f'第{n}章')}" if by == "chapter" else name or "（未分配）"
        )
        for (n, name), acc in sorted(groups.items())
    )
    overdue = tuple(
        OverdueTask(
            r.key,
            r.title,
            r.lead,
            r.chapter,
            Status(r.status),
            r.due,
            (day - r.due).days,
            r.progress,
        )
        for r in late_ones
    )
    return Report(code, day, by, rows, total.row("合计"), overdue)


def _plan(runner: Runner, code: str) -> int:
    return int(runner.all("SELECT id FROM plans WHERE code = :code", {"code": code})[0][0])


def _runners(url: str) -> Iterator[tuple[str, Runner]]:
    lite = LiteDatabase.open(resolve_url(url)) if url.endswith(".db") else None
    if lite is not None:
        try:
            with lite.read() as runner:
                yield "sqlite3", runner
        finally:
            lite.dispose()
    db = open_database(url)
    try:
        with db.read() as s:
            yield "session", SessionRunner(s)
    finally:
        db.dispose()


def _check(url: str, capsys: pytest.CaptureFixture[str]) -> None:
    settings = Settings()
    seen_numeric = seen_carried = seen_removed = 0
    for kind, runner in _runners(url):
        # plan big, and the bundled plan beside it (nothing carried, no actuals there)
        for code in ("big", "lc-14th"):
            plan_id = _plan(runner, code)
            for day in DAYS:
                seen_numeric += bool(numeric_lights_by_key(runner, plan_id, day, settings))
                for by in ("unit", "chapter"):
                    want = _reference(runner, plan_id, code, by, day, settings)
                    got = build_report(runner, plan_id, code, by, day, settings)
                    assert got == want, (kind, code, by, day)
                    seen_carried += want.total.carried
                    seen_removed += code == "big" and want.total.total < N
                    # the table lists the first 20 overdue tasks of the same list
                    first = build_report(runner, plan_id, code, by, day, settings, overdue=20)
                    assert first.overdue == want.overdue[:20]
                    assert (first.rows, first.total) == (want.rows, want.total)
                    capsys.readouterr()
                    print_report(first, overdue=20, csv=False)
                    table = capsys.readouterr().out
                    print_report(want, overdue=20, csv=False)
                    assert table == capsys.readouterr().out
                    # report --json, piece by piece, is json.dumps of the document
                    doc = json.dumps(want.to_doc(), ensure_ascii=False, indent=2)
                    assert "".join(report_json(got)) == json_text(doc) + "\n"
    # the shapes were there to be counted
    assert seen_numeric and seen_carried and seen_removed


@pytest.mark.slow
def test_report_of_a_generated_ledger_is_the_per_task_report(
    big_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _check(big_db, capsys)
    assert Light.RED.value == "red"


@pytest.mark.slow
def test_report_of_a_generated_ledger_on_postgresql(
    pg_db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _shape(pg_db_url)
    _check(pg_db_url, capsys)


def test_report_json_writes_what_json_dumps_writes() -> None:
    """Quotes, backslashes, control and direction characters, no lead unit, and
    more overdue tasks than one piece holds."""
    titles = ['引号"与\\反斜杠', "换行\n制表\t", "\x1b[31m红\u202e", "\u2028分隔", "普通"]
    overdue = tuple(
        OverdueTask(
            f"C{i % 30:02d}.M{i:04d}",
            titles[i % len(titles)],
            None if i % 3 else "市科技局",
            i % 30,
            Status.IN_PROGRESS,
            dt.date(2025, 12, 31),
            335 + i,
            i % 101,
        )
        for i in range(4_500)
    )
    acc = _Acc()
    acc.add(Status.IN_PROGRESS, Light.RED, True, 4_500)
    rep = Report(
        "big", dt.date(2026, 12, 1), "unit", (acc.row("（未分配）"),), acc.row("合计"), overdue
    )
    doc = json.dumps(rep.to_doc(), ensure_ascii=False, indent=2)
    assert "".join(report_json(rep)) == json_text(doc) + "\n"
    assert json.loads("".join(report_json(rep))) == rep.to_doc()
    empty = Report("big", dt.date(2026, 12, 1), "unit", (), acc.row("合计"), ())
    assert (
        "".join(report_json(empty))
        == json_text(json.dumps(empty.to_doc(), ensure_ascii=False, indent=2)) + "\n"
    )
