"""Review meetings on the real plan, on SQLite and PostgreSQL: export, edit, apply."""

from __future__ import annotations

import datetime as dt
import tomllib
from collections.abc import Iterator
from pathlib import Path

import pytest
import tomlkit
from sqlalchemy import func, select

from lctasks import clock
from lctasks.db.engine import Database
from lctasks.db.models import EventRow
from lctasks.domain import (
    Actor,
    ConflictError,
    InvalidInputError,
    Light,
    Source,
    Status,
)
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.reports import ReportService
from lctasks.services.review import ReviewService
from lctasks.services.workflow import WorkflowService
from lctasks.snapshot import SnapshotFilter, parse_snapshot, snapshot_bytes, write_snapshot
from tests.conftest import OFFICE_TODAY

AS_OF = dt.date(2025, 6, 30)


@pytest.fixture
def meeting_day() -> Iterator[None]:
    """The review meeting sits on the as-of day: the deadlines it moves are still ahead
    (a deadline already past needs ``apply --late``, as ``extend`` does)."""
    import time_machine

    with time_machine.travel(dt.datetime.combine(AS_OF, dt.time(2), dt.UTC), tick=True):
        yield


@pytest.fixture
def ctx(database: Database) -> ServiceContext:
    """The bundled plan with a few assigned, progressed, late and closed tasks."""
    c = ServiceContext(database, Actor("王督查", Source.CLI))
    LedgerService(c).import_plan()
    wf = WorkflowService(c)
    wf.assign(
        ["C06.M01", "C06.M02", "C06.M03"], lead="市科技局", co=["市发展改革委"], person="张明"
    )
    wf.assign(["C07.M01"], lead="市工业和信息化局", due=dt.date(2025, 3, 31))  # late by AS_OF
    wf.report_progress(["C06.M01"], made="完成可研报告编制", problems="用地指标紧张", percent=60)
    wf.set_status(["C06.M02"], "done")
    wf.close(["C06.M02"], note="平台已挂牌", evidence="聊科字〔2025〕12号")
    return c


def _events(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(EventRow)) or 0)


def _edit(text: str, tid: str, old: str, new: str) -> str:
    start = text.index(f'[tasks."{tid}"]')
    pos = text.index(old, start)
    assert pos < text.index("\n[", start + 1)  # inside that task's table
    return text[:pos] + new + text[pos + len(old) :]


def _line(text: str, tid: str, key: str) -> int:
    start = text.index(f'[tasks."{tid}"]')
    return text[: text.index(f"\n{key} = ", start)].count("\n") + 2


def test_export_totals_equal_the_report(ctx: ServiceContext) -> None:
    snap = ReviewService(ctx).export(as_of=AS_OF)
    assert len(snap.tasks) == snap.totals.tasks == 633
    reports = ReportService(ctx)
    by_unit = reports.report(by="unit", as_of=AS_OF)
    total = by_unit.total
    c = snap.totals
    assert total.total == c.tasks
    assert total.done == c.status[Status.DONE] + c.status[Status.CLOSED]
    assert total.closed == c.status[Status.CLOSED] == 1
    assert (total.red, total.yellow, total.green) == (
        c.light[Light.RED],
        c.light[Light.YELLOW],
        c.light[Light.GREEN],
    )
    assert total.overdue == c.overdue
    rows = {r.group: r for r in by_unit.rows}
    assert set(rows) == {"市科技局", "市工业和信息化局", "（未分配）"}
    for name, counts in snap.units.items():
        row = rows["（未分配）" if name == "未分配" else name]
        assert (row.total, row.red, row.yellow, row.green, row.overdue, row.closed) == (
            counts.tasks,
            counts.light[Light.RED],
            counts.light[Light.YELLOW],
            counts.light[Light.GREEN],
            counts.overdue,
            counts.status[Status.CLOSED],
        )
    chapter_rows = {r.group: r for r in reports.report(by="chapter", as_of=AS_OF).rows}
    assert len(chapter_rows) == len(snap.chapters)
    for n, counts in snap.chapters.items():
        row = chapter_rows[f"C{n:02d} {counts.title}"]
        assert (row.total, row.red, row.yellow, row.green, row.overdue) == (
            counts.tasks,
            counts.light[Light.RED],
            counts.light[Light.YELLOW],
            counts.light[Light.GREEN],
            counts.overdue,
        )


def test_export_shows_what_was_done_and_is_byte_stable(
    office_clock: object, ctx: ServiceContext, tmp_path: Path
) -> None:
    # the clock is pinned before ctx writes: the report is made at 01:00 Beijing on
    # 1 December (30 November in UTC), so "the end of the as-of day" is the office's
    svc = ReviewService(ctx)
    first, second = tmp_path / "a.toml", tmp_path / "b.toml"
    write_snapshot(svc.export(as_of=AS_OF), first)
    write_snapshot(svc.export(as_of=AS_OF), second)
    assert first.read_bytes() == second.read_bytes()
    text = first.read_text(encoding="utf-8")
    doc = tomllib.loads(text)
    assert tomlkit.parse(text).unwrap() == doc
    t1 = doc["tasks"]["C06.M01"]
    assert t1["title"] == "建设技术创新平台"
    assert (t1["lead"], t1["co_units"], t1["person"]) == ("市科技局", ["市发展改革委"], "张明")
    assert t1["progress"] == 60 and t1["status"] == "in_progress"
    # as of a date, the latest report is the latest made by the end of that day
    assert "latest_report" not in t1
    assert clock.today() == OFFICE_TODAY
    day_before = ReviewService(ctx).export(as_of=OFFICE_TODAY - dt.timedelta(days=1))
    assert day_before.task_map()["C06.M01"].latest_report is None
    today = ReviewService(ctx).export(as_of=OFFICE_TODAY).task_map()["C06.M01"]
    assert today.latest_report is not None
    assert today.latest_report.made == "完成可研报告编制"
    assert today.latest_report.problems == "用地指标紧张"
    assert today.latest_report.actor == "王督查"
    assert doc["tasks"]["C06.M02"]["status"] == "closed"
    late = doc["tasks"]["C07.M01"]
    assert (late["due"], late["due_basis"], late["light"]) == (
        dt.date(2025, 3, 31),
        "manual",
        "red",
    )
    assert doc["snapshot"]["history_seq"] == _events(ctx.db)
    assert doc["tasks"]["C06.M02"]["last_seq"] == _events(ctx.db)  # the close
    assert doc["tasks"]["C06.P01"]["lead"] == ""


def test_export_filters_and_changes_since(ctx: ServiceContext) -> None:
    svc = ReviewService(ctx)
    old = svc.export(as_of=AS_OF)
    mine = svc.export(SnapshotFilter(units=("fgw",)), as_of=AS_OF)  # co-unit of C06.M0x
    assert [x.id for x in mine.tasks] == ["C06.M01", "C06.M02", "C06.M03"]
    assert mine.filter.units == ("市发展改革委",)
    closed = svc.export(SnapshotFilter(statuses=(Status.CLOSED,), chapters=(6,)), as_of=AS_OF)
    assert [x.id for x in closed.tasks] == ["C06.M02"]
    WorkflowService(ctx).set_status(["C06.M03"], "done")
    new = svc.export(as_of=AS_OF, since=old)
    assert new.changes is not None
    assert new.changes.newly_done == ("C06.M03",)
    assert new.changes.old_seq == old.history.seq
    assert parse_snapshot(snapshot_bytes(new).decode()) == new


def _reviewed(ctx: ServiceContext, path: Path) -> str:
    write_snapshot(ReviewService(ctx).export(as_of=AS_OF), path)
    text = path.read_text(encoding="utf-8")
    text = _edit(text, "C06.M01", 'lead = "市科技局"', 'lead = "市工业和信息化局"')
    text = _edit(text, "C06.M03", "due = 2025-12-31", 'due = "2026年6月底前"')
    text = _edit(text, "C08.M01", 'status = "not_started"', 'status = "推进中"')
    text = _edit(text, "C08.M01", "version = ", 'note = "调度会要求加快"\nversion = ')
    path.write_text(text, encoding="utf-8")
    return text


def test_hand_edit_dry_run_then_apply(
    ctx: ServiceContext, tmp_path: Path, meeting_day: None
) -> None:
    path = tmp_path / "2025-06-调度会.toml"
    text = _reviewed(ctx, path)
    reviewer = ReviewService(ctx.with_actor(Actor("李主任", Source.CLI)))
    before = _events(ctx.db)
    rehearsal = reviewer.apply_review(path, dry_run=True)
    plan = rehearsal.review
    changes = {e.task: {f.field: (f.old, f.new) for f in e.edits} for e in plan.edits}
    assert changes == {
        "C06.M01": {"lead": ("市科技局", "市工业和信息化局")},
        "C06.M03": {"due": (dt.date(2025, 12, 31), dt.date(2026, 6, 30))},
        "C08.M01": {"status": (Status.NOT_STARTED, Status.IN_PROGRESS)},
    }
    header = text[: text.index('[tasks."C06.M01"]')].count("\n") + 1
    assert plan.edits[0].where == f"{path}:{header}"
    assert not rehearsal.applied and rehearsal.events == 3
    assert _events(ctx.db) == before  # nothing written

    result = reviewer.apply_review(path)
    assert result.applied and result.events == 3
    with ctx.db.read() as s:
        rows = s.execute(
            select(EventRow.task_key, EventRow.action, EventRow.actor, EventRow.source)
            .where(EventRow.seq > before)
            .order_by(EventRow.seq)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("C06.M01", "reassign", "李主任", "review"),
        ("C06.M03", "extend", "李主任", "review"),
        ("C08.M01", "status", "李主任", "review"),
    ]
    after = ReviewService(ctx).export(as_of=AS_OF).task_map()
    assert after["C06.M01"].lead == "市工业和信息化局"
    assert after["C06.M03"].due == dt.date(2026, 6, 30)
    assert after["C06.M03"].original_due == dt.date(2025, 12, 31)
    assert after["C08.M01"].status == Status.IN_PROGRESS
    # the same file again: everything already holds, nothing is recorded twice
    again = reviewer.apply_review(path)
    assert again.review.edits == () and _events(ctx.db) == before + 3


def test_a_task_changed_after_export_is_a_conflict(ctx: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    text = _reviewed(ctx, path)
    WorkflowService(ctx).note(["C06.M01"], "会前牵头单位已调整")  # changed in the ledger
    before = _events(ctx.db)
    with pytest.raises(ConflictError) as info:
        ReviewService(ctx).apply_review(path)
    assert info.value.ids == ("C06.M01",)
    assert f"{path}:{_line(text, 'C06.M01', 'version')}" in info.value.message
    assert _events(ctx.db) == before  # C06.M03 and C08.M01 were not applied either
    snap = ReviewService(ctx).export(as_of=AS_OF).task_map()
    assert snap["C08.M01"].status == Status.NOT_STARTED
    assert snap["C06.M01"].lead == "市科技局"


def test_a_change_between_preview_and_apply_is_caught_inside_the_transaction(
    ctx: ServiceContext, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, meeting_day: None
) -> None:
    path = tmp_path / "r.toml"
    _reviewed(ctx, path)
    svc = ReviewService(ctx)
    plan = svc.plan_review(path)
    WorkflowService(ctx).set_status(["C08.M01"], "blocked")
    monkeypatch.setattr(svc, "plan_review", lambda _p: plan)
    before = _events(ctx.db)
    with pytest.raises(ConflictError) as info:
        svc.apply_review(path)
    assert info.value.ids == ("C08.M01",)
    assert _events(ctx.db) == before


def test_malformed_files_are_refused_with_lines(ctx: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    write_snapshot(ReviewService(ctx).export(as_of=AS_OF), path)
    good = path.read_text(encoding="utf-8")
    before = _events(ctx.db)
    svc = ReviewService(ctx)

    # a TOML syntax error: file, line and column
    path.write_text(_edit(good, "C06.M01", 'person = "张明"', "person = 张明"), encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        svc.apply_review(path)
    assert f"{path}:{_line(good, 'C06.M01', 'person')}:10" in info.value.message

    # several problems at once, each with its line
    text = _edit(good, "C06.M01", 'lead = "市科技局"', 'lead = "市不存在局"')
    text = _edit(text, "C06.M03", "due = 2025-12-31", 'due = "明年春天"')
    text = _edit(text, "C06.M02", 'status = "closed"', 'status = "not_started"')
    text = text.replace('[tasks."C06.P01"]', '[tasks."C06.M99"]')
    text = _edit(text, "C08.M01", 'status = "not_started"', 'status = "closed"')
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        svc.apply_review(path)
    msg = info.value.message
    # the bad date is found while reading, before the ledger is consulted
    assert f"{path}:{_line(text, 'C06.M03', 'due')}" in msg and "明年春天" in msg

    text = _edit(good, "C06.M01", 'lead = "市科技局"', 'lead = "市不存在局"')
    text = _edit(text, "C06.M02", 'status = "closed"', 'status = "not_started"')
    text = text.replace('[tasks."C06.P01"]', '[tasks."C06.M99"]')
    text = _edit(text, "C08.M01", 'status = "not_started"', 'status = "closed"')
    assert '[tasks."C06.M99"]' in text
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InvalidInputError) as info:
        svc.apply_review(path)
    msg = info.value.message
    assert f'{path}:{_line(text, "C06.M01", "lead")}：tasks."C06.M01".lead' in msg
    assert "市不存在局" in msg
    assert f'{path}:{_line(text, "C06.M02", "status")}：tasks."C06.M02".status' in msg
    assert 'tasks."C06.M99"' in msg
    assert f'{path}:{_line(text, "C08.M01", "status")}：tasks."C08.M01".status' in msg
    assert "evidence" in msg  # closing needs a note and evidence
    assert set(info.value.ids) == {"C06.M01", "C06.M02", "C06.M99", "C08.M01"}
    assert _events(ctx.db) == before


def test_closing_and_returning_through_a_review(ctx: ServiceContext, tmp_path: Path) -> None:
    path = tmp_path / "r.toml"
    write_snapshot(ReviewService(ctx).export(as_of=AS_OF), path)
    text = path.read_text(encoding="utf-8")
    text = _edit(text, "C06.M01", 'status = "in_progress"', 'status = "closed"')
    text = _edit(
        text, "C06.M01", "version = ", 'note = "验收合格"\nevidence = "验收报告"\nversion = '
    )
    text = _edit(text, "C06.M02", 'status = "closed"', 'status = "returned"')
    text = _edit(text, "C06.M02", "version = ", 'note = "佐证材料不全"\nversion = ')
    path.write_text(text, encoding="utf-8")
    before = _events(ctx.db)
    ReviewService(ctx).apply_review(path)
    with ctx.db.read() as s:
        rows = s.execute(
            select(EventRow.task_key, EventRow.action, EventRow.reason, EventRow.changes)
            .where(EventRow.seq > before)
            .order_by(EventRow.seq)
        ).all()
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("C06.M01", "close", "验收合格"),
        ("C06.M02", "return", "佐证材料不全"),
    ]
    assert rows[0][3]["evidence"] == [None, "验收报告"]


def test_a_note_alone_is_recorded_once_and_read_only_edits_are_named(
    ctx: ServiceContext, tmp_path: Path
) -> None:
    path = tmp_path / "r.toml"
    write_snapshot(ReviewService(ctx).export(as_of=AS_OF), path)
    text = path.read_text(encoding="utf-8")
    text = _edit(text, "C06.M03", "version = ", 'note = "请于12月前报送方案"\nversion = ')
    text = _edit(text, "C06.P01", "progress = 0", "progress = 50")
    path.write_text(text, encoding="utf-8")
    svc = ReviewService(ctx)
    plan = svc.plan_review(path)
    assert [(e.task, [f.field for f in e.edits]) for e in plan.edits] == [("C06.M03", ["note"])]
    assert plan.warnings == (
        f"{path}:{_line(text, 'C06.P01', 'progress')}：C06.P01.progress 为只读字段，修改不会回填",
    )
    before = _events(ctx.db)
    assert svc.apply_review(path).events == 1
    with ctx.db.read() as s:
        row = s.execute(
            select(EventRow.action, EventRow.reason, EventRow.source).where(
                EventRow.seq == before + 1
            )
        ).one()
    assert tuple(row) == ("note", "请于12月前报送方案", "review")
    # the same file again: the note is already on record, not a conflict, not repeated
    again = svc.apply_review(path)
    assert again.review.edits == () and again.review.conflicts == ()
    assert _events(ctx.db) == before + 1
