"""A small synthetic plan written straight into the tables (for TUI tests and demos)."""

from __future__ import annotations

import datetime as dt

from lctasks.db.engine import Database
from lctasks.db.models import PlanNodeRow, PlanRow, TaskRow, UnitRow

TITLES = [
    "建设技术创新平台",
    "培育科技型中小企业",
    "装备制造",
    "新材料产业",
    "推进5G网络建设",
    "发展现代农业",
    "改善生态环境",
    "推进黄河流域生态保护",
    "完善社会保障体系",
    "建设智慧城市",
]
UNITS = [
    ("聊城市科学技术局", "市科技局"),
    ("聊城市工业和信息化局", "市工业和信息化局"),
    ("聊城市农业农村局", "市农业农村局"),
    ("东阿县人民政府", "东阿县"),
]


def seed(db: Database, n: int = 30) -> None:
    now = dt.datetime(2021, 3, 1, tzinfo=dt.UTC)
    with db.write() as s:
        plan = PlanRow(
            code="lc-14th",
            title="聊城市国民经济和社会发展第十四个五年规划",
            start=dt.date(2021, 1, 1),
            end=dt.date(2025, 12, 31),
            imported_at=now,
        )
        s.add(plan)
        s.flush()
        units = []
        for name, short in UNITS:
            u = UnitRow(name=name, short=short, kind="department")
            s.add(u)
            units.append(u)
        line = 1
        for part in (1, 2):
            s.add(
                PlanNodeRow(
                    plan_id=plan.id,
                    kind="part",
                    number=part,
                    chapter=0,
                    title=f"第{'一二'[part - 1]}篇 篇名{part}",
                    line=line,
                )
            )
            line += 1
            for ch in (part * 2 - 1, part * 2):
                s.add(
                    PlanNodeRow(
                        plan_id=plan.id,
                        kind="chapter",
                        number=ch,
                        part=part,
                        chapter=ch,
                        title=f"第{ch}章 章名{ch}",
                        line=line,
                    )
                )
                line += 1
                s.add(
                    PlanNodeRow(
                        plan_id=plan.id,
                        kind="section",
                        number=1,
                        chapter=ch,
                        title=f"第一节 节名{ch}",
                        line=line,
                    )
                )
                line += 1
        s.flush()
        for i in range(n):
            ch = i % 4 + 1
            s.add(
                TaskRow(
                    plan_id=plan.id,
                    key=f"C{ch:02d}.M{i // 4 + 1:02d}",
                    kind="measure",
                    chapter=ch,
                    section=1 if i % 2 else None,
                    title=TITLES[i % len(TITLES)] + ("" if i < 10 else f"（{i}）"),
                    source_text=TITLES[i % len(TITLES)]
                    + "。到2025年，力争新增省级以上创新平台100家。",
                    line=10 + i,
                    start=dt.date(2021, 1, 1),
                    due=dt.date(2022 + i % 4, 12, 31),
                    status="not_started",
                    progress=(i * 7) % 100,
                    suggested_lead=UNITS[i % 4][1],
                    lead_unit_id=units[i % 3].id if i % 3 == 0 else None,
                    updated_at=now,
                )
            )
