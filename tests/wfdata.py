"""A small ledger written straight into the tables, for workflow tests.

Titles and text are real lines of the plan (chapter 9 and 10). Used until the
import service is the natural way in; the rows match what the ORM writes.
"""

from __future__ import annotations

import datetime as dt

from lctasks.db.engine import Database
from lctasks.db.models import ChecklistRow, PlanRow, TaskRow, UnitRow

PLAN = "lc-14th"
UNITS = [
    ("聊城市科学技术局", "市科技局", "department"),
    ("聊城市工业和信息化局", "市工业和信息化局", "department"),
    ("聊城市大数据局", "市大数据局", "department"),
    ("聊城市发展和改革委员会", "市发展改革委", "department"),
    ("东昌府区", "东昌府区", "county"),
]
# key, chapter, title, due, checklist
TASKS = [
    ("C09.M01", 9, "建设技术创新平台", dt.date(2025, 12, 31), ["新增省级以上创新平台100家"]),
    ("C10.M01", 10, "装备制造", dt.date(2025, 12, 31), []),
    (
        "C10.M02",
        10,
        "新材料",
        dt.date(2022, 12, 31),
        ["突破关键技术", "培育龙头企业", "建设产业园"],
    ),
    ("C10.M03", 10, "生物医药", dt.date(2025, 12, 31), []),
    ("I07", 4, "研发经费投入增长", dt.date(2025, 12, 31), []),
]


def seed(db: Database, *, extra: int = 0) -> None:
    """The plan, five units, five tasks (plus ``extra`` tasks C99.Mnnnn)."""
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    with db.write() as s:
        plan = PlanRow(
            code=PLAN,
            title="聊城市国民经济和社会发展第十四个五年规划和二〇三五年远景目标纲要",
            doc_number="聊政发〔2021〕4号",
            start=dt.date(2021, 1, 1),
            end=dt.date(2025, 12, 31),
            imported_at=now,
        )
        s.add(plan)
        for name, short, kind in UNITS:
            s.add(UnitRow(name=name, short=short, kind=kind))
        s.flush()
        rows = list(TASKS) + [
            (f"C99.M{i:04d}", 99, f"任务{i}", dt.date(2025, 12, 31), []) for i in range(extra)
        ]
        for key, chapter, title, due, items in rows:
            task = TaskRow(
                plan_id=plan.id,
                key=key,
                kind="indicator" if key.startswith("I") else "measure",
                chapter=chapter,
                title=title,
                source_text=title + "。",
                start=dt.date(2021, 1, 1),
                due=due,
                due_basis="explicit",
                updated_at=now,
                suggested_lead="市科技局" if key == "C09.M01" else None,
                suggested_co=["东昌府区"] if key == "C09.M01" else [],
                suggested_rules=["科技"] if key == "C09.M01" else [],
                checklist=[ChecklistRow(seq=i + 1, text=x) for i, x in enumerate(items)],
            )
            s.add(task)


def task_row(db: Database, key: str) -> TaskRow:
    from sqlalchemy import select

    with db.read() as s:
        row = s.scalars(select(TaskRow).where(TaskRow.key == key)).one()
        s.expunge_all()
        return row
