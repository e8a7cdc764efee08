"""resolve_plan / load_tasks / task_view: the read helpers other services build on."""

from __future__ import annotations

import datetime as dt

import pytest

from lctasks.db.engine import Database
from lctasks.db.models import ChecklistRow, CoUnitRow, PlanRow, ProgressRow, TaskRow, UnitRow
from lctasks.domain import DueBasis, InvalidInputError, NotFoundError, Status, TaskKind
from lctasks.services.plans import load_tasks, near_keys, resolve_plan
from lctasks.services.views import task_view

NOW = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.UTC)


def _plan(code: str) -> PlanRow:
    return PlanRow(
        code=code,
        title=f"{code} 规划",
        doc_number="",
        start=dt.date(2021, 1, 1),
        end=dt.date(2025, 12, 31),
        imported_at=NOW,
    )


def _task(plan: PlanRow, key: str, title: str, **kw: object) -> TaskRow:
    return TaskRow(
        plan_id=plan.id,
        key=key,
        kind=kw.pop("kind", "measure"),
        chapter=kw.pop("chapter", 10),
        title=title,
        source_text=f"{title}。……",
        start=dt.date(2021, 1, 1),
        due=dt.date(2025, 12, 31),
        updated_at=NOW,
        attrs={},
        suggested_co=[],
        suggested_rules=[],
        **kw,
    )


def _seed(db: Database, codes: tuple[str, ...] = ("lc-14th",)) -> None:
    with db.write() as s:
        for code in codes:
            p = _plan(code)
            s.add(p)
            s.flush()
            s.add_all(
                [
                    _task(p, "C10.M01", "建设技术创新平台"),
                    _task(p, "C10.M02", "培育创新主体"),
                    _task(p, "C10.M03", "集聚创新人才"),
                    _task(p, "C10.P12", "聊城高新区科创园", kind="project", box=4),
                ]
            )


def test_no_plan_says_import_first(database: Database) -> None:
    with database.read() as s, pytest.raises(NotFoundError) as exc:
        resolve_plan(s, None)
    assert "lctasks import" in exc.value.hint
    assert exc.value.exit_code == 3


def test_the_only_plan_is_the_default(database: Database) -> None:
    _seed(database)
    with database.read() as s:
        assert resolve_plan(s, None).code == "lc-14th"
        assert resolve_plan(s, "lc-14th").code == "lc-14th"
        assert resolve_plan(s, "LC-14TH").code == "lc-14th"


def test_several_plans_need_a_code(database: Database) -> None:
    _seed(database, ("lc-14th", "lc-15th"))
    with database.read() as s:
        with pytest.raises(InvalidInputError) as exc:
            resolve_plan(s, None)
        assert "lc-14th" in exc.value.message and "lc-15th" in exc.value.message
        assert "--plan" in exc.value.hint
        assert resolve_plan(s, "lc-15th").code == "lc-15th"
        with pytest.raises(NotFoundError) as nf:
            resolve_plan(s, "dongchangfu")
        assert "dongchangfu" in nf.value.message and "lc-15th" in nf.value.message


def test_load_tasks_returns_rows_by_the_keys_typed(database: Database) -> None:
    _seed(database, ("lc-14th", "lc-15th"))
    with database.read() as s:
        plan = resolve_plan(s, "lc-15th")
        rows = load_tasks(s, plan, ["C10.M03", "c10.p12"])
        assert list(rows) == ["C10.M03", "c10.p12"]
        assert rows["C10.M03"].title == "集聚创新人才"
        assert rows["c10.p12"].key == "C10.P12"
        assert {r.plan_id for r in rows.values()} == {plan.id}


def test_load_tasks_names_every_unknown_key_with_near_ones(database: Database) -> None:
    _seed(database)
    with database.read() as s:
        plan = resolve_plan(s, None)
        with pytest.raises(NotFoundError) as exc:
            load_tasks(s, plan, ["C10.M01", "C10.M3", "C99.M01", "I07"])
    err = exc.value
    assert err.ids == ("C10.M3", "C99.M01", "I07")
    for key in err.ids:
        assert key in err.message
    assert "C10.M03" in err.hint  # the near key for the typo
    assert "list" in err.hint


def test_near_keys_prefers_the_same_chapter() -> None:
    keys = ["C10.M01", "C10.M03", "C10.M13", "C11.M03", "I07"]
    assert near_keys(keys, "c10.m3")[0] in {"C10.M03", "C10.M13"}
    assert "I07" in near_keys(keys, "I7")


def test_task_view_carries_owners_checklist_suggestion_and_report(database: Database) -> None:
    _seed(database)
    with database.write() as s:
        plan = resolve_plan(s, None)
        lead = UnitRow(name="聊城市科学技术局", short="市科技局", kind="department")
        co = UnitRow(name="茌平区人民政府", short="茌平区", kind="county")
        s.add_all([lead, co])
        s.flush()
        row = load_tasks(s, plan, ["C10.M01"])["C10.M01"]
        row.lead_unit_id = lead.id
        row.status = "in_progress"
        row.suggested_lead = "市科技局"
        row.suggested_co = ["茌平区"]
        row.suggested_rules = ["keyword:科技"]
        s.add(CoUnitRow(task_id=row.id, unit_id=co.id, position=0))
        s.add(
            ChecklistRow(
                task_id=row.id,
                seq=1,
                text="到2025年，力争新增省级以上创新平台100家",
                done=True,
                targets=[
                    {
                        "text": "新增省级以上创新平台100家",
                        "value": 100,
                        "unit": "家",
                        "deadline": "2025-12-31",
                        "yearly": False,
                    }
                ],
            )
        )
        report = ProgressRow(task_id=row.id, at=NOW, actor="张三", made="已新增32家", percent=32)
        s.add(report)
    with database.read() as s:
        plan = resolve_plan(s, None)
        row = load_tasks(s, plan, ["C10.M01"])["C10.M01"]
        rep = s.get(ProgressRow, report.id)
        task = task_view(row, as_of=dt.date(2026, 11, 29), settings=None, latest_report=rep)
    assert task.plan == "lc-14th" and task.id == "C10.M01"
    assert task.kind is TaskKind.MEASURE and task.status is Status.IN_PROGRESS
    assert task.due_basis is DueBasis.INFERRED
    assert task.lead_unit == "市科技局" and task.co_units == ("茌平区",)
    assert task.checklist[0].done is True
    target = task.checklist[0].targets[0]
    assert (target.value, target.unit, target.deadline) == (100.0, "家", dt.date(2025, 12, 31))
    assert task.suggestion is not None and task.suggestion.rules == ("keyword:科技",)
    assert task.latest_report is not None and task.latest_report.made == "已新增32家"
    assert task.latest_report.at == NOW
    assert task.updated_at == NOW
