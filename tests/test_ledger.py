"""LedgerService: import, re-import semantics, reading back — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest
from sample_plan import PLATFORM, small_tree
from sqlalchemy import func, select

from lctasks.db.engine import Database
from lctasks.db.models import ChecklistRow, EventRow, PlanNodeRow, TaskRow, UnitRow
from lctasks.domain import (
    Actor,
    ChecklistDraft,
    DueBasis,
    InvalidInputError,
    Light,
    NotFoundError,
    Source,
    Status,
    TaskKind,
)
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService, reconcile_checklist
from lctasks.services.query import TaskFilter


@pytest.fixture
def ledger(database: Database) -> LedgerService:
    return LedgerService(ServiceContext(database, Actor("测试员", Source.CLI)))


def _count(db: Database, model: type, *where: object) -> int:
    with db.read() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def test_first_import_writes_tree_tasks_and_one_event(ledger: LedgerService) -> None:
    res = ledger.import_tree(small_tree(), source_name="test.txt")
    assert res.first and res.plan == "lc-test" and res.tasks == 5
    assert res.counts["measure"] == 2 and res.counts["project"] == 1
    assert res.counts["chapters"] == 4 and res.counts["unplaced"] == 1
    assert res.changed == () and res.removed == () and len(res.added) == 5
    db = ledger.db
    assert _count(db, TaskRow) == 5
    assert _count(db, ChecklistRow) == 3
    with db.read() as s:
        events = list(s.scalars(select(EventRow)))
        assert [e.action for e in events] == ["import"]
        assert events[0].plan_code == "lc-test" and events[0].source == "import"
        box = s.scalars(select(PlanNodeRow).where(PlanNodeRow.kind == "box")).all()
        assert {(b.number, b.is_reference) for b in box} == {(4, False), (1, True)}
        unplaced = s.scalars(select(PlanNodeRow).where(PlanNodeRow.kind == "unplaced")).one()
        assert (unplaced.line, unplaced.body) == (99, "（此页无正文）")


def test_list_and_get_read_back_what_was_imported(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    tasks = ledger.list_tasks(TaskFilter())
    assert [t.id for t in tasks] == ["I01", "C05.T01", "C06.M01", "C06.M02", "C06.P01"]
    assert [t.id for t in ledger.list_tasks(TaskFilter(chapters=(6,)))] == [
        "C06.M01",
        "C06.M02",
        "C06.P01",
    ]
    assert [t.id for t in ledger.list_tasks(TaskFilter(kinds=(TaskKind.PROJECT,)))] == ["C06.P01"]
    assert [t.id for t in ledger.list_tasks(TaskFilter(text="孵化"))] == ["C06.M02", "C06.P01"]
    assert [t.id for t in ledger.list_tasks(TaskFilter(text="c06.m0"))] == ["C06.M01", "C06.M02"]
    assert [t.id for t in ledger.list_tasks(TaskFilter(text="100%"))] == []
    assert len(ledger.list_tasks(TaskFilter(statuses=(Status.NOT_STARTED,)))) == 5
    assert len(ledger.list_tasks(TaskFilter(unassigned=True, limit=2, offset=1))) == 2
    early, late = dt.date(2021, 2, 1), dt.date(2026, 1, 5)
    assert {t.light for t in ledger.list_tasks(as_of=early)} == {Light.GREEN}
    assert len(ledger.list_tasks(TaskFilter(lights=(Light.RED,)), as_of=late)) == 5
    assert ledger.list_tasks(TaskFilter(lights=(Light.RED,)), as_of=early) == []
    task = ledger.get_task("c06.m01")
    assert task.title == "建设技术创新平台" and task.source_text == PLATFORM
    assert task.due_basis is DueBasis.EXPLICIT and task.due_text == "到2025年"
    assert task.checklist[0].targets[0].value == 100.0
    assert task.checklist[0].targets[0].deadline == dt.date(2025, 12, 31)
    indicator = ledger.get_task("I01")
    assert dict(indicator.attrs)["2025年"] == "6左右"
    detail = ledger.task_detail("C06.P01")
    assert detail.chapter_title == "创新驱动" and detail.box_title == "科技创新重点项目"
    assert detail.part == (2, "第二篇 创新")


def test_unknown_key_names_it(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    with pytest.raises(NotFoundError) as exc:
        ledger.get_task("C06.M1")
    assert "C06.M1" in exc.value.message and "C06.M01" in exc.value.hint


def test_reimport_unchanged_changes_nothing_and_keeps_events(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    res = ledger.import_tree(small_tree())
    assert not res.first
    assert (res.added, res.changed, res.removed) == ((), (), ())
    assert res.unchanged == 5
    with ledger.db.read() as s:
        assert [e.action for e in s.scalars(select(EventRow).order_by(EventRow.seq))] == [
            "import",
            "import",
        ]
        assert verify_chain(s).ok
    assert ledger.get_task("C06.M01").version == 1


def _assign_and_tick(db: Database) -> None:
    with db.write() as s:
        unit = s.scalars(select(UnitRow).where(UnitRow.short == "市科技局")).one()
        row = s.scalars(select(TaskRow).where(TaskRow.key == "C06.M01")).one()
        row.lead_unit_id = unit.id
        row.status = "in_progress"
        for item in row.checklist:
            item.done = True


def test_corrected_paragraph_changes_exactly_that_key(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    _assign_and_tick(ledger.db)
    corrected = PLATFORM.replace("研发中心", "研发机构")
    res = ledger.import_tree(
        small_tree(m1=corrected, m1_item2="支持龙头企业建设研发机构以及实验室")
    )
    assert res.changed == ("C06.M01",) and res.added == () and res.removed == ()
    task = ledger.get_task("C06.M01")
    assert task.source_text == corrected
    assert task.lead_unit == "市科技局" and task.status is Status.IN_PROGRESS
    assert task.version == 2
    # the unchanged first item keeps its tick; the reworded second one does not
    assert [c.done for c in task.checklist] == [True, False]
    assert res.ticks_dropped == ("C06.M01#2",)
    with ledger.db.read() as s:
        ev = s.scalars(select(EventRow).where(EventRow.action == "changed")).one()
        assert ev.task_key == "C06.M01"
        assert ev.changes["source_text"] == [PLATFORM, corrected]
        assert ev.changes["ticks_dropped"] == [["支持龙头企业建设研发中心"], []]


def test_removed_paragraph_is_flagged_and_comes_back(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    res = ledger.import_tree(small_tree(drop="C06.M02", add="C06.M03"))
    assert res.removed == ("C06.M02",) and res.added == ("C06.M03",)
    assert [t.id for t in ledger.list_tasks()] == [
        "I01",
        "C05.T01",
        "C06.M01",
        "C06.M03",
        "C06.P01",
    ]
    gone = ledger.get_task("C06.M02")
    assert gone.removed
    assert "C06.M02" in [t.id for t in ledger.list_tasks(TaskFilter(include_removed=True))]
    back = ledger.import_tree(small_tree())
    assert back.restored == ("C06.M02",) and back.removed == ("C06.M03",)
    assert not ledger.get_task("C06.M02").removed


def test_small_typo_fix_keeps_the_tick() -> None:
    ticks, dropped = reconcile_checklist(
        [("推进在平区高端铝材产业基地建设", True), ("建设物流园", False)],
        [ChecklistDraft("推进茌平区高端铝材产业基地建设"), ChecklistDraft("建设物流园")],
    )
    assert ticks == [True, False] and dropped == []


def test_two_plans_in_one_database(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree("lc-14th"))
    ledger.import_tree(small_tree("lc-15th", drop="C06.P01"))
    with pytest.raises(InvalidInputError) as exc:
        ledger.list_tasks()
    assert "lc-14th" in exc.value.message and "--plan" in exc.value.hint
    assert len(ledger.list_tasks(TaskFilter(plan="lc-15th"))) == 4
    assert len(ledger.list_tasks(TaskFilter(plan="lc-14th"))) == 5
    assert ledger.get_task("C06.P01", "lc-14th").plan == "lc-14th"
    with pytest.raises(NotFoundError):
        ledger.get_task("C06.P01", "lc-15th")
    assert [(p.code, p.tasks) for p in ledger.plans()] == [("lc-14th", 5), ("lc-15th", 4)]


def test_outline_and_coverage(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    out = ledger.outline()
    assert out.counts.tasks == 5
    assert [p.counts.tasks for p in out.parts] == [1, 4]
    ch6 = out.parts[1].chapters[1]
    assert ch6.number == 6 and ch6.counts.tasks == 3
    assert ch6.sections[0].counts.tasks == 2 and ch6.boxes[0].counts.tasks == 1
    cov = ledger.coverage()
    assert cov.without_tasks == (1,)
    assert cov.reference_boxes == ((1, "“十三五”主要成就", 1),)
    assert cov.unplaced == 1
    assert cov.by_kind == {"measure": 2, "project": 1, "indicator": 1, "chapter": 1}


def test_no_plan_yet(ledger: LedgerService) -> None:
    with pytest.raises(NotFoundError) as exc:
        ledger.list_tasks()
    assert "lctasks import" in exc.value.hint
