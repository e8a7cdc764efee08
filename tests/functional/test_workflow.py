"""Workflow services on both back ends: each step, batches, errors, events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lctasks import clock
from lctasks.db.engine import Database, open_database
from lctasks.db.models import EventRow, PersonRow, ProgressRow
from lctasks.db.sql import LiteDatabase
from lctasks.domain import (
    TRANSITIONS,
    Actor,
    ConflictError,
    InvalidInputError,
    NotFoundError,
    Source,
    Status,
)
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.workflow import (
    BatchResult,
    LiteContext,
    WorkflowService,
    normalize_keys,
    read_id_lines,
)
from tests.conftest import OFFICE_NOW, OFFICE_TODAY
from tests.wfdata import seed, task_row


@pytest.fixture
def wf(database: Database) -> WorkflowService:
    seed(database)
    return WorkflowService(ServiceContext(database, Actor("王督查", Source.CLI)))


def events(db: Database, key: str | None = None) -> list[EventRow]:
    with db.read() as s:
        q = select(EventRow).order_by(EventRow.seq)
        if key:
            q = q.where(EventRow.task_key == key)
        return list(s.scalars(q))


def event_count(db: Database) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(EventRow)) or 0)


def test_assign_sets_lead_co_due_person_and_records_an_event(wf: WorkflowService) -> None:
    db = wf.ctx.db
    res = wf.assign(
        ["c10.m01", "C10.M03"],
        lead="市工业和信息化局",
        co=["聊城市科学技术局", "东昌府区"],
        due=dt.date(2024, 6, 30),
        person="李明",
        leader="张副市长",
    )
    assert [r.result for r in res.results] == ["changed", "changed"]
    assert res.applied and res.events == 2
    row = task_row(db, "C10.M01")
    assert row.lead_unit is not None and row.lead_unit.short == "市工业和信息化局"
    assert [c.unit.short for c in row.co_units] == ["市科技局", "东昌府区"]
    assert (row.due, row.due_basis, row.person, row.leader, row.version) == (
        dt.date(2024, 6, 30),
        "manual",
        "李明",
        "张副市长",
        2,
    )
    ev = events(db, "C10.M01")[-1]
    assert ev.action == "assign" and ev.actor == "王督查" and ev.source == "cli"
    assert ev.changes["lead"] == [None, "市工业和信息化局"]
    assert ev.changes["due"] == ["2025-12-31", "2024-06-30"]


def test_reassign_needs_a_reason_and_is_recorded_as_reassign(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.assign(["C10.M01"], lead="市科技局")
    with pytest.raises(InvalidInputError) as exc:
        wf.assign(["C10.M01"], lead="市大数据局")
    assert exc.value.ids == ("C10.M01",) and "转办" in exc.value.message
    assert task_row(db, "C10.M01").lead_unit.short == "市科技局"  # type: ignore[union-attr]
    res = wf.assign(["C10.M01"], lead="市大数据局", reason="职能调整")
    assert res.results[0].changes["lead"] == ["市科技局", "市大数据局"]
    ev = events(db, "C10.M01")[-1]
    assert (ev.action, ev.reason) == ("reassign", "职能调整")


def test_assigning_the_same_again_is_unchanged(wf: WorkflowService) -> None:
    wf.assign(["C10.M01"], lead="市科技局", co=["东昌府区"])
    n = event_count(wf.ctx.db)
    res = wf.assign(["C10.M01"], lead="市科技局", co=["东昌府区"])
    assert res.results[0].result == "unchanged" and res.events == 0
    assert event_count(wf.ctx.db) == n


def test_unknown_unit_changes_nothing_and_names_nearest(wf: WorkflowService) -> None:
    with pytest.raises(NotFoundError) as exc:
        wf.assign(["C10.M01", "C10.M03"], lead="市科枝局")
    assert "市科技局" in exc.value.message
    assert event_count(wf.ctx.db) == 0


def test_units_as_people_type_them(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.assign(["C10.M01"], lead="kjj", co=["gxj", "东阿"])  # 东阿县: not yet in the database
    row = task_row(db, "C10.M01")
    assert row.lead_unit is not None and row.lead_unit.short == "市科技局"
    assert [c.unit.short for c in row.co_units] == ["市工业和信息化局", "东阿县"]


def test_batch_with_one_unknown_id_changes_nothing(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.set_status(["C10.M01", "C10.M03"], "in_progress")
    n = event_count(db)
    with pytest.raises(NotFoundError) as exc:
        wf.close(["C10.M01", "C10.M99", "C10.M03"], note="已完成", evidence="文件1")
    assert exc.value.ids == ("C10.M99",)
    assert "C10.M99" in exc.value.message
    results = vars(exc.value)["results"]
    assert [(r.id, r.result) for r in results.results] == [
        ("C10.M01", "changed"),
        ("C10.M99", "error"),
        ("C10.M03", "changed"),
    ]
    assert task_row(db, "C10.M01").status == "in_progress"
    assert event_count(db) == n


def test_batch_with_an_invalid_transition_raises_conflict_naming_it(wf: WorkflowService) -> None:
    wf.set_status(["C10.M01"], "done")
    with pytest.raises(ConflictError) as exc:
        wf.close(["C10.M01", "C10.M03"], note="完成", evidence="X")  # M03 not started
    assert exc.value.ids == ("C10.M03",)
    assert "未启动" in exc.value.message
    assert task_row(wf.ctx.db, "C10.M01").status == "done"


def test_close_then_close_again_is_unchanged(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.set_status(["C10.M01"], "done")
    res = wf.close(["C10.M01"], note="已建成投产", evidence="聊工信字〔2025〕12号")
    assert res.results[0].result == "changed"
    row = task_row(db, "C10.M01")
    assert (row.status, row.progress, row.version) == ("closed", 100, 3)
    ev = events(db, "C10.M01")[-1]
    assert ev.action == "close" and ev.reason == "已建成投产"
    assert ev.changes["evidence"] == [None, "聊工信字〔2025〕12号"]
    again = wf.close(["C10.M01"], note="已建成投产", evidence="聊工信字〔2025〕12号")
    assert again.results[0].result == "unchanged" and again.results[0].version == 3
    # another note or evidence is not dropped without a word (QA 20)
    with pytest.raises(ConflictError, match="佐证材料：聊工信字〔2025〕12号"):
        wf.close(["C10.M01"], note="再次", evidence="Y")
    assert task_row(db, "C10.M01").version == 3


@pytest.mark.parametrize(("note", "evidence"), [("", "X"), ("完成", ""), ("  ", " ")])
def test_close_requires_note_and_evidence(wf: WorkflowService, note: str, evidence: str) -> None:
    wf.set_status(["C10.M01"], "done")
    with pytest.raises(InvalidInputError):
        wf.close(["C10.M01"], note=note, evidence=evidence)
    assert task_row(wf.ctx.db, "C10.M01").status == "done"


def test_return_reopen_cycle(wf: WorkflowService) -> None:
    db = wf.ctx.db
    wf.set_status(["C10.M01"], "done")
    with pytest.raises(InvalidInputError):
        wf.return_(["C10.M01"], reason=" ")
    wf.return_(["C10.M01"], reason="佐证材料不全")
    assert task_row(db, "C10.M01").status == "returned"
    assert wf.return_(["C10.M01"], reason="x").results[0].result == "unchanged"
    # progress on a returned task restarts the work
    wf.report_progress(["C10.M01"], made="补充材料")
    assert task_row(db, "C10.M01").status == "in_progress"
    wf.close(["C10.M01"], note="完成", evidence="E")
    assert wf.reopen(["C10.M01"], reason="复查").results[0].changes["status"] == [
        "closed",
        "in_progress",
    ]
    assert wf.reopen(["C10.M01"]).results[0].result == "unchanged"
    assert [e.action for e in events(db, "C10.M01")] == [
        "status",
        "return",
        "progress",
        "close",
        "reopen",
    ]


def test_status_cannot_set_closed_or_leave_closed(wf: WorkflowService) -> None:
    with pytest.raises(InvalidInputError):
        wf.set_status(["C10.M01"], "closed")
    with pytest.raises(InvalidInputError) as exc:
        wf.set_status(["C10.M01"], "finished")
    assert "in_progress" in exc.value.hint
    wf.set_status(["C10.M01"], "推进中")
    wf.close(["C10.M01"], note="完成", evidence="E")
    with pytest.raises(ConflictError):
        wf.set_status(["C10.M01"], "blocked")


def test_progress_report_is_stored_and_moves_not_started(wf: WorkflowService) -> None:
    db = wf.ctx.db
    res = wf.report_progress(
        ["C10.M03"],
        made="完成项目立项",
        problems="土地指标紧张",
        next_steps="协调用地",
        percent=40,
        today=dt.date(2026, 3, 5),
    )
    assert res.results[0].changes["status"] == ["not_started", "in_progress"]
    assert res.results[0].changes["progress"] == [0, 40]
    with db.read() as s:
        rep = s.scalars(select(ProgressRow)).one()
    assert (rep.made, rep.problems, rep.next_steps, rep.percent, rep.period, rep.actor) == (
        "完成项目立项",
        "土地指标紧张",
        "协调用地",
        40,
        "2026-03",
        "王督查",
    )
    with pytest.raises(InvalidInputError):
        wf.report_progress(["C10.M03"], made="x", percent=101)
    with pytest.raises(InvalidInputError):
        wf.report_progress(["C10.M03"], made=" ")


def test_checklist_ticks_derive_progress(wf: WorkflowService) -> None:
    db = wf.ctx.db
    res = wf.check("C10.M02", [1, 3])
    assert res.results[0].changes["progress"] == [0, 67]
    assert res.results[0].changes["status"] == ["not_started", "in_progress"]
    row = task_row(db, "C10.M02")
    assert [c.done for c in row.checklist] == [True, False, True]
    assert wf.check("C10.M02", [1]).results[0].result == "unchanged"
    res = wf.check("C10.M02", [3], done=False)
    assert res.results[0].changes["progress"] == [67, 33]
    # a report without a percent takes the ticked share
    wf.report_progress(["C10.M02"], made="进展")
    assert task_row(db, "C10.M02").progress == 33
    with pytest.raises(InvalidInputError) as exc:
        wf.check("C10.M02", [4])
    assert "共 3 项" in exc.value.message


def test_extend_keeps_original_and_refuses_late_unless_forced(wf: WorkflowService) -> None:
    db = wf.ctx.db
    with pytest.raises(InvalidInputError):
        wf.extend(["C10.M02"], to=dt.date(2023, 6, 30), reason="")
    res = wf.extend(
        ["C10.M02"], to=dt.date(2023, 6, 30), reason="资金未到位", today=dt.date(2022, 11, 1)
    )
    assert res.results[0].changes["due"] == [dt.date(2022, 12, 31), dt.date(2023, 6, 30)]
    row = task_row(db, "C10.M02")
    assert (row.due, row.original_due, row.due_basis) == (
        dt.date(2023, 6, 30),
        dt.date(2022, 12, 31),
        "extended",
    )
    with pytest.raises(InvalidInputError):  # earlier than now
        wf.extend(["C10.M02"], to=dt.date(2023, 1, 31), reason="x", today=dt.date(2022, 11, 1))
    with pytest.raises(ConflictError) as exc:  # past the deadline
        wf.extend(["C10.M02"], to=dt.date(2024, 6, 30), reason="x", today=dt.date(2023, 7, 1))
    assert "--late" in exc.value.message
    wf.extend(
        ["C10.M02"], to=dt.date(2024, 6, 30), reason="补批", late=True, today=dt.date(2023, 7, 1)
    )
    row = task_row(db, "C10.M02")
    assert (row.due, row.original_due) == (dt.date(2024, 6, 30), dt.date(2022, 12, 31))
    assert events(db, "C10.M02")[-1].changes["late"] == [False, True]


def test_if_version_refuses_a_stale_edit(wf: WorkflowService) -> None:
    wf.note(["C10.M01"], "调度会要求加快")  # version 2
    with pytest.raises(ConflictError) as exc:
        wf.set_status(["C10.M01"], "blocked", if_version=1)
    assert "期望 1" in exc.value.message and "当前 2" in exc.value.message
    assert wf.set_status(["C10.M01"], "blocked", if_version=2).results[0].version == 3
    with pytest.raises(InvalidInputError):
        wf.note(["C10.M01", "C10.M03"], "x", if_version=3)


def test_a_batch_checks_each_version_it_was_given_inside_the_transaction(
    wf: WorkflowService,
) -> None:
    wf.note(["C10.M03"], "别人先改了")  # C10.M03: version 2
    n = event_count(wf.ctx.db)
    seen = {"C10.M01": 1, "c10.m03": 1}  # what a screen showed
    with pytest.raises(ConflictError) as exc:
        wf.note(["C10.M01", "C10.M03"], "批量备注", if_version=seen)
    assert exc.value.ids == ("C10.M03",)
    assert "期望 1" in exc.value.message and "当前 2" in exc.value.message
    assert event_count(wf.ctx.db) == n  # nothing written, not even for C10.M01
    res = wf.note(["C10.M01", "C10.M03"], "批量备注", if_version={"C10.M01": 1, "C10.M03": 2})
    assert [r.version for r in res.results] == [2, 3]


def test_dry_run_changes_nothing_but_reports(wf: WorkflowService) -> None:
    db = wf.ctx.db
    res = wf.assign(["C10.M01", "C10.M03"], lead="市科技局", dry_run=True)
    assert res.dry_run and not res.applied
    assert res.summary() == {"total": 2, "changed": 2, "unchanged": 0, "error": 0, "events": 2}
    assert task_row(db, "C10.M01").lead_unit_id is None
    assert event_count(db) == 0


def test_accept_suggestion_is_recorded_as_from_a_rule(wf: WorkflowService) -> None:
    db = wf.ctx.db
    res = wf.accept_suggestion(["C09.M01"])
    assert res.results[0].changes["lead"] == [None, "市科技局"]
    assert res.results[0].changes["co_units"] == [[], ["东昌府区"]]
    ev = events(db, "C09.M01")[-1]
    assert (ev.action, ev.source) == ("accept", "rule")
    assert ev.changes["rules"] == [None, ["科技"]]
    assert wf.accept_suggestion(["C09.M01"]).results[0].result == "unchanged"
    with pytest.raises(InvalidInputError):
        wf.accept_suggestion(["C10.M01"])  # no suggestion


def test_every_change_is_chained(wf: WorkflowService) -> None:
    wf.assign(["C10.M01", "C10.M03", "I07"], lead="市发展改革委")
    wf.set_status(["C10.M01", "C10.M03"], "done")
    wf.close(["C10.M01", "C10.M03"], note="完成", evidence="E")
    wf.note(["I07"], "统计口径待确认")
    with wf.ctx.db.read() as s:
        rep = verify_chain(s)
    assert rep.ok and rep.checked == 8


def test_key_lists_from_files() -> None:
    assert read_id_lines("C10.M01\n# 注释\n c10.m03  # 第二个\n\nI07,C09.M01\n") == [
        "C10.M01",
        "c10.m03",
        "I07",
        "C09.M01",
    ]
    assert normalize_keys(["c10.m01", "C10.M01", " i07 "]) == ["C10.M01", "I07"]


def test_sqlite3_fast_path_writes_what_the_orm_reads(tmp_path: Path, office_clock: object) -> None:
    """The CLI's LiteDatabase and the SQLAlchemy path share one chain and one format."""
    url = f"sqlite:///{tmp_path / 'fast.db'}"
    db = open_database(url)
    seed(db)
    actor = Actor("李联络", Source.CLI)
    WorkflowService(ServiceContext(db, actor)).set_status(["C10.M01"], "done")
    lite = LiteDatabase.open(url)
    assert lite is not None
    fast = WorkflowService(LiteContext(lite, actor))
    fast.close(["C10.M01"], note="完成", evidence="E1")
    fast.assign(["C10.M03"], lead="市科技局", co=["东昌府区"], due=dt.date(2024, 1, 31))
    fast.report_progress(["C10.M03"], made="开工", percent=10)
    fast.extend(["C10.M03"], to=dt.date(2024, 6, 30), reason="审批", today=dt.date(2024, 1, 2))
    lite.dispose()
    WorkflowService(ServiceContext(db, actor)).note(["C10.M01"], "归档")
    row = task_row(db, "C10.M03")
    assert (row.due, row.original_due, row.lead_unit.short if row.lead_unit else None) == (
        dt.date(2024, 6, 30),
        dt.date(2024, 1, 31),
        "市科技局",
    )
    # stored as the UTC instant of the pinned clock (17:00 UTC, 01:00 in Beijing)
    assert row.updated_at.replace(tzinfo=dt.UTC).date() == OFFICE_NOW.date()
    assert abs(row.updated_at.replace(tzinfo=dt.UTC) - OFFICE_NOW) < dt.timedelta(minutes=10)
    assert clock.office_date(row.updated_at) == OFFICE_TODAY
    assert task_row(db, "C10.M01").status == "closed"
    with db.read() as s:
        rep = verify_chain(s)
        reps = list(s.scalars(select(ProgressRow)))
    assert rep.ok and rep.checked == 6
    assert clock.office_date(reps[0].at) == OFFICE_TODAY and reps[0].percent == 10
    db.dispose()


def test_fast_path_steps_aside_when_people_are_configured(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'people.db'}"
    db = open_database(url)
    assert LiteDatabase.open(url) is not None
    with db.write() as s:
        s.add(PersonRow(name="王督查", role="supervisor"))
    assert LiteDatabase.open(url) is None  # the access policy needs the full path
    assert LiteDatabase.open(f"sqlite:///{tmp_path / 'missing.db'}") is None
    db.dispose()


# -- the transition table (lctasks.domain.TRANSITIONS) drives the refusals -----


def _put_status(db: Database, key: str, status: Status) -> None:
    from lctasks.db.models import TaskRow

    with db.write() as s:
        row = s.scalars(select(TaskRow).where(TaskRow.key == key)).one()
        row.status = status.value


def _step(wf: WorkflowService, action: str) -> Callable[[], object]:
    key = ["C10.M01"]
    return {
        "status": lambda: wf.set_status(key, "blocked"),
        "progress": lambda: wf.report_progress(key, made="推进"),
        "check": lambda: wf.check("C10.M02", [1]),
        "close": lambda: wf.close(key, note="完成", evidence="X"),
        "return": lambda: wf.return_(key, reason="不合格"),
        "reopen": lambda: wf.reopen(key),
        "extend": lambda: wf.extend(
            key, to=dt.date(2026, 6, 30), reason="延期", today=dt.date(2025, 1, 1)
        ),
        "assign": lambda: wf.assign(key, person="张三"),
        "note": lambda: wf.note(key, "备注"),
    }[action]


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (action, status)
        for action, (starts, target) in TRANSITIONS.items()
        for status in Status
        if status not in starts
        and status != target
        # reopen of an open task is "unchanged" (it is open already), not refused
        and action != "reopen"
    ],
)
def test_every_status_outside_the_table_is_refused(
    wf: WorkflowService, action: str, status: Status
) -> None:
    key = "C10.M02" if action == "check" else "C10.M01"
    _put_status(wf.ctx.db, key, status)
    before = event_count(wf.ctx.db)
    with pytest.raises(ConflictError) as exc:
        _step(wf, action)()
    assert exc.value.ids == (key,)
    assert task_row(wf.ctx.db, key).status == status.value
    assert event_count(wf.ctx.db) == before


@pytest.mark.parametrize(
    ("action", "status"),
    [
        (action, status)
        for action, (starts, target) in TRANSITIONS.items()
        for status in sorted(starts)
        if target is not None or action == "status"
        if not (action == "status" and status == Status.BLOCKED)  # already there: unchanged
    ],
)
def test_every_status_inside_the_table_is_accepted(
    wf: WorkflowService, action: str, status: Status
) -> None:
    _put_status(wf.ctx.db, "C10.M01", status)
    res = _step(wf, action)()
    assert isinstance(res, BatchResult)
    target = TRANSITIONS[action][1] or Status.BLOCKED
    assert res.results[0].result == "changed"
    assert task_row(wf.ctx.db, "C10.M01").status == target.value
