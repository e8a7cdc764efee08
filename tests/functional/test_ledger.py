"""LedgerService: import, re-import semantics, reading back — on SQLite and PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from lctasks.db.engine import Database
from lctasks.db.models import ChecklistRow, EventRow, PlanNodeRow, TaskRow, UnitRow
from lctasks.domain import (
    Actor,
    ChecklistDraft,
    ConflictError,
    DueBasis,
    InvalidInputError,
    Light,
    NotFoundError,
    PlanTree,
    Source,
    Status,
    TaskDraft,
    TaskKind,
)
from lctasks.plan import BUNDLED_PLAN, load_plan
from lctasks.plan.rekey import reconcile_checklist, rekey
from lctasks.services.audit import verify_chain
from lctasks.services.base import ServiceContext
from lctasks.services.ledger import LedgerService
from lctasks.services.query import TaskFilter
from tests.sample_plan import PLATFORM, small_tree


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
    ticks, dropped = reconcile_checklist(
        [("到2025年，力争新增省级以上创新平台100家", True)],
        [ChecklistDraft("到2025年，力争新增省级以上创新平台120家")],
    )
    assert ticks == [False] and dropped == [1]


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
    assert cov.by_kind == {"measure": 2, "project": 1, "indicator": 1, "chapter": 1, "goal": 0}


def test_no_plan_yet(ledger: LedgerService) -> None:
    with pytest.raises(NotFoundError) as exc:
        ledger.list_tasks()
    assert "lctasks import" in exc.value.hint


# ---------------------------------------------------------------------------
# The real plan
# ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_tree() -> PlanTree:
    return load_plan()


@pytest.fixture(scope="module")
def plan_lines() -> list[str]:
    return BUNDLED_PLAN.read_text(encoding="utf-8").splitlines(keepends=True)


def test_real_import_counts_equal_the_parser(ledger: LedgerService, real_tree: PlanTree) -> None:
    res = ledger.import_plan()
    assert res.first and res.plan == real_tree.code
    by_kind = Counter(d.kind.value for d in real_tree.tasks)
    assert res.tasks == len(real_tree.tasks) == 633
    assert {k: res.counts[k] for k in by_kind} == dict(by_kind)
    assert (res.counts["chapters"], res.counts["boxes"], res.counts["reference_boxes"]) == (
        61,
        12,
        3,
    )
    cov = ledger.coverage()
    assert cov.by_kind == {k.value: by_kind.get(k.value, 0) for k in TaskKind}
    per_chapter = Counter(d.chapter for d in real_tree.tasks)
    assert {c.chapter: c.tasks for c in cov.chapters if c.tasks} == dict(per_chapter)
    assert cov.without_tasks == (1, 2, 3)
    assert [n for n, _title, _ch in cov.reference_boxes] == [1, 8, 9]
    assert cov.unplaced == len(real_tree.unplaced)
    # every task can be read back with its words; suggestions were stored as such
    m01 = ledger.get_task("C06.M01")
    assert m01.source_text.startswith("建设技术创新平台。")
    assert [(g.value, g.unit) for c in m01.checklist for g in c.targets] == [(100.0, "家")]
    assert m01.lead_unit is None and m01.suggestion is not None
    # the units of plan_data/units.toml are in the database
    assert "市科技局" in {u.short for u in ledger.units()}
    with ledger.db.read() as s:
        assert s.scalar(select(func.count()).select_from(UnitRow)) == len(ledger.units())


def test_real_reimport_unchanged(ledger: LedgerService) -> None:
    ledger.import_plan()
    _assign_and_tick(ledger.db)
    res = ledger.import_plan()
    assert (res.added, res.changed, res.removed, res.rekeyed) == ((), (), (), ())
    assert res.unchanged == 633
    task = ledger.get_task("C06.M01")
    assert task.lead_unit == "市科技局" and all(c.done for c in task.checklist)
    with ledger.db.read() as s:
        assert [e.action for e in s.scalars(select(EventRow))] == ["import", "import"]
        assert verify_chain(s).ok


def test_real_corrected_copy_changes_exactly_that_key(
    ledger: LedgerService, plan_lines: list[str], tmp_path: Path
) -> None:
    ledger.import_plan()
    _assign_and_tick(ledger.db)
    corrected = tmp_path / "corrected.txt"
    text = "".join(plan_lines)
    assert text.count("创新平台100家") == 1
    corrected.write_text(text.replace("创新平台100家", "创新平台120家"), encoding="utf-8")
    res = ledger.import_plan(corrected)
    assert res.changed == ("C06.M01",)
    assert (res.added, res.removed, res.rekeyed) == ((), (), ())
    task = ledger.get_task("C06.M01")
    assert "创新平台120家" in task.source_text
    assert task.lead_unit == "市科技局" and task.status is Status.IN_PROGRESS
    # only the reworded item lost its tick, and the import says so
    assert [c.done for c in task.checklist] == [True, False, True, True, True, True]
    assert res.ticks_dropped == ("C06.M01#2",)
    assert [(g.value, g.unit) for c in task.checklist for g in c.targets] == [(120.0, "家")]


def test_real_removed_paragraph_never_shifts_ids(
    ledger: LedgerService, plan_lines: list[str], tmp_path: Path
) -> None:
    ledger.import_plan()
    m02 = ledger.get_task("C06.M02")
    assert m02.title == "发挥国家级创新平台作用"
    start = m02.line - 1
    end = ledger.get_task("C06.M03").line - 1
    shorter = tmp_path / "shorter.txt"
    shorter.write_text("".join(plan_lines[:start] + plan_lines[end:]), encoding="utf-8")
    res = ledger.import_plan(shorter)
    assert res.removed == ("C06.M02",)
    assert (res.added, res.changed) == ((), ())
    assert ("C06.M02", "C06.M03") in res.rekeyed  # the parser renumbered; the ledger did not
    assert ledger.get_task("C06.M03").title == "推动大众创业万众创新"
    assert ledger.get_task("C06.M02").removed
    ids = [t.id for t in ledger.list_tasks(TaskFilter(chapters=(6,), kinds=(TaskKind.MEASURE,)))]
    assert "C06.M02" not in ids and "C06.M03" in ids
    # the paragraph comes back: same ID, restored
    back = ledger.import_plan()
    assert back.restored == ("C06.M02",) and back.changed == () and back.rekeyed == ()
    assert not ledger.get_task("C06.M02").removed


def test_real_two_plans_and_the_plan_rule(
    ledger: LedgerService, plan_lines: list[str], tmp_path: Path
) -> None:
    ledger.import_plan()
    other = tmp_path / "other.txt"
    other.write_text("".join(plan_lines), encoding="utf-8")
    ledger.import_plan(other, code="lc-copy")
    with pytest.raises(InvalidInputError) as exc:
        ledger.get_task("C06.M01")
    assert "--plan" in exc.value.hint
    assert ledger.get_task("C06.M01", "lc-copy").plan == "lc-copy"
    assert [(p.code, p.tasks) for p in ledger.plans()] == [("lc-14th", 633), ("lc-copy", 633)]


def test_rekey_inserted_paragraph_takes_a_fresh_number() -> None:
    def draft(key: str, text: str) -> TaskDraft:
        return TaskDraft(key, TaskKind.MEASURE, 10, text[:4], text, 1, due=dt.date(2025, 12, 31))

    stored = {
        "C10.M01": ("measure", 10, "装备制造做大做强"),
        "C10.M02": ("measure", 10, "新材料延链补链"),
        "C10.M03": ("measure", 10, "生物医药集聚发展"),
    }
    # a paragraph inserted second: the parser numbers it M02 and shifts the rest
    drafts = [
        draft("C10.M01", "装备制造做大做强"),
        draft("C10.M02", "新能源汽车整车突破"),
        draft("C10.M03", "新材料延链补链"),
        draft("C10.M04", "生物医药集聚发展"),
    ]
    out, moved = rekey(drafts, stored)
    assert [d.key for d in out] == ["C10.M01", "C10.M04", "C10.M02", "C10.M03"]
    assert moved == [("C10.M02", "C10.M04"), ("C10.M03", "C10.M02"), ("C10.M04", "C10.M03")]


def test_light_memo_agrees_with_light_for() -> None:
    import itertools

    from lctasks.config import Settings
    from lctasks.lights import light_for
    from lctasks.services.read_model import LightMemo

    settings = Settings(report_grace_days=5)
    start = dt.date(2021, 1, 1)
    for as_of in (dt.date(2025, 6, 3), dt.date(2025, 12, 28), dt.date(2026, 2, 1)):
        memo = LightMemo(as_of, settings)
        for status, due, progress, last in itertools.product(
            [s.value for s in Status],
            [dt.date(2025, 12, 31), dt.date(2025, 6, 5), dt.date(2026, 6, 30)],
            [0, 40, 80, 100],
            [
                None,
                dt.date(2025, 4, 30),
                dt.date(2025, 5, 29),
                dt.date(2025, 6, 1),
                dt.date(2025, 12, 1),
                dt.date(2026, 1, 30),
            ],
        ):
            expected = light_for(status, start, due, progress, as_of, last, settings)
            assert memo(status, start, due, progress, last) is expected


def test_list_summary_equals_get_task_but_the_checklist(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    _assign_and_tick(ledger.db)
    as_of = dt.date(2025, 3, 1)
    for summary in ledger.list_tasks(as_of=as_of):
        full = ledger.get_task(summary.id, as_of=as_of)
        assert dataclasses.replace(full, checklist=(), latest_report=None) == summary


def test_outline_counts_agree_with_listed_lights(ledger: LedgerService) -> None:
    from lctasks.db.models import ProgressRow

    ledger.import_tree(small_tree())
    with ledger.db.write() as s:
        rows = {r.key: r for r in s.scalars(select(TaskRow))}
        for key, status, progress in (
            ("C06.M01", "in_progress", 60),
            ("C06.M02", "in_progress", 10),
            ("C06.P01", "blocked", 0),
            ("I01", "done", 100),
        ):
            rows[key].status, rows[key].progress = status, progress
        for key, day in (("C06.M01", dt.date(2025, 5, 20)), ("C06.M02", dt.date(2025, 6, 2))):
            at = dt.datetime.combine(day, dt.time(9), dt.UTC)
            s.add(ProgressRow(task_id=rows[key].id, at=at, actor="张三", made="推进中"))
    for as_of in (dt.date(2025, 6, 1), dt.date(2025, 6, 15), dt.date(2025, 12, 29)):
        lights = Counter(t.light for t in ledger.list_tasks(as_of=as_of))
        out = ledger.outline(as_of=as_of)
        assert (out.counts.tasks, out.counts.red, out.counts.yellow) == (
            5,
            lights[Light.RED],
            lights[Light.YELLOW],
        )
        for t in ledger.list_tasks(as_of=as_of):
            assert ledger.get_task(t.id, as_of=as_of).light is t.light
    # a report made after the as-of day does not count for that day's light
    # (the task still shows its newest report)
    m02 = ledger.get_task("C06.M02", as_of=dt.date(2025, 6, 1))
    assert m02.latest_report is not None and m02.latest_report.at.day == 2
    m01 = ledger.get_task("C06.M01", as_of=dt.date(2025, 6, 15))
    assert m01.latest_report is not None and m01.light is Light.YELLOW  # none in June yet


def test_another_plan_under_the_same_code_needs_a_word(ledger: LedgerService) -> None:
    ledger.import_tree(small_tree())
    other = dataclasses.replace(small_tree(drop="C06.P01"), title="莘县“十四五”规划")
    with pytest.raises(ConflictError) as exc:
        ledger.import_tree(other)
    assert "lc-test" in exc.value.message and "--code" in exc.value.hint
    assert ledger.get_task("C06.P01").removed is False  # nothing was written
    assert ledger.import_tree(other, code="lc-shenxian").first
    assert ledger.import_tree(other, code="lc-test").removed == ("C06.P01",)  # confirmed
